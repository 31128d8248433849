using System.Globalization;
using System.Text;

namespace Reactor.Benchmarks.Runner;

/// <summary>
/// <c>tls</c>: TLS 1.3 against Reactor's <c>ListenSsl</c> (the benchmark's <c>tls-echo</c>, on epoll and on the portable
/// backend) and Kestrel's <c>UseHttps</c> in front of the same ConnectionHandler echo as the TCP table. Each server is
/// pinned to one CPU, the .NET TLS client (<c>tls-load</c>, this program) to the other; a fresh server per round and
/// scenario: full handshakes one at a time and 16 in parallel (connect, handshake, one 64-byte echo, close; no
/// resumption), ping-pong of 64 bytes, bulk of 64 KiB writes. Ratios are to Kestrel, same run.
/// </summary>
internal static class TlsCommand
{
    private const string KestrelReference = "kestrel-tls";

    /// <summary>A longer warm-up than the TCP table's: the .NET TLS client and both servers JIT their handshake paths.</summary>
    private const double DefaultWarmup = 2;

    private static readonly TlsScenario[] AllScenarios =
    [
        new("handshake", "handshakes, 1 at a time", "handshake", 1, 1, 64, "hs/s"),
        new("handshake16", "handshakes, 16 in parallel", "handshake", 16, 1, 64, "hs/s"),
        new("pingpong", "ping-pong, 1 conn × 1 × 64 B", "pingpong", 1, 1, 64, "echoes/s"),
        new("bulk", "bulk, 1 conn × 8 × 64 KiB", "bulk", 1, 8, 65536, "MB/s"),
    ];

    public static int Execute(string[] args)
    {
        var usage = StreamRunOptions.Usage(
            "tls",
            "reactor-tls, reactor-tls-portable, kestrel-tls",
            string.Join(", ", AllScenarios.Select(s => s.Key)),
            string.Empty,
            warmup: DefaultWarmup);
        var options = StreamRunOptions.Parse(args, usage, warmup: DefaultWarmup);
        if (options is null)
        {
            return 2;
        }

#if DEBUG
        Console.Error.WriteLine("error: build the benchmarks in Release: dotnet run -c Release --project tests/Reactor.Benchmarks -- tls");
        return 2;
#else
        return Run(options);
#endif
    }

