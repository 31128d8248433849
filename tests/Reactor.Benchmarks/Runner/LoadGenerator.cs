using System.Globalization;
using System.Text.RegularExpressions;

namespace Reactor.Benchmarks.Runner;

/// <summary>One run of the C load generator (c/loadgen.c): its RESULT line.</summary>
internal sealed record LoadResult(double Rate, double P50Microseconds, double P99Microseconds, long Received, long Lost, long Errors);

/// <summary>Runs c/loadgen.c pinned to one CPU and reads its result line.</summary>
internal static partial class LoadGenerator
{
    /// <summary>Drives the server on <paramref name="port"/> (or, with <c>null</c>, itself: the self-loop ceiling).</summary>
    public static LoadResult Run(ToolPaths paths, int cpu, int? port, Scenario scenario, RunOptions options)
    {
        List<string> arguments =
        [
            "-c", cpu.ToString(CultureInfo.InvariantCulture), paths.LoadGenerator,
            "--size", scenario.Size.ToString(CultureInfo.InvariantCulture),
            "--window", scenario.Window.ToString(CultureInfo.InvariantCulture),
            "--warmup", options.Warmup.ToString(CultureInfo.InvariantCulture),
            "--seconds", options.Seconds.ToString(CultureInfo.InvariantCulture),
        ];
        if (port is { } p)
        {
            arguments.AddRange(["--host", ServerDefinition.Loopback, "--port", p.ToString(CultureInfo.InvariantCulture)]);
        }
        else
        {
            arguments.AddRange(["--self", "--host", ServerDefinition.Loopback]);
        }

        var limit = TimeSpan.FromSeconds(options.Warmup + options.Seconds + 30);
        var (exitCode, stdout, stderr) = ExternalCommand.Run("taskset", arguments, limit);
        var match = ResultLine().Match(stdout);
        if (exitCode != 0 || !match.Success)
        {
            throw new InvalidOperationException($"the load generator failed (exit {exitCode}): {stderr.Trim()} {stdout.Trim()}");
        }

        double Number(string name) => double.Parse(Field(match.Value, name), CultureInfo.InvariantCulture);
        return new LoadResult(
            Number("rate"),
            Number("p50_us"),
            Number("p99_us"),
            (long)Number("received"),
            (long)Number("lost"),
            (long)Number("errors"));
    }

    private static string Field(string line, string name)
    {
        foreach (var part in line.Split(' '))
        {
            if (part.StartsWith(name + "=", StringComparison.Ordinal))
            {
                return part[(name.Length + 1)..];
            }
        }

        throw new FormatException($"no {name} in '{line}'");
    }

    [GeneratedRegex(@"^RESULT .*$", RegexOptions.Multiline)]
    private static partial Regex ResultLine();
}
