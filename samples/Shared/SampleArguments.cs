using System.Globalization;

namespace Reactor.Samples;

/// <summary>
/// The samples' command lines: <c>--name value</c> options and <c>--flag</c> switches. An unknown option or a bad value
/// prints the usage to stderr and exits with code 2.
/// </summary>
internal sealed class SampleArguments
{
    private readonly Dictionary<string, string?> _values = new(StringComparer.Ordinal);
    private readonly string _usage;

    private SampleArguments(string usage) => _usage = usage;

    /// <summary>Parses <paramref name="args"/>, accepting only the options in <paramref name="options"/> and switches in <paramref name="switches"/>.</summary>
    public static SampleArguments Parse(string[] args, string usage, string[] options, string[]? switches = null)
    {
        var parsed = new SampleArguments(usage);
        switches ??= [];
        for (var i = 0; i < args.Length; i++)
        {
            var name = args[i];
            if (name is "-h" or "--help")
            {
                Console.WriteLine(usage);
                Environment.Exit(0);
            }

            if (Array.IndexOf(switches, name) >= 0)
            {
                parsed._values[name] = null;
            }
            else if (Array.IndexOf(options, name) >= 0 && i + 1 < args.Length)
            {
                parsed._values[name] = args[++i];
            }
            else
            {
                parsed.Fail($"unexpected argument '{name}'");
            }
        }

        return parsed;
    }

    public bool Has(string name) => _values.ContainsKey(name);

    /// <summary>With <paramref name="option"/> given, none of <paramref name="others"/> may be (it replaces them).</summary>
    public void Exclusive(string option, params string[] others)
    {
        foreach (var other in others)
        {
            if (Has(option) && Has(other))
            {
                Fail($"{option} replaces {string.Join(" and ", others)}: give one or the other");
            }
        }
    }

    /// <summary>Prints <paramref name="message"/> and the usage to stderr and exits with code 2.</summary>
    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    public void Reject(string message) => Fail(message);

    public string Get(string name, string defaultValue) => _values.TryGetValue(name, out var value) && value is not null ? value : defaultValue;

    public int GetInt(string name, int defaultValue, int min, int max)
    {
        if (!_values.TryGetValue(name, out var text) || text is null)
        {
            return defaultValue;
        }

        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
        {
            Fail($"{name} must be a whole number from {min} to {max}, not '{text}'");
        }

        return value;
    }

    public System.Net.IPAddress GetAddress(string name, string defaultValue)
    {
        var text = Get(name, defaultValue);
        if (!System.Net.IPAddress.TryParse(text, out var address))
        {
            Fail($"{name} must be an IP address, not '{text}'");
        }

        return address;
    }

    public TimeSpan GetSeconds(string name, double defaultSeconds)
    {
        if (!_values.TryGetValue(name, out var text) || text is null)
        {
            return TimeSpan.FromSeconds(defaultSeconds);
        }

        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) || seconds < 0 || seconds > 1e6)
        {
            Fail($"{name} must be a number of seconds, not '{text}'");
        }

        return TimeSpan.FromSeconds(seconds);
    }

    /// <summary>Prints <paramref name="message"/> and the usage to stderr and exits with code 2.</summary>
    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    public void Fail(string message)
    {
        Console.Error.WriteLine($"error: {message}");
        Console.Error.WriteLine(_usage);
        Environment.Exit(2);
    }
}
