using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Reactor.Benchmarks.Runner;

/// <summary>
/// <c>resp</c>: redis-benchmark against samples/KeyValue (Reactor's RESP2 server) and Debian's redis-server, both
/// pinned to one CPU with redis-benchmark pinned to the other. Per round and pipelining depth a fresh server is started,
/// warmed up (SET and GET, a tenth of the requests), then each test (PING_INLINE, PING_MBULK, SET, GET) runs as its own
/// redis-benchmark so the server's CPU time per request is known per test. Ratios are to redis-server, same run.
/// </summary>
internal static class RespCommand
{
    private const string RedisReference = "redis";
    private const int Clients = 50;

    private static readonly string[] Tests = ["ping_inline", "ping_mbulk", "set", "get"];

    private static readonly RespScenario[] AllScenarios =
    [
        new("p16", "-c 50 -P 16", 16),
        new("p1", "-c 50 -P 1", 1),
    ];

    public static int Execute(string[] args)
    {
        var usage = StreamRunOptions.Usage(
            "resp",
            "keyvalue, keyvalue-portable, redis",
            string.Join(", ", AllScenarios.Select(s => s.Key)),
            """
              --requests N       requests per redis-benchmark test at -P 16 (default 1000000; a tenth at -P 1)
              (keyvalue-portable runs only when named in --servers)
            """);
        var options = StreamRunOptions.Parse(args, usage);
        if (options is null)
        {
            return 2;
        }

#if DEBUG
        Console.Error.WriteLine("error: build the benchmarks in Release: dotnet run -c Release --project tests/Reactor.Benchmarks -- resp");
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

        if (!Prerequisites.Ensure(["redis-server", "redis-benchmark"], "redis-server redis-tools"))
        {
            return 1;
        }

        var redisServer = StreamBench.OnPath("redis-server")!;
        var redisBenchmark = StreamBench.OnPath("redis-benchmark")!;
        var dotnet = ToolPaths.FindDotnet();
        var keyValue = Path.Combine(root, "samples", "KeyValue", "bin", "Release", "net10.0", "KeyValue.dll");
        if (options.Build && !StreamBench.BuildProjects(dotnet, [Path.Combine(root, "samples", "KeyValue", "KeyValue.csproj")]))
        {
            return 1;
        }

        if (!File.Exists(keyValue))
        {
            Console.Error.WriteLine($"error: {keyValue} is missing (run without --no-build)");
            return 1;
        }

        var redisVersion = StreamBench.Version(redisServer, "--version") is { } v && v.Split(' ').FirstOrDefault(f => f.StartsWith("v=", StringComparison.Ordinal)) is { } number
            ? $"redis-server {number[2..]}"
            : "redis-server (version unknown)";
        var benchmarkVersion = StreamBench.Version(redisBenchmark, "--version") ?? "redis-benchmark (version unknown)";
        var machine = MachineInfo.Read(new ToolPaths
        {
            RepositoryRoot = root,
            NativeDirectory = string.Empty,
            Dotnet = dotnet,
            EchoDll = keyValue,
            BenchmarksDll = typeof(RespCommand).Assembly.Location,
            Python = ToolPaths.DefaultPython,
            TwistedScript = string.Empty,
        }, null);
        var extra = $", {redisVersion}, {benchmarkVersion}";
        var scenarios = AllScenarios.Where(s => options.Wants(options.Scenarios, s.Key)).ToList();
        var servers = new List<RespServer>
        {
            new("keyvalue", "Reactor KeyValue, epoll", true, port => new ServerDefinition(
                "keyvalue", "Reactor KeyValue, epoll", dotnet, [keyValue, "--stats", "--port", "0", "--interface", ServerDefinition.Loopback],
                new Dictionary<string, string> { ["REACTOR_BACKEND"] = "epoll" }, true)),
            new("keyvalue-portable", "Reactor KeyValue, portable", true, port => new ServerDefinition(
                "keyvalue-portable", "Reactor KeyValue, portable", dotnet, [keyValue, "--stats", "--port", "0", "--interface", ServerDefinition.Loopback],
                new Dictionary<string, string> { ["REACTOR_BACKEND"] = "portable" }, true)),
            new(RedisReference, "redis-server", false, port => new ServerDefinition(
                RedisReference, "redis-server", redisServer,
                ["--port", port.ToString(CultureInfo.InvariantCulture), "--bind", ServerDefinition.Loopback, "--save", string.Empty, "--appendonly", "no", "--daemonize", "no", "--protected-mode", "yes", "--loglevel", "warning"],
                new Dictionary<string, string>(), false, FixedPort: port)),
        };
        servers = servers.Where(s => options.Wants(options.Servers, s.Key, "keyvalue-portable")).ToList();
        var loadBefore = MachineInfo.LoadAverage();
        var started = DateTimeOffset.Now;
        Console.WriteLine($"machine: {machine}{extra}");
        Console.WriteLine($"load average before: {loadBefore}");
        Console.WriteLine($"plan: {options.Rounds} round(s) × {servers.Count} server(s) × {scenarios.Count} pipelining depth(s) × {Tests.Length} tests, {options.Requests:N0} requests per test at -P 16");

        var results = new List<RespRound>();
        for (var round = 1; round <= options.Rounds; round++)
        {
            foreach (var scenario in scenarios)
            {
                foreach (var server in servers)
                {
                    Console.WriteLine($"round {round}: {server.Title}, {scenario.Title}:");
                    results.AddRange(Measure(server, scenario, redisBenchmark, options, round));
                }
            }
        }

        var loadAfter = MachineInfo.LoadAverage();
        var (text, markdown) = Tables(results, servers, scenarios);
        Console.WriteLine();
        Console.WriteLine(text);
        Console.WriteLine($"load average after: {loadAfter}");
        var output = options.Output ?? Path.Combine(root, "artifacts", "benchmarks", "resp.md");
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(output))!);
        var timing = string.Create(CultureInfo.InvariantCulture, $"each a fresh server, a warm-up of SET and GET, then {options.Requests:N0} requests per test at -P 16 and {Math.Max(1_000, options.Requests / 10):N0} at -P 1");
        File.WriteAllText(output, StreamBench.Header("resp", options, machine, started, loadBefore, loadAfter, extra, timing) + Environment.NewLine + markdown);
        var csv = new StringBuilder("round,server,scenario,test,rps,p50_ms,p99_ms,server_cpu_seconds,error\n");
        foreach (var r in results)
        {
            csv.AppendLine(string.Create(CultureInfo.InvariantCulture, $"{r.Round},{r.Server},{r.Scenario},{r.Test},{r.Rps},{r.P50},{r.P99},{r.CpuSeconds},\"{r.Error?.Replace("\"", "'", StringComparison.Ordinal)}\""));
        }

        File.WriteAllText(Path.ChangeExtension(output, ".csv"), csv.ToString());
        Console.WriteLine($"wrote {output} and {Path.ChangeExtension(output, ".csv")}");
        return 0;
    }

    private static List<RespRound> Measure(RespServer server, RespScenario scenario, string redisBenchmark, StreamRunOptions options, int round)
    {
        var rounds = new List<RespRound>();
        var requests = scenario.Pipeline > 1 ? options.Requests : Math.Max(1_000, options.Requests / 10);
        try
        {
            using var process = ServerProcess.Start(server.Definition(FreePort()), options.ServerCpu);
            var port = process.Port.ToString(CultureInfo.InvariantCulture);
            string[] Arguments(string tests, int n) =>
            [
                "-h", ServerDefinition.Loopback, "-p", port, "-c", Clients.ToString(CultureInfo.InvariantCulture),
                "-P", scenario.Pipeline.ToString(CultureInfo.InvariantCulture), "-n", n.ToString(CultureInfo.InvariantCulture),
                "-t", tests, "--csv",
            ];

            // Warm-up: the .NET server's JIT tiers and pools; redis-server gets the same.
            var (warmCode, _, warmError) = StreamBench.RunPinned(options.LoadGeneratorCpu, redisBenchmark, Arguments("set,get", Math.Max(1_000, requests / 10)), TimeSpan.FromSeconds(120));
            if (warmCode != 0)
            {
                process.StopAndReadStatistics();
                return [RespRound.Failed(server.Key, scenario.Key, "all", round, $"warm-up failed: {warmError.Trim()} (server: {process.Stderr})")];
            }

            foreach (var test in Tests)
            {
                var cpuBefore = process.CpuTime();
                var (code, stdout, stderr) = StreamBench.RunPinned(options.LoadGeneratorCpu, redisBenchmark, Arguments(test, requests), TimeSpan.FromSeconds(300));
                var cpu = process.CpuTime() - cpuBefore;
                var parsed = ParseCsv(stdout);
                if (code != 0 || parsed.Count != 1)
                {
                    var failed = RespRound.Failed(server.Key, scenario.Key, test, round, $"redis-benchmark exit {code}: {stderr.Trim()} {stdout.Trim()} (server: {process.Stderr})");
                    Console.WriteLine($"  {test}: FAILED: {failed.Error}");
                    rounds.Add(failed);
                    continue;
                }

                var (name, rps, p50, p99) = parsed[0];
                var result = new RespRound(server.Key, scenario.Key, name, round, rps, p50, p99, cpu.TotalSeconds, requests, null);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {name}: {rps:N0} requests/s, p50 {p50:N3} ms, p99 {p99:N3} ms, server CPU {cpu.TotalSeconds * 1e6 / requests:N2} µs/request"));
                rounds.Add(result);
            }

            var stats = process.StopAndReadStatistics();
            if (server.ReportsAllocations && stats is not null && stats.TryGetValue("commands", out var commands) && commands > 0 && stats.TryGetValue("allocated_bytes", out var allocated))
            {
                var perCommand = allocated / (double)commands;
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  allocated {perCommand:N2} B/command over {commands:N0} commands"));
                rounds = rounds.Select(r => r with { AllocatedPerCommand = perCommand }).ToList();
            }
        }
        catch (InvalidOperationException e)
        {
            rounds.Add(RespRound.Failed(server.Key, scenario.Key, "all", round, e.Message));
            Console.WriteLine($"  FAILED: {e.Message}");
        }

        return rounds;
    }

    /// <summary>redis-benchmark --csv: a header line, then <c>"TEST","rps","avg","min","p50","p95","p99","max"</c> per test.</summary>
    private static List<(string Test, double Rps, double P50, double P99)> ParseCsv(string stdout)
    {
        var rows = new List<(string, double, double, double)>();
        foreach (var line in stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var cells = line.Split(',').Select(c => c.Trim('"')).ToArray();
            if (cells.Length >= 7 && double.TryParse(cells[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var rps))
            {
                rows.Add((cells[0], rps, double.Parse(cells[4], CultureInfo.InvariantCulture), double.Parse(cells[6], CultureInfo.InvariantCulture)));
            }
        }

        return rows;
    }

    private static (string Text, string Markdown) Tables(List<RespRound> results, List<RespServer> servers, List<RespScenario> scenarios)
    {
        var table = new TextTable("server", "test", "requests/s (median)", "min–max", "p50 ms", "p99 ms", "× redis-server", "server CPU µs/request", "B alloc/command", "rounds");
        foreach (var scenario in scenarios)
        {
            var tests = results.Where(r => r.Scenario == scenario.Key && r.Error is null).Select(r => r.Test).Distinct().ToList();
            foreach (var test in tests)
            {
                var redis = TextTable.Median(results.Where(r => r.Server == RedisReference && r.Scenario == scenario.Key && r.Test == test && r.Error is null).Select(r => r.Rps));
                foreach (var server in servers)
                {
                    var title = $"{test}, {scenario.Title}";
                    var good = results.Where(r => r.Server == server.Key && r.Scenario == scenario.Key && r.Test == test && r.Error is null).ToList();
                    if (good.Count == 0)
                    {
                        var error = results.FirstOrDefault(r => r.Server == server.Key && r.Scenario == scenario.Key && r.Error is not null)?.Error;
                        table.Add(server.Title, title, $"failed: {error}");
                        continue;
                    }

                    var median = TextTable.Median(good.Select(r => r.Rps));
                    table.Add(
                        server.Title,
                        title,
                        TextTable.Number(median),
                        $"{TextTable.Number(good.Min(r => r.Rps))}–{TextTable.Number(good.Max(r => r.Rps))}",
                        TextTable.Number(TextTable.Median(good.Select(r => r.P50)), "N3"),
                        TextTable.Number(TextTable.Median(good.Select(r => r.P99)), "N3"),
                        server.Key == RedisReference ? "1.00 (ref)" : TextTable.Number(median / redis, "N2"),
                        TextTable.Number(TextTable.Median(good.Select(r => r.CpuSeconds * 1e6 / r.Requests)), "N2"),
                        server.ReportsAllocations ? TextTable.Number(TextTable.Median(good.Where(r => r.AllocatedPerCommand is not null).Select(r => r.AllocatedPerCommand!.Value)), "N2") : "–",
                        good.Count.ToString(CultureInfo.InvariantCulture));
                }

                table.Separator();
            }
        }

        var markdown = new StringBuilder();
        markdown.AppendLine(CultureInfo.InvariantCulture, $"- requests/s: redis-benchmark's figure ({Clients} clients, one test per run), median of the rounds; × redis-server: the ratio to redis-server's median, same test, same run.");
        markdown.AppendLine("- server CPU µs/request: the server process's CPU time (/proc, all threads) over the test's run, per request. B alloc/command: bytes the KeyValue process allocated per command in its steady state (its --stats line), over all the tests of that server process.");
        markdown.AppendLine();
        markdown.Append(table.ToMarkdown());
        foreach (var failure in results.Where(r => r.Error is not null))
        {
            markdown.AppendLine();
            markdown.AppendLine(CultureInfo.InvariantCulture, $"Note — round {failure.Round}, {failure.Server}, {failure.Scenario}, {failure.Test}: {failure.Error}");
        }

        return (table.ToText(), markdown.ToString());
    }

    /// <summary>A free loopback port for redis-server (which cannot be told port 0 and report it): bind 0, read, close.</summary>
    private static int FreePort()
    {
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)probe.LocalEndPoint!).Port;
    }

    private sealed record RespScenario(string Key, string Title, int Pipeline);

    private sealed record RespServer(string Key, string Title, bool ReportsAllocations, Func<int, ServerDefinition> Definition);

    private sealed record RespRound(string Server, string Scenario, string Test, int Round, double Rps, double P50, double P99, double CpuSeconds, int Requests, string? Error)
    {
        public double? AllocatedPerCommand { get; init; }

        public static RespRound Failed(string server, string scenario, string test, int round, string error) =>
            new(server, scenario, test, round, 0, 0, 0, 0, 1, error.Split('\n')[0]);
    }
}
