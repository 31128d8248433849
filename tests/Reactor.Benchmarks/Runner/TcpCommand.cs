using System.Globalization;
using System.Text;

namespace Reactor.Benchmarks.Runner;

/// <summary>
/// <c>tcp</c>: the TCP echo benchmark. Round by round, every server (C epoll, Reactor's TcpEcho on epoll, through the
/// pipe edge and on the portable backend, Kestrel, the raw .NET socket loop, Node, Twisted) is started pinned to one CPU
/// and driven by <c>c/tcpload.c</c> pinned to the other, one scenario at a time, with a fresh server process for each.
/// Prints and writes the tables: rate, round-trip times, the server's CPU per message, its allocations per message (or
/// per connection), ratios to C epoll and to Kestrel from the same run, and the idle memory per connection.
/// See docs/performance.md for the method.
/// </summary>
internal static class TcpCommand
{
    private const string CReference = "c-epoll";
    private const string KestrelReference = "kestrel";

    /// <summary>Defaults that keep the whole table near six minutes on two cores (3 rounds × 8 servers × 5 loads + idle).</summary>
    private const double DefaultSeconds = 1.5;
    private const double DefaultWarmup = 0.5;

    /// <summary>Servers run only when named in --servers.</summary>
    private static readonly string[] OptIn = ["kestrel-inline"];

    private static readonly TcpScenario[] AllScenarios =
    [
        new("pingpong", "ping-pong, 1 conn × 1 × 64 B", "echo", 1, 1, 64, "echoes/s"),
        new("pipelined", "pipelined, 64 conns × 16 × 64 B", "echo", 64, 16, 64, "msg/s"),
        new("4k", "4 KiB, 16 conns × 4 × 4 KiB", "echo", 16, 4, 4096, "msg/s"),
        new("bulk", "bulk, 1 conn × 8 × 64 KiB", "echo", 1, 8, 65536, "MB/s"),
        new("connect", "connect + 64 B echo + close, 16 workers", "connect", 16, 1, 64, "conn/s"),
        new("idle", "idle memory", "idle", 10_000, 1, 64, "B/conn"),
    ];

