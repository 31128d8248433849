using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Reactor.Benchmarks.Runner;

/// <summary>
/// Multi-core scaling: the echo load (64-byte datagrams, 16 sockets so SO_REUSEPORT can spread senders) against a
/// <see cref="ReactorGroup"/> of 1 reactor on CPU 0 and of 2 reactors on CPUs 0 and 1. On a 2-core machine the load
/// generator shares the CPUs with the second reactor, so the figure shows how the load spreads more than the ceiling.
/// </summary>
internal static partial class ScaleCommand
{
    public static int Execute(string[] args)
    {
        var rounds = 3;
        var seconds = 3.0;
        var tcp = false;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--tcp":
                    tcp = true;
                    break;
                case "--rounds" when i + 1 < args.Length:
                    rounds = int.Parse(args[++i], CultureInfo.InvariantCulture);
                    break;
                case "--seconds" when i + 1 < args.Length:
                    seconds = double.Parse(args[++i], CultureInfo.InvariantCulture);
                    break;
                default:
                    Console.Error.WriteLine("usage: scale [--tcp] [--rounds 3] [--seconds 3]");
                    return 2;
            }
        }

        var root = ToolPaths.FindRepositoryRoot();
        if (root is null)
        {
            Console.Error.WriteLine("error: cannot find the repository (Reactor.sln)");
            return 1;
        }

        if (tcp)
        {
            return ExecuteTcp(root, rounds, seconds);
        }

        var native = Directory.CreateTempSubdirectory("reactor-scale-").FullName;
        try
        {
            var loadgen = ToolPaths.CompileNative(root, "loadgen", native);
            if (loadgen is null)
            {
                return 1;
            }

            var dotnet = ToolPaths.FindDotnet();
            var self = typeof(ScaleCommand).Assembly.Location;
            var table = new StringBuilder("| reactors | CPUs (server) | datagrams/s (median) | min–max | share per reactor (last round) | × 1 reactor |\n|---:|---|---:|---:|---|---:|\n");
            double? single = null;
            foreach (var (reactors, cpus) in new[] { (1, "0"), (2, "0,1") })
            {
                var rates = new List<double>();
                var shares = "";
                for (var round = 0; round < rounds; round++)
                {
                    var start = new ProcessStartInfo("taskset") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
                    foreach (var argument in new[] { "-c", cpus, dotnet, self, "group-echo", "--reactors", reactors.ToString(CultureInfo.InvariantCulture) })
                    {
                        start.ArgumentList.Add(argument);
                    }

                    using var server = Process.Start(start)!;
                    var ready = server.StandardOutput.ReadLine() ?? "";
                    var port = ReadyLine().Match(ready).Groups[1].Value;
                    var (code, stdout, error) = ExternalCommand.Run(
                        "taskset",
                        ["-c", "1", loadgen, "--port", port, "--size", "64", "--window", "64", "--sockets", "16", "--warmup", "1", "--seconds", seconds.ToString(CultureInfo.InvariantCulture)],
                        TimeSpan.FromSeconds(seconds + 30));
                    Posix.Terminate(server.Id);
                    if (!server.WaitForExit(15_000))
                    {
                        server.Kill();
                    }

                    shares = ShareLine().Match(server.StandardOutput.ReadToEnd()).Groups[1].Value;
                    var rate = RateField().Match(stdout);
                    if (code != 0 || !rate.Success)
                    {
                        Console.Error.WriteLine($"round {round + 1} with {reactors} reactor(s) failed: {error}");
                        continue;
                    }

                    rates.Add(double.Parse(rate.Groups[1].Value, CultureInfo.InvariantCulture));
                    Console.WriteLine($"round {round + 1}: {reactors} reactor(s) on CPU {cpus}: {rates[^1]:N0}/s (per reactor: {shares})");
                }

                var median = rates.Count == 0 ? 0 : rates.Order().ElementAt(rates.Count / 2);
                single ??= median;
                table.Append(CultureInfo.InvariantCulture,
                    $"| {reactors} | {cpus} | {median:N0} | {(rates.Count == 0 ? "–" : $"{rates.Min():N0}–{rates.Max():N0}")} | {shares} | {median / single.Value:0.00} |\n");
            }

            Console.WriteLine();
            Console.WriteLine($"echo 64 B, W=64 over 16 sockets, load generator on CPU 1; load average after: {MachineInfo.LoadAverage()}");
            Console.WriteLine(table);
            var output = Path.Combine(root, "artifacts", "benchmarks", "scale.md");
            Directory.CreateDirectory(Path.GetDirectoryName(output)!);
            File.WriteAllText(output, table.ToString());
            return 0;
        }
        finally
        {
            Directory.Delete(native, recursive: true);
        }
    }

    /// <summary>
    /// TCP: a group of 1 reactor (CPU 0) and of 2 (CPUs 0 and 1) with SO_REUSEPORT (ReactorGroup.ListenTcp), and of 2
    /// with one acceptor thread handing connections round-robin; under two loads from tcpload on CPU 1: 16 connections
    /// echoing 64 B with 4 in flight each (throughput, and how evenly the connections spread), and 16 workers each
    /// connecting, echoing 64 B and closing (the accept path, where the hand-off costs per connection).
    /// </summary>
    private static int ExecuteTcp(string root, int rounds, double seconds)
    {
        var native = Directory.CreateTempSubdirectory("reactor-scale-tcp-").FullName;
        try
        {
            var tcpload = ToolPaths.CompileNative(root, "tcpload", native);
            if (tcpload is null)
            {
                return 1;
            }

            var dotnet = ToolPaths.FindDotnet();
            var self = typeof(ScaleCommand).Assembly.Location;
            var configurations = new (int Reactors, string Cpus, string Accept)[] { (1, "0", "reuseport"), (2, "0,1", "reuseport"), (2, "0,1", "handoff") };
            var loads = new[]
            {
                (Name: "echo 64 B, 16 connections × 4 in flight (messages/s)", Arguments: new[] { "--mode", "echo", "--connections", "16", "--window", "4", "--size", "64" }),
                ("connect, echo 64 B, close; 16 workers (connections/s)", ["--mode", "connect", "--connections", "16", "--size", "64"]),
            };
            var table = new StringBuilder("| load | reactors | accept | median | min–max | connections per reactor (last round) | × 1 reactor |\n|---|---:|---|---:|---:|---|---:|\n");
            foreach (var load in loads)
            {
                double? single = null;
                foreach (var (reactors, cpus, accept) in configurations)
                {
                    var rates = new List<double>();
                    var shares = "";
                    for (var round = 0; round < rounds; round++)
                    {
                        var start = new ProcessStartInfo("taskset") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
                        foreach (var argument in new[] { "-c", cpus, dotnet, self, "group-tcp-echo", "--reactors", reactors.ToString(CultureInfo.InvariantCulture), "--accept", accept })
                        {
                            start.ArgumentList.Add(argument);
                        }

                        using var server = Process.Start(start)!;
                        var port = ReadyLine().Match(server.StandardOutput.ReadLine() ?? "").Groups[1].Value;
                        string[] loadArguments = ["-c", "1", tcpload, "--port", port, .. load.Arguments, "--warmup", "1", "--seconds", seconds.ToString(CultureInfo.InvariantCulture)];
                        var (code, stdout, error) = ExternalCommand.Run("taskset", loadArguments, TimeSpan.FromSeconds(seconds + 30));
                        Posix.Terminate(server.Id);
                        if (!server.WaitForExit(15_000))
                        {
                            server.Kill();
                        }

                        shares = ConnectionShareLine().Match(server.StandardOutput.ReadToEnd()).Groups[1].Value;
                        var rate = RateField().Match(stdout);
                        if (code != 0 || !rate.Success)
                        {
                            Console.Error.WriteLine($"round {round + 1}, {reactors} reactor(s), {accept}: failed: {error}{stdout}");
                            continue;
                        }

                        rates.Add(double.Parse(rate.Groups[1].Value, CultureInfo.InvariantCulture));
                        Console.WriteLine($"{load.Name}: round {round + 1}: {reactors} reactor(s), {accept}, CPU {cpus}: {rates[^1]:N0}/s (connections per reactor: {shares})");
                    }

                    var median = rates.Count == 0 ? 0 : rates.Order().ElementAt(rates.Count / 2);
                    single ??= median;
                    table.Append(CultureInfo.InvariantCulture,
                        $"| {load.Name} | {reactors} | {(reactors == 1 ? "–" : accept)} | {median:N0} | {(rates.Count == 0 ? "–" : $"{rates.Min():N0}–{rates.Max():N0}")} | {shares} | {(single.Value > 0 ? median / single.Value : 0):0.00} |\n");
                }
            }

            Console.WriteLine();
            Console.WriteLine($"TCP, server on CPUs as listed, tcpload on CPU 1; load average after: {MachineInfo.LoadAverage()}");
            Console.WriteLine(table);
            var output = Path.Combine(root, "artifacts", "benchmarks", "scale-tcp.md");
            Directory.CreateDirectory(Path.GetDirectoryName(output)!);
            File.WriteAllText(output, table.ToString());
            return 0;
        }
        finally
        {
            Directory.Delete(native, recursive: true);
        }
    }

    [GeneratedRegex(@"per-reactor connections: ([\d,]+)")]
    private static partial Regex ConnectionShareLine();

    [GeneratedRegex(@"^Echo starting on (\d+)$")]
    private static partial Regex ReadyLine();

    [GeneratedRegex(@"per-reactor datagrams: ([\d,]+)")]
    private static partial Regex ShareLine();

    [GeneratedRegex(@"rate=([\d.]+)")]
    private static partial Regex RateField();
}
