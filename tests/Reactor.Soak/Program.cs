using System.Globalization;
using Reactor.Soak;

// Usage: Reactor.Soak [--minutes N | --seconds N] [--report-seconds N]
// Exit code: 0 when nothing grew beyond its margin and no timer was lost, 1 otherwise, 2 for a bad command line.
var duration = TimeSpan.FromMinutes(10);
TimeSpan? reportEvery = null;
for (var i = 0; i < args.Length; i++)
{
    var value = i + 1 < args.Length ? args[i + 1] : null;
    if (value is null || !double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) || number <= 0)
    {
        Console.Error.WriteLine("usage: Reactor.Soak [--minutes N | --seconds N] [--report-seconds N]");
        return 2;
    }

    switch (args[i])
    {
        case "--minutes":
            duration = TimeSpan.FromMinutes(number);
            break;
        case "--seconds":
            duration = TimeSpan.FromSeconds(number);
            break;
        case "--report-seconds":
            reportEvery = TimeSpan.FromSeconds(number);
            break;
        default:
            Console.Error.WriteLine($"unknown option {args[i]}");
            return 2;
    }

    i++;
}

return SoakRun.Run(duration, reportEvery ?? TimeSpan.FromSeconds(Math.Clamp(duration.TotalSeconds / 10, 5, 60)));