    public static int Execute(string[] args)
    {
        var usage = StreamRunOptions.Usage(
            "tcp",
            "c-epoll, reactor-epoll, reactor-pipe, reactor-portable, kestrel, kestrel-inline, dotnet-socket, node, twisted",
            string.Join(", ", AllScenarios.Select(s => s.Key)),
            """
              --idle-connections N  connections of the idle scenario (default 10000)
              --idle-rounds N    rounds that run the idle scenario (default 1: the first)
              (kestrel-inline runs only when named in --servers)
            """,
            DefaultSeconds,
            DefaultWarmup);
        var options = StreamRunOptions.Parse(args, usage, DefaultSeconds, DefaultWarmup);
        if (options is null)
        {
            return 2;
        }

#if DEBUG
        Console.Error.WriteLine("error: build the benchmarks in Release: dotnet run -c Release --project tests/Reactor.Benchmarks -- tcp");
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

        var native = Directory.CreateTempSubdirectory("reactor-tcp-").FullName;
        try
        {
            var dotnet = ToolPaths.FindDotnet();
            var tcpEcho = Path.Combine(root, "samples", "TcpEcho", "bin", "Release", "net10.0", "TcpEcho.dll");
            if (ToolPaths.CompileNative(root, "tcp_echo", native) is not { } cEcho || ToolPaths.CompileNative(root, "tcpload", native) is not { } load)
            {
                return 1;
            }

            if (options.Build && !StreamBench.BuildProjects(dotnet, [Path.Combine(root, "samples", "TcpEcho", "TcpEcho.csproj")]))
            {
                return 1;
            }

            if (!File.Exists(tcpEcho))
            {
                Console.Error.WriteLine($"error: {tcpEcho} is missing (run without --no-build)");
                return 1;
            }

            // The optional baselines: installed when missing (as root), skipped with a note otherwise.
            if (options.Wants(options.Servers, "twisted"))
            {
                Prerequisites.Ensure("Twisted", () => ExternalCommand.FirstLine(ToolPaths.DefaultPython, "-c", "import twisted; print(twisted.__version__)") is not null, "python3-twisted", required: false);
            }

            if (options.Wants(options.Servers, "node"))
            {
                Prerequisites.Ensure(["node"], "nodejs", required: false);
            }

            var servers = Servers(root, dotnet, cEcho, tcpEcho).Where(s => options.Wants(options.Servers, s.Key, OptIn)).ToList();
            var scenarios = AllScenarios
                .Where(s => options.Wants(options.Scenarios, s.Key) && (s.Mode != "idle" || options.IdleRounds > 0))
                .Select(s => s.Mode == "idle" ? s with { Connections = options.IdleConnections } : s)
                .ToList();
            var twisted = StreamBench.Version(ToolPaths.DefaultPython, "-c", "import twisted; print(twisted.__version__)");
            var node = StreamBench.OnPath("node") is { } n ? StreamBench.Version(n, "--version") : null;
            var machine = MachineInfo.Read(new ToolPaths
            {
                RepositoryRoot = root,
                NativeDirectory = native,
                Dotnet = dotnet,
                EchoDll = tcpEcho,
                BenchmarksDll = typeof(TcpCommand).Assembly.Location,
                Python = ToolPaths.DefaultPython,
                TwistedScript = string.Empty,
            }, twisted);
            var extra = $", Node {node ?? "not installed"}, Kestrel {StreamBench.KestrelVersion()}";
            var loadBefore = MachineInfo.LoadAverage();
            var started = DateTimeOffset.Now;
            Console.WriteLine($"machine: {machine}{extra}");
            Console.WriteLine($"load average before: {loadBefore}");
            Console.WriteLine($"plan: {options.Rounds} round(s) × {servers.Count(s => s.SkipReason is null)} server(s) × {scenarios.Count} scenario(s), {options.Warmup.ToString(CultureInfo.InvariantCulture)} s warm-up + {options.Seconds.ToString(CultureInfo.InvariantCulture)} s each");

            var results = new List<TcpRound>();
            for (var round = 1; round <= options.Rounds; round++)
            {
                foreach (var scenario in scenarios.Where(s => s.Mode != "idle" || round <= options.IdleRounds))
                {
                    foreach (var server in servers.Where(s => s.SkipReason is null))
                    {
                        Console.Write($"round {round}: {server.Title}, {scenario.Title}: ");
                        var result = scenario.Mode == "idle"
                            ? MeasureIdle(server, scenario, load, options, round)
                            : MeasureLoad(server, scenario, load, options, round);
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
            var output = options.Output ?? Path.Combine(root, "artifacts", "benchmarks", "tcp.md");
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(output))!);
            File.WriteAllText(output, StreamBench.Header("tcp", options, machine, started, loadBefore, loadAfter, extra) + Environment.NewLine + markdown);
            WriteCsv(Path.ChangeExtension(output, ".csv"), results);
            Console.WriteLine($"wrote {output} and {Path.ChangeExtension(output, ".csv")}");
            return 0;
        }
        finally
        {
            Directory.Delete(native, recursive: true);
        }
    }

    private static List<ServerDefinition> Servers(string root, string dotnet, string cEcho, string tcpEcho)
    {
        var none = new Dictionary<string, string>();
        string[] listen = ["--port", "0", "--interface", ServerDefinition.Loopback];
        string[] echo = [tcpEcho, "--quiet", "--stats", .. listen];
        var self = typeof(TcpCommand).Assembly.Location;
        var bench = AppContext.BaseDirectory;
        var twisted = ExternalCommand.FirstLine(ToolPaths.DefaultPython, "-c", "import twisted; print(twisted.__version__)") is null
            ? $"{ToolPaths.DefaultPython} cannot import twisted (apt-get install python3-twisted)"
            : null;
        var node = StreamBench.OnPath("node");
        return
        [
            new(CReference, "C epoll (level-triggered)", cEcho, listen, none, false),
            new("reactor-epoll", "Reactor TcpEcho, epoll", dotnet, echo, new Dictionary<string, string> { ["REACTOR_BACKEND"] = "epoll" }, true),
            new("reactor-pipe", "Reactor TcpEcho --pipe, epoll", dotnet, [.. echo, "--pipe"], new Dictionary<string, string> { ["REACTOR_BACKEND"] = "epoll" }, true),
            new("reactor-portable", "Reactor TcpEcho, portable", dotnet, echo, new Dictionary<string, string> { ["REACTOR_BACKEND"] = "portable" }, true),
            new(KestrelReference, "Kestrel ConnectionHandler", dotnet, [self, "kestrel-echo", "--stats", .. listen], none, true),
            new(
                "kestrel-inline",
                "Kestrel, inline scheduling",
                dotnet,
                [self, "kestrel-echo", "--stats", "--inline", .. listen],
                new Dictionary<string, string> { ["DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS"] = "1" },
                true),
            new("dotnet-socket", ".NET async Socket", dotnet, [self, "socket-tcp-echo", "--stats", .. listen], none, true),
            new("node", "Node net", node ?? "node", [Path.Combine(bench, "node", "tcp_echo.js"), .. listen], none, false, node is null ? "node is not installed (apt-get install nodejs)" : null),
            new("twisted", "Twisted (epollreactor)", ToolPaths.DefaultPython, [Path.Combine(bench, "python", "twisted_tcp_echo.py"), .. listen], none, false, twisted),
        ];
    }

    private static TcpRound MeasureLoad(ServerDefinition definition, TcpScenario scenario, string load, StreamRunOptions options, int round)
    {
        try
        {
            using var server = ServerProcess.Start(definition, options.ServerCpu);
            List<string> arguments =
            [
                "--port", server.Port.ToString(CultureInfo.InvariantCulture),
                "--mode", scenario.Mode,
                "--connections", scenario.Connections.ToString(CultureInfo.InvariantCulture),
                "--window", scenario.Window.ToString(CultureInfo.InvariantCulture),
                "--size", scenario.Size.ToString(CultureInfo.InvariantCulture),
                "--warmup", options.Warmup.ToString(CultureInfo.InvariantCulture),
                "--seconds", options.Seconds.ToString(CultureInfo.InvariantCulture),
            ];
            var (code, stdout, stderr, cpu) = StreamBench.RunLoad(server, options.Warmup, options.LoadGeneratorCpu, load, arguments, TimeSpan.FromSeconds(options.Warmup + options.Seconds + 30));
            var stats = server.StopAndReadStatistics();
            var result = StreamLoad.Parse(stdout);
            if (code != 0 || result is null)
            {
                return TcpRound.Failed(definition.Key, scenario.Key, round, $"load generator exit {code}: {stderr.Trim()} (server: {server.Stderr})");
            }

            return new TcpRound(definition.Key, scenario.Key, round, result, cpu.TotalSeconds / options.Seconds, stats, null, null, null);
        }
        catch (InvalidOperationException e)
        {
            return TcpRound.Failed(definition.Key, scenario.Key, round, e.Message);
        }
    }

    /// <summary>
    /// Idle memory: the server is warmed up (0.5 s of connection churn, so the accept and echo paths are compiled and
    /// their pools filled), its resident set read, then N connections opened (one echo each) and held; 2 s after the
    /// last is established the resident set is read again. The difference over N is the cost of an idle connection.
    /// </summary>
    private static TcpRound MeasureIdle(ServerDefinition definition, TcpScenario scenario, string load, StreamRunOptions options, int round)
    {
        try
        {
            using var server = ServerProcess.Start(definition, options.ServerCpu);
            var port = server.Port.ToString(CultureInfo.InvariantCulture);
            var (warmCode, _, warmError) = StreamBench.RunPinned(options.LoadGeneratorCpu, load, ["--port", port, "--mode", "connect", "--warmup", "0", "--seconds", "0.5"], TimeSpan.FromSeconds(30));
            if (warmCode != 0)
            {
                return TcpRound.Failed(definition.Key, scenario.Key, round, $"warm-up failed: {warmError.Trim()}");
            }

            Thread.Sleep(TimeSpan.FromSeconds(1));
            var before = server.ResidentBytes();
            using var idle = new StreamingProcess("taskset", [
                "-c", options.LoadGeneratorCpu.ToString(CultureInfo.InvariantCulture), load,
                "--port", port, "--mode", "idle", "--connections", scenario.Connections.ToString(CultureInfo.InvariantCulture), "--hold", "3"]);
            if (idle.WaitForLine("IDLE", TimeSpan.FromSeconds(150)) is null)
            {
                idle.WaitForExit(TimeSpan.FromSeconds(5));
                return TcpRound.Failed(definition.Key, scenario.Key, round, $"the connections were not all established: {idle.Stderr}");
            }

            Thread.Sleep(TimeSpan.FromSeconds(2));
            var after = server.ResidentBytes();
            var (code, stdout) = idle.WaitForExit(TimeSpan.FromSeconds(30));
            server.StopAndReadStatistics();
            var result = StreamLoad.Parse(stdout);
            if (code != 0 || result is null)
            {
                return TcpRound.Failed(definition.Key, scenario.Key, round, $"idle load generator exit {code}: {idle.Stderr}");
            }

            if (result.Errors > 0)
            {
                return TcpRound.Failed(definition.Key, scenario.Key, round, $"the server closed {result.Errors} idle connections");
            }

            return new TcpRound(definition.Key, scenario.Key, round, result, null, null, before, after, null);
        }
        catch (InvalidOperationException e)
        {
            return TcpRound.Failed(definition.Key, scenario.Key, round, e.Message);
        }
    }

    private static (string Text, string Markdown) Tables(List<TcpRound> results, List<ServerDefinition> servers, List<TcpScenario> scenarios)
    {
        var throughput = new TextTable("server", "scenario", "rate (median)", "min–max", "p50 µs", "p99 µs", "× C epoll", "× Kestrel", "server CPU", "CPU µs/msg", "B alloc/msg", "rounds");
        var idle = new TextTable("server", "scenario", "RSS idle process (KiB)", "RSS with connections (KiB)", "RSS per connection (B)", "rounds");
        foreach (var scenario in scenarios)
        {
            double? Reference(string key) => TextTable.Median(results.Where(r => r.Server == key && r.Scenario == scenario.Key && r.Load is not null).Select(r => r.Value(scenario)));
            var c = Reference(CReference);
            var kestrel = Reference(KestrelReference);
            var table = scenario.Mode == "idle" ? idle : throughput;
            foreach (var server in servers)
            {
                var title = scenario.Mode == "idle" ? $"{scenario.Title}, {scenario.Connections:N0} conns" : $"{scenario.Title} ({scenario.Unit})";
                if (server.SkipReason is not null)
                {
                    table.Add(server.Title, title, $"skipped: {server.SkipReason}");
                    continue;
                }

                var rounds = results.Where(r => r.Server == server.Key && r.Scenario == scenario.Key).ToList();
                var good = rounds.Where(r => r.Load is not null).ToList();
                if (good.Count == 0)
                {
                    table.Add(server.Title, title, $"failed: {rounds.Select(r => r.Error).FirstOrDefault()}");
                    continue;
                }

                if (scenario.Mode == "idle")
                {
                    idle.Add(
                        server.Title,
                        title,
                        TextTable.Number(TextTable.Median(good.Select(r => r.RssBefore!.Value / 1024.0))),
                        TextTable.Number(TextTable.Median(good.Select(r => r.RssAfter!.Value / 1024.0))),
                        TextTable.Number(TextTable.Median(good.Select(r => (r.RssAfter!.Value - r.RssBefore!.Value) / (double)scenario.Connections))),
                        good.Count.ToString(CultureInfo.InvariantCulture));
                    continue;
                }

                var median = TextTable.Median(good.Select(r => r.Value(scenario)));
                var messages = good.Sum(r => r.Load!.Received);
                var cpu = TextTable.Median(good.Select(r => r.CpuShare ?? double.NaN));
                var cpuPerMessage = TextTable.Median(good.Select(r => r.CpuShare is { } share && r.Load!.Rate > 0 ? share * 1e6 / r.Load.Rate : double.NaN));
                var statsMessages = good.Sum(r => r.Stats is { } s && s.TryGetValue("bytes", out var b) ? b / scenario.Size : 0);
                var allocated = good.Sum(r => r.Stats is { } s && s.TryGetValue("allocated_bytes", out var a) ? a : 0);
                var failed = rounds.Count - good.Count;
                throughput.Add(
                    server.Title,
                    title,
                    TextTable.Number(median, scenario.Unit == "MB/s" ? "N1" : "N0"),
                    $"{TextTable.Number(good.Min(r => r.Value(scenario)))}–{TextTable.Number(good.Max(r => r.Value(scenario)))}",
                    TextTable.Number(TextTable.Median(good.Select(r => r.Load!.P50)), "N1"),
                    TextTable.Number(TextTable.Median(good.Select(r => r.Load!.P99)), "N1"),
                    server.Key == CReference ? "1.00 (ref)" : TextTable.Number(median / c, "N2"),
                    server.Key == KestrelReference ? "1.00 (ref)" : TextTable.Number(median / kestrel, "N2"),
                    cpu is { } share ? $"{share * 100:N0} %" : "–",
                    TextTable.Number(cpuPerMessage, "N2"),
                    server.ReportsAllocations && statsMessages > 0 ? TextTable.Number(allocated / (double)statsMessages, "N2") : "–",
                    failed > 0 ? $"{good.Count} ({failed} failed)" : good.Count.ToString(CultureInfo.InvariantCulture));
                _ = messages;
            }

            table.Separator();
        }

        var text = throughput.ToText() + (idle.IsEmpty ? string.Empty : Environment.NewLine + idle.ToText());
        var markdown = new StringBuilder();
        markdown.AppendLine("- rate: the load generator's completed echoes (or connections) per second, median of the rounds; MB/s for bulk (echoed bytes). × C epoll, × Kestrel: the median's ratio to theirs, same scenario, same run.");
        markdown.AppendLine("- server CPU: the server process's CPU time (all threads, /proc) over the measured seconds; CPU µs/msg: that time per echo (per connection for connect, per 64 KiB for bulk). A C server below 100 % is limited by the load generator, not by itself.");
        markdown.AppendLine("- B alloc/msg: bytes the .NET server process allocated per echoed message in its steady-state window (per connection for connect), from its --stats line.");
        markdown.AppendLine();
        markdown.Append(throughput.ToMarkdown());
        if (!idle.IsEmpty)
        {
            markdown.AppendLine();
            markdown.AppendLine("- RSS per connection: the server's resident set (VmRSS) with the connections open and idle, less the resident set of the same process warmed up and idle, over the connections. Kernel socket memory is not in it (the C server's per-connection state is all in the kernel).");
            markdown.AppendLine();
            markdown.Append(idle.ToMarkdown());
        }
        foreach (var failure in results.Where(r => r.Error is not null))
        {
            markdown.AppendLine();
            markdown.AppendLine(CultureInfo.InvariantCulture, $"Note — round {failure.Round}, {failure.Server}, {failure.Scenario}: {failure.Error}");
        }

        return (text, markdown.ToString());
    }

    private static void WriteCsv(string path, List<TcpRound> results)
    {
        var csv = new StringBuilder("round,server,scenario,rate,mbps,p50_us,p99_us,received,server_cpu_share,messages,bytes,allocated_bytes,rss_before,rss_after,error\n");
        foreach (var r in results)
        {
            long? Stat(string name) => r.Stats is { } s && s.TryGetValue(name, out var v) ? v : null;
            csv.AppendLine(string.Create(
                CultureInfo.InvariantCulture,
                $"{r.Round},{r.Server},{r.Scenario},{r.Load?.Rate},{r.Load?.MegabytesPerSecond},{r.Load?.P50},{r.Load?.P99},{r.Load?.Received},{r.CpuShare},{Stat("messages")},{Stat("bytes")},{Stat("allocated_bytes")},{r.RssBefore},{r.RssAfter},\"{r.Error?.Replace("\"", "'", StringComparison.Ordinal)}\""));
        }