    private static int Run(StreamRunOptions options)
    {
        var root = ToolPaths.FindRepositoryRoot();
        if (root is null)
        {
            Console.Error.WriteLine("error: cannot find the repository (Reactor.sln)");
            return 1;
        }

        var dotnet = ToolPaths.FindDotnet();
        var self = typeof(TlsCommand).Assembly.Location;
        string[] listen = ["--port", "0", "--interface", ServerDefinition.Loopback, "--stats"];
        var none = new Dictionary<string, string>();
        var servers = new List<ServerDefinition>
        {
            new("reactor-tls", "Reactor ListenSsl, epoll", dotnet, [self, "tls-echo", .. listen], new Dictionary<string, string> { ["REACTOR_BACKEND"] = "epoll" }, true),
            new("reactor-tls-portable", "Reactor ListenSsl, portable", dotnet, [self, "tls-echo", .. listen], new Dictionary<string, string> { ["REACTOR_BACKEND"] = "portable" }, true),
            new(KestrelReference, "Kestrel UseHttps + ConnectionHandler", dotnet, [self, "kestrel-echo", "--tls", .. listen], none, true),
        }.Where(s => options.Wants(options.Servers, s.Key)).ToList();
        var scenarios = AllScenarios.Where(s => options.Wants(options.Scenarios, s.Key)).ToList();
        var openssl = StreamBench.Version("openssl", "version") ?? "openssl not found";
        var machine = MachineInfo.Read(new ToolPaths
        {
            RepositoryRoot = root,
            NativeDirectory = string.Empty,
            Dotnet = dotnet,
            EchoDll = self,
            BenchmarksDll = self,
            Python = ToolPaths.DefaultPython,
            TwistedScript = string.Empty,
        }, null);
        var extra = $", {openssl}, Kestrel {StreamBench.KestrelVersion()}";
        var loadBefore = MachineInfo.LoadAverage();
        var started = DateTimeOffset.Now;
        Console.WriteLine($"machine: {machine}{extra}");
        Console.WriteLine($"load average before: {loadBefore}");
        Console.WriteLine($"plan: {options.Rounds} round(s) × {servers.Count} server(s) × {scenarios.Count} scenario(s), {options.Warmup.ToString(CultureInfo.InvariantCulture)} s warm-up + {options.Seconds.ToString(CultureInfo.InvariantCulture)} s each");

        var results = new List<TlsRound>();
        for (var round = 1; round <= options.Rounds; round++)
        {
            foreach (var scenario in scenarios)
            {
                foreach (var server in servers)
                {
                    Console.Write($"round {round}: {server.Title}, {scenario.Title}: ");
                    var result = Measure(server, scenario, dotnet, self, options, round);
                    Console.WriteLine(result.Describe(scenario));
                    results.Add(result);
                }
            }
        }

        var loadAfter = MachineInfo.LoadAverage();
        var (text, markdown) = Tables(results, servers, scenarios);
        Console.WriteLine();
        Console.WriteLine(text);
        Console.WriteLine($"load average after: {loadAfter}");
        var output = options.Output ?? Path.Combine(root, "artifacts", "benchmarks", "tls.md");
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(output))!);
        File.WriteAllText(output, StreamBench.Header("tls", options, machine, started, loadBefore, loadAfter, extra) + Environment.NewLine + markdown);
        var csv = new StringBuilder("round,server,scenario,rate,mbps,p50_us,p99_us,received,server_cpu_share,messages,bytes,allocated_bytes,error\n");
        foreach (var r in results)
        {
            long? Stat(string name) => r.Stats is { } s && s.TryGetValue(name, out var v) ? v : null;
            csv.AppendLine(string.Create(
                CultureInfo.InvariantCulture,
                $"{r.Round},{r.Server},{r.Scenario},{r.Load?.Rate},{r.Load?.MegabytesPerSecond},{r.Load?.P50},{r.Load?.P99},{r.Load?.Received},{r.CpuShare},{Stat("messages")},{Stat("bytes")},{Stat("allocated_bytes")},\"{r.Error?.Replace("\"", "'", StringComparison.Ordinal)}\""));
        }

        File.WriteAllText(Path.ChangeExtension(output, ".csv"), csv.ToString());
        Console.WriteLine($"wrote {output} and {Path.ChangeExtension(output, ".csv")}");
        return 0;
    }

    private static TlsRound Measure(ServerDefinition definition, TlsScenario scenario, string dotnet, string self, StreamRunOptions options, int round)
    {
        try
        {
            using var server = ServerProcess.Start(definition, options.ServerCpu);
            List<string> arguments =
            [
                self, "tls-load",
                "--port", server.Port.ToString(CultureInfo.InvariantCulture),
                "--mode", scenario.Mode,
                "--connections", scenario.Connections.ToString(CultureInfo.InvariantCulture),
                "--window", scenario.Window.ToString(CultureInfo.InvariantCulture),
                "--size", scenario.Size.ToString(CultureInfo.InvariantCulture),
                "--warmup", options.Warmup.ToString(CultureInfo.InvariantCulture),
                "--seconds", options.Seconds.ToString(CultureInfo.InvariantCulture),
            ];
            var (code, stdout, stderr, cpu) = StreamBench.RunLoad(server, options.Warmup, options.LoadGeneratorCpu, dotnet, arguments, TimeSpan.FromSeconds(options.Warmup + options.Seconds + 60));
            var stats = server.StopAndReadStatistics();
            var result = StreamLoad.Parse(stdout);
            if (code != 0 || result is null)
            {
                return new TlsRound(definition.Key, scenario.Key, round, null, null, null, $"tls-load exit {code}: {stderr.Trim()} (server: {server.Stderr})".Split('\n')[0]);
            }

            return new TlsRound(definition.Key, scenario.Key, round, result, cpu.TotalSeconds / options.Seconds, stats, null);
        }
        catch (InvalidOperationException e)
        {
            return new TlsRound(definition.Key, scenario.Key, round, null, null, null, e.Message.Split('\n')[0]);
        }
    }

    private static (string Text, string Markdown) Tables(List<TlsRound> results, List<ServerDefinition> servers, List<TlsScenario> scenarios)
    {
        var table = new TextTable("server", "scenario", "rate (median)", "min–max", "p50 µs", "p99 µs", "× Kestrel", "server CPU", "CPU µs/op", "B alloc/op", "rounds");
        foreach (var scenario in scenarios)
        {
            var kestrel = TextTable.Median(results.Where(r => r.Server == KestrelReference && r.Scenario == scenario.Key && r.Load is not null).Select(r => r.Value(scenario)));
            foreach (var server in servers)
            {
                var title = $"{scenario.Title} ({scenario.Unit})";
                var rounds = results.Where(r => r.Server == server.Key && r.Scenario == scenario.Key).ToList();
                var good = rounds.Where(r => r.Load is not null).ToList();
                if (good.Count == 0)
                {
                    table.Add(server.Title, title, $"failed: {rounds.Select(r => r.Error).FirstOrDefault()}");
                    continue;
                }

                var median = TextTable.Median(good.Select(r => r.Value(scenario)));
                var cpuPerOp = TextTable.Median(good.Select(r => r.CpuShare is { } share && r.Load!.Rate > 0 ? share * 1e6 / r.Load.Rate : double.NaN));
                var operations = good.Sum(r => r.Stats is { } s && s.TryGetValue("bytes", out var b) ? b / scenario.Size : 0);
                var allocated = good.Sum(r => r.Stats is { } s && s.TryGetValue("allocated_bytes", out var a) ? a : 0);
                var failed = rounds.Count - good.Count;
                table.Add(
                    server.Title,
                    title,
                    TextTable.Number(median, scenario.Unit == "MB/s" ? "N1" : "N0"),
                    $"{TextTable.Number(good.Min(r => r.Value(scenario)))}–{TextTable.Number(good.Max(r => r.Value(scenario)))}",
                    // Bulk times no single message (a writer and a reader, 8 in flight): no percentiles.
                    scenario.Mode == "bulk" ? "–" : TextTable.Number(TextTable.Median(good.Select(r => r.Load!.P50)), "N1"),
                    scenario.Mode == "bulk" ? "–" : TextTable.Number(TextTable.Median(good.Select(r => r.Load!.P99)), "N1"),
                    server.Key == KestrelReference ? "1.00 (ref)" : TextTable.Number(median / kestrel, "N2"),
                    TextTable.Number(TextTable.Median(good.Select(r => r.CpuShare ?? double.NaN)) * 100, "N0") + " %",
                    TextTable.Number(cpuPerOp, "N2"),
                    operations > 0 ? TextTable.Number(allocated / (double)operations, "N0") : "–",
                    failed > 0 ? $"{good.Count} ({failed} failed)" : good.Count.ToString(CultureInfo.InvariantCulture));
            }

            table.Separator();
        }

        var markdown = new StringBuilder();
        markdown.AppendLine("- rate: the TLS client's completed operations per second (full TLS 1.3 handshakes, each with one 64-byte echo; echoes; MB/s of echoed bytes for bulk), median of the rounds; × Kestrel: the ratio to Kestrel's median, same scenario, same run.");
        markdown.AppendLine("- server CPU: the server process's CPU time (/proc, all threads) over the measured seconds; CPU µs/op: per handshake, per echo, per 64 KiB. The client is .NET's SslStream on the other CPU: where the server's CPU is well below 100 %, the client is the limit.");
        markdown.AppendLine("- B alloc/op: bytes the server process allocated per operation in its steady state (per connection for the handshakes), from its --stats line.");
        markdown.AppendLine();
        markdown.Append(table.ToMarkdown());
        foreach (var failure in results.Where(r => r.Error is not null))
        {
            markdown.AppendLine();
            markdown.AppendLine(CultureInfo.InvariantCulture, $"Note — round {failure.Round}, {failure.Server}, {failure.Scenario}: {failure.Error}");
        }

        return (table.ToText(), markdown.ToString());
    }

    private sealed record TlsScenario(string Key, string Title, string Mode, int Connections, int Window, int Size, string Unit);

    private sealed record TlsRound(string Server, string Scenario, int Round, StreamLoad? Load, double? CpuShare, IReadOnlyDictionary<string, long>? Stats, string? Error)
    {
        public double Value(TlsScenario scenario) => Load is null ? double.NaN : scenario.Unit == "MB/s" ? Load.MegabytesPerSecond : Load.Rate;

        public string Describe(TlsScenario scenario) => Error is not null
            ? $"FAILED: {Error}"
            : scenario.Mode == "bulk"
                ? string.Create(CultureInfo.InvariantCulture, $"{Value(scenario):N0} {scenario.Unit}, server CPU {CpuShare * 100:N0} %")
                : string.Create(CultureInfo.InvariantCulture, $"{Value(scenario):N0} {scenario.Unit}, p50 {Load!.P50:N1} µs, p99 {Load.P99:N1} µs, server CPU {CpuShare * 100:N0} %");
    }
}
