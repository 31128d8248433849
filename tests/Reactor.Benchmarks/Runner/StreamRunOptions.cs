using System.Globalization;

namespace Reactor.Benchmarks.Runner;

/// <summary>The options of the stream benchmarks (<c>tcp</c>, <c>resp</c>, <c>tls</c>): rounds, timing, selection, pinning.</summary>
internal sealed class StreamRunOptions
{
    public int Rounds { get; private set; } = 3;

    public double Seconds { get; private set; } = 3;

    public double Warmup { get; private set; } = 1;

    public IReadOnlyList<string>? Servers { get; private set; }

    public IReadOnlyList<string>? Scenarios { get; private set; }

    public string? Output { get; private set; }

    public bool Build { get; private set; } = true;

    public int ServerCpu { get; private set; }

    public int LoadGeneratorCpu { get; private set; } = 1;

    /// <summary>tcp: connections of the idle-memory scenario.</summary>
    public int IdleConnections { get; private set; } = 10_000;

    /// <summary>tcp: rounds of the idle-memory scenario (the first N rounds; memory varies far less than rates).</summary>
    public int IdleRounds { get; private set; } = 1;

    /// <summary>resp: requests per redis-benchmark test at -P 16 (at -P 1, a tenth).</summary>
    public int Requests { get; private set; } = 1_000_000;

    /// <summary>The command line as given (for the results' header).</summary>
    public string CommandLine { get; private set; } = string.Empty;

    public static string Usage(string command, string servers, string scenarios, string extra, double seconds = 3, double warmup = 1) => $"""
        usage: Reactor.Benchmarks {command} [options]
          --rounds N         rounds per server and scenario (default 3; servers alternate within each round)
          --seconds S        measured seconds per round (default {seconds.ToString(CultureInfo.InvariantCulture)})
          --warmup S         warm-up seconds per round before measuring (default {warmup.ToString(CultureInfo.InvariantCulture)})
          --servers a,b      only these servers ({servers})
          --scenarios a,b    only these scenarios ({scenarios})
          --output FILE      where to write the markdown tables (default artifacts/benchmarks/{command}.md)
          --no-build         do not build the samples (the C sources are always compiled)
          --server-cpu N     the CPU servers are pinned to (default 0)
          --loadgen-cpu N    the CPU the load generator is pinned to (default 1)
        {extra}
        """;

    /// <summary>Parses the options; returns <c>null</c> (after printing why) when they are wrong.</summary>
    public static StreamRunOptions? Parse(string[] args, string usage, double seconds = 3, double warmup = 1)
    {
        var options = new StreamRunOptions { CommandLine = string.Join(' ', args), Seconds = seconds, Warmup = warmup };
        for (var i = 0; i < args.Length; i++)
        {
            var name = args[i];
            string Value() => i + 1 < args.Length ? args[++i] : throw new FormatException($"{name} needs a value");
            try
            {
                switch (name)
                {
                    case "--rounds":
                        options.Rounds = Math.Clamp(int.Parse(Value(), CultureInfo.InvariantCulture), 1, 100);
                        break;
                    case "--seconds":
                        options.Seconds = Math.Clamp(double.Parse(Value(), CultureInfo.InvariantCulture), 0.1, 600);
                        break;
                    case "--warmup":
                        options.Warmup = Math.Clamp(double.Parse(Value(), CultureInfo.InvariantCulture), 0, 600);
                        break;
                    case "--servers":
                        options.Servers = Value().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                        break;
                    case "--scenarios":
                        options.Scenarios = Value().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                        break;
                    case "--output":
                        options.Output = Value();
                        break;
                    case "--no-build":
                        options.Build = false;
                        break;
                    case "--server-cpu":
                        options.ServerCpu = int.Parse(Value(), CultureInfo.InvariantCulture);
                        break;
                    case "--loadgen-cpu":
                        options.LoadGeneratorCpu = int.Parse(Value(), CultureInfo.InvariantCulture);
                        break;
                    case "--idle-connections":
                        options.IdleConnections = Math.Clamp(int.Parse(Value(), CultureInfo.InvariantCulture), 1, 19_000);
                        break;
                    case "--idle-rounds":
                        options.IdleRounds = Math.Clamp(int.Parse(Value(), CultureInfo.InvariantCulture), 0, 100);
                        break;
                    case "--requests":
                        options.Requests = Math.Clamp(int.Parse(Value(), CultureInfo.InvariantCulture), 1_000, 100_000_000);
                        break;
                    case "-h" or "--help":
                        Console.WriteLine(usage);
                        return null;
                    default:
                        throw new FormatException($"unknown option '{name}'");
                }
            }
            catch (FormatException e)
            {
                Console.Error.WriteLine($"error: {e.Message}");
                Console.Error.WriteLine(usage);
                return null;
            }
        }

        return options;
    }

    /// <summary>Whether <paramref name="key"/> is selected: named, or (no selection) not one of the opt-in ones.</summary>
    public bool Wants(IReadOnlyList<string>? selection, string key, params string[] optIn) =>
        selection is null ? !optIn.Contains(key) : selection.Contains(key);
}