        File.WriteAllText(path, csv.ToString());
    }

    /// <summary>One load shape of the TCP table.</summary>
    private sealed record TcpScenario(string Key, string Title, string Mode, int Connections, int Window, int Size, string Unit);

    /// <summary>One round of one server in one scenario.</summary>
    private sealed record TcpRound(
        string Server,
        string Scenario,
        int Round,
        StreamLoad? Load,
        double? CpuShare,
        IReadOnlyDictionary<string, long>? Stats,
        long? RssBefore,
        long? RssAfter,
        string? Error)
    {
        public static TcpRound Failed(string server, string scenario, int round, string error) =>
            new(server, scenario, round, null, null, null, null, null, error.Split('\n')[0]);

        /// <summary>The figure the table ranks by: MB/s for bulk, the rate otherwise.</summary>
        public double Value(TcpScenario scenario) => Load is null ? double.NaN : scenario.Unit == "MB/s" ? Load.MegabytesPerSecond : Load.Rate;

        public string Describe(TcpScenario scenario)
        {
            if (Error is not null)
            {
                return $"FAILED: {Error}";
            }

            if (RssBefore is { } before && RssAfter is { } after)
            {
                return string.Create(CultureInfo.InvariantCulture, $"RSS {before / 1024:N0} KiB idle, {after / 1024:N0} KiB with {scenario.Connections:N0} connections: {(after - before) / (double)scenario.Connections:N0} B per connection");
            }

            var allocation = Stats is { } s && s.TryGetValue("bytes", out var bytes) && bytes > 0 && s.TryGetValue("allocated_bytes", out var allocated)
                ? string.Create(CultureInfo.InvariantCulture, $", {allocated / (double)(bytes / scenario.Size):N2} B alloc/msg")
                : string.Empty;
            return string.Create(
                CultureInfo.InvariantCulture,
                $"{Value(scenario):N0} {scenario.Unit}, p50 {Load!.P50:N1} µs, p99 {Load.P99:N1} µs, server CPU {CpuShare * 100:N0} %{allocation}");
        }
    }
}
