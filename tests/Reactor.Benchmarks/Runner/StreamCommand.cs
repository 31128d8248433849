using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Reactor.Benchmarks.Runner;

/// <summary>
/// The bulk-stream benchmark: a one-way stream of equal-size datagrams from <c>c/blast.c</c> (sendmmsg, or UDP GSO) into
/// a Reactor sink (epoll, UDP GRO on or off), sender and receiver pinned to different CPUs. Reports datagrams/s received.
/// </summary>
internal static partial class StreamCommand
{
    public static int Execute(string[] args)
    {
        var rounds = 3;
        var seconds = 3.0;
        var size = 1024;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--rounds" when i + 1 < args.Length:
                    rounds = int.Parse(args[++i], CultureInfo.InvariantCulture);
                    break;
                case "--seconds" when i + 1 < args.Length:
                    seconds = double.Parse(args[++i], CultureInfo.InvariantCulture);
                    break;
                case "--size" when i + 1 < args.Length:
                    size = int.Parse(args[++i], CultureInfo.InvariantCulture);
                    break;
                default:
                    Console.Error.WriteLine("usage: stream [--rounds 3] [--seconds 3] [--size 1024]");
                    return 2;
            }
        }

        var root = ToolPaths.FindRepositoryRoot();
        if (root is null)
        {
            Console.Error.WriteLine("error: cannot find the repository (Reactor.sln)");
            return 1;
        }

        var native = Directory.CreateTempSubdirectory("reactor-stream-").FullName;
        try
        {
            var blast = ToolPaths.CompileNative(root, "blast", native);
            if (blast is null)
            {
                return 1;
            }

            var dotnet = ToolPaths.FindDotnet();
            var self = typeof(StreamCommand).Assembly.Location;
            var none = new Dictionary<string, string>();
            var receivers = new[]
            {
                new ServerDefinition("sink-gro", "Reactor sink, epoll, GRO on", dotnet, [self, "sink"], none, false),
                new ServerDefinition("sink-nogro", "Reactor sink, epoll, GRO off", dotnet, [self, "sink", "--no-gro"], none, false),
            };
            var rows = new List<(string Sender, string Receiver, List<double> Rates)>();
            foreach (var gso in new[] { false, true })
            {
                foreach (var receiver in receivers)
                {
                    var rates = new List<double>();
                    for (var round = 0; round < rounds; round++)
                    {
                        using var server = ServerProcess.Start(receiver, cpu: 0);
                        List<string> arguments = ["-c", "1", blast, "--port", server.Port.ToString(CultureInfo.InvariantCulture), "--size", size.ToString(CultureInfo.InvariantCulture), "--seconds", seconds.ToString(CultureInfo.InvariantCulture)];
                        if (gso)
                        {
                            arguments.Add("--gso");
                        }

                        var (code, stdout, error) = ExternalCommand.Run("taskset", arguments, TimeSpan.FromSeconds(seconds + 30));
                        var stats = server.Stop();
                        var match = ResultLine().Match(stdout);
                        if (code != 0 || !match.Success || stats is null)
                        {
                            Console.Error.WriteLine($"round {round + 1} failed: {error} {server.Stderr}");
                            continue;
                        }

                        var elapsed = double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
                        var rate = stats.Value.Datagrams / elapsed;
                        rates.Add(rate);
                        Console.WriteLine($"round {round + 1}: {(gso ? "GSO" : "sendmmsg")} → {receiver.Title}: {rate:N0} datagrams/s received (sent {match.Groups[2].Value})");
                    }

                    rows.Add((gso ? "C blast, UDP GSO (64 segments per send)" : "C blast, sendmmsg (64 per call)", receiver.Title, rates));
                }
            }

            var baseline = Median(rows[1].Rates);
            var table = new StringBuilder();
            table.AppendLine(CultureInfo.InvariantCulture, $"| sender | receiver | datagrams/s received (median) | min–max | × sendmmsg → GRO off |");
            table.AppendLine("|---|---|---:|---:|---:|");
            foreach (var (sender, receiver, rates) in rows)
            {
                var median = Median(rates);
                table.AppendLine(CultureInfo.InvariantCulture,
                    $"| {sender} | {receiver} | {median:N0} | {(rates.Count == 0 ? "–" : $"{rates.Min():N0}–{rates.Max():N0}")} | {(baseline > 0 ? median / baseline : 0):0.00} |");
            }

            Console.WriteLine();
            Console.WriteLine($"bulk stream, {size}-byte datagrams, {rounds} round(s) of {seconds.ToString(CultureInfo.InvariantCulture)} s, receiver on CPU 0, sender on CPU 1; load average after: {MachineInfo.LoadAverage()}");
            Console.WriteLine(table);
            var output = Path.Combine(root, "artifacts", "benchmarks", "stream.md");
            Directory.CreateDirectory(Path.GetDirectoryName(output)!);
            File.WriteAllText(output, table.ToString());
            Console.WriteLine($"wrote {output}");
            return 0;
        }
        finally
        {
            Directory.Delete(native, recursive: true);
        }
    }

    private static double Median(List<double> values)
    {
        if (values.Count == 0)
        {
            return 0;
        }

        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }

    [GeneratedRegex(@"RESULT mode=\w+ size=\d+ seconds=([\d.]+) sent=(\d+)")]
    private static partial Regex ResultLine();
}
