using System.Globalization;
using System.Text;

namespace Reactor.Benchmarks.Runner;

/// <summary>
/// <c>run</c>: builds what the servers need, then, round by round, starts each server pinned to one CPU, drives it with
/// the load generator pinned to the other for one scenario, stops it with SIGTERM, and finally prints the table
/// (and writes it as markdown). See README.md and docs/performance.md for the method.
/// </summary>
/// <remarks>
/// Each (round, server, scenario) gets a fresh server process, so a .NET server's allocation window (one second after its
/// first datagram until SIGTERM) covers exactly that scenario's measured traffic, and one scenario cannot leave a server
/// in a state that colours the next. Rounds are the outer loop, so slow drift of the machine (other work, thermal, the
/// VM's neighbours) spreads over every server instead of landing on one.
/// </remarks>
internal static class RunCommand
{
    public static int Execute(string[] args)
    {
        var options = RunOptions.Parse(args);
        if (options is null)
        {
            return 2;
        }

#if DEBUG
        Console.Error.WriteLine("error: build the benchmarks in Release: dotnet run -c Release --project tests/Reactor.Benchmarks -- run");
        return 2;
#else
        return Run(options);
#endif
    }

    private static int Run(RunOptions options)
    {
        var root = ToolPaths.FindRepositoryRoot();
        if (root is null)
        {
            Console.Error.WriteLine("error: cannot find the repository (Reactor.sln) above the program or the current directory");
            return 1;
        }

        if (Environment.ProcessorCount < 2 || options.ServerCpu == options.LoadGeneratorCpu)
        {
            Console.Error.WriteLine("warning: server and load generator share a CPU; the figures measure the pair, not the server");
        }

        var scenarios = Scenario.All.Where(s => options.Scenarios is null || options.Scenarios.Contains(s.Key)).ToList();
        var nativeDirectory = Directory.CreateTempSubdirectory("reactor-bench-").FullName;
        try
        {
            var paths = new ToolPaths
            {
                RepositoryRoot = root,
                NativeDirectory = nativeDirectory,
                Dotnet = ToolPaths.FindDotnet(),
                EchoDll = Path.Combine(root, "samples", "Echo", "bin", "Release", "net10.0", "Echo.dll"),
                BenchmarksDll = typeof(RunCommand).Assembly.Location,
                Python = ToolPaths.DefaultPython,
                TwistedScript = Path.Combine(AppContext.BaseDirectory, "python", "twisted_echo.py"),
            };

            if (!BuildAll(paths, options))
            {
                return 1;
            }

            var twistedVersion = ExternalCommand.FirstLine(paths.Python, "-c", "import twisted; print(twisted.__version__)");
            if (twistedVersion is null)
            {
                paths.TwistedMissingReason = $"{paths.Python} cannot import twisted (apt-get install python3-twisted)";
            }

            var servers = ServerDefinition.All(paths).Where(s => options.Servers is null || options.Servers.Contains(s.Key)).ToList();
            var machine = MachineInfo.Read(paths, twistedVersion);
            var loadBefore = MachineInfo.LoadAverage();
            var started = DateTimeOffset.Now;
            Console.WriteLine($"machine: {machine}");
            Console.WriteLine($"load average before: {loadBefore}");
            Console.WriteLine(
                $"plan: {options.Rounds} round(s) × {servers.Count} server(s) × {scenarios.Count} scenario(s), " +
                $"{options.Warmup.ToString(CultureInfo.InvariantCulture)} s warm-up + {options.Seconds.ToString(CultureInfo.InvariantCulture)} s measured each; " +
                $"servers on CPU {options.ServerCpu}, load generator on CPU {options.LoadGeneratorCpu}");

            var results = Measure(paths, options, servers, scenarios);

            var loadAfter = MachineInfo.LoadAverage();
            List<(string, string, string?)> columns = options.Ceiling ? [(ResultTable.CeilingKey, "load generator ceiling (self-loop)", null)] : [];
            columns.AddRange(servers.Select(s => (s.Key, s.Title, s.SkipReason)));
            var rows = ResultTable.Build(results, columns, scenarios);

            Console.WriteLine();
            Console.WriteLine(ResultTable.ToText(rows));
            foreach (var row in rows.Where(r => r.MedianRate is not null && r.Note.Length > 0 && r.Note != "reference"))
            {
                Console.WriteLine($"note: {row.Server}, {row.Scenario}: {row.Note}");
            }

            Console.WriteLine($"load average after: {loadAfter}");
            var output = options.Output ?? Path.Combine(root, "artifacts", "benchmarks", "results.md");
            WriteMarkdown(output, rows, results, machine, options, started, loadBefore, loadAfter);
            Console.WriteLine($"wrote {output} and {Path.ChangeExtension(output, ".csv")}");
            return 0;
        }
        finally
        {
            Directory.Delete(nativeDirectory, recursive: true);
        }
    }

    private static bool BuildAll(ToolPaths paths, RunOptions options)
    {
        foreach (var program in new[] { "echo_gso", "echo_mmsg", "echo_simple", "loadgen" })
        {
            if (ToolPaths.CompileNative(paths.RepositoryRoot, program, paths.NativeDirectory) is null)
            {
                return false;
            }
        }

        if (options.Build)
        {
            Console.WriteLine("build: dotnet build -c Release samples/Echo");
            var (exitCode, stdout, stderr) = ExternalCommand.Run(
                paths.Dotnet,
                ["build", "-c", "Release", "--nologo", "-v", "q", "--disable-build-servers", Path.Combine(paths.RepositoryRoot, "samples", "Echo", "Echo.csproj")],
                TimeSpan.FromMinutes(10));
            if (exitCode != 0)
            {
                Console.Error.WriteLine($"error: building samples/Echo failed:\n{stdout}\n{stderr}");
                return false;
            }
        }

        if (!File.Exists(paths.EchoDll))
        {
            Console.Error.WriteLine($"error: {paths.EchoDll} is missing (run without --no-build)");
            return false;
        }

        return true;
    }

    private static List<RoundResult> Measure(ToolPaths paths, RunOptions options, IReadOnlyList<ServerDefinition> servers, IReadOnlyList<Scenario> scenarios)
    {
        var results = new List<RoundResult>();
        for (var round = 1; round <= options.Rounds; round++)
        {
            if (options.Ceiling)
            {
                foreach (var scenario in scenarios)
                {
                    results.Add(MeasureOne(round, ResultTable.CeilingKey, "load generator ceiling", scenario, () =>
                    {
                        var load = LoadGenerator.Run(paths, options.LoadGeneratorCpu, null, scenario, options);
                        return (load, null);
                    }));
                }
            }

            foreach (var server in servers.Where(s => s.SkipReason is null))
            {
                foreach (var scenario in scenarios)
                {
                    results.Add(MeasureOne(round, server.Key, server.Title, scenario, () =>
                    {
                        using var process = ServerProcess.Start(server, options.ServerCpu);
                        LoadResult load;
                        try
                        {
                            load = LoadGenerator.Run(paths, options.LoadGeneratorCpu, process.Port, scenario, options);
                        }
                        catch (InvalidOperationException e)
                        {
                            process.Stop();
                            throw new InvalidOperationException($"{e.Message} (server stderr: {process.Stderr})", e);
                        }

                        var stats = process.Stop();
                        if (server.ReportsAllocations && stats is null)
                        {
                            Console.Error.WriteLine($"warning: {server.Title} printed no statistics line");
                        }

                        return (load, stats);
                    }));
                }
            }
        }

        return results;
    }

    private static RoundResult MeasureOne(
        int round,
        string key,
        string title,
        Scenario scenario,
        Func<(LoadResult Load, (long Datagrams, long AllocatedBytes)? Stats)> measure)
    {
        Console.Write($"round {round}: {title}, {scenario.Title}: ");
        try
        {
            var (load, stats) = measure();
            var allocations = stats is { Datagrams: > 0 } s ? $", {s.AllocatedBytes / (double)s.Datagrams:N2} B/datagram" : string.Empty;
            Console.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"{load.Rate:N0}/s, p50 {load.P50Microseconds:N1} µs, p99 {load.P99Microseconds:N1} µs, lost {load.Lost}{allocations}"));
            return new RoundResult(key, scenario.Key, round, load, stats?.Datagrams, stats?.AllocatedBytes, null);
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception or FormatException)
        {
            Console.WriteLine($"FAILED: {e.Message}");
            return new RoundResult(key, scenario.Key, round, null, null, null, e.Message.Split('\n')[0]);
        }
    }

    private static void WriteMarkdown(
        string output,
        IReadOnlyList<TableRow> rows,
        IReadOnlyList<RoundResult> results,
        MachineInfo machine,
        RunOptions options,
        DateTimeOffset started,
        string loadBefore,
        string loadAfter)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(output))!);
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"Measured {started:yyyy-MM-dd HH:mm zzz} with `dotnet run -c Release --project tests/Reactor.Benchmarks -- run {string.Join(' ', OptionsEcho(options))}`.");
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"- Machine: {machine}.");
        text.AppendLine(CultureInfo.InvariantCulture, $"- Rounds: {options.Rounds}, each {options.Warmup.ToString(CultureInfo.InvariantCulture)} s warm-up + {options.Seconds.ToString(CultureInfo.InvariantCulture)} s measured; servers on CPU {options.ServerCpu}, load generator on CPU {options.LoadGeneratorCpu}; loopback {ServerDefinition.Loopback}.");
        text.AppendLine(CultureInfo.InvariantCulture, $"- Load average (1/5/15 min) before: {loadBefore}; after: {loadAfter}. Above ~0.1 other work was running during the measurement.");
        text.AppendLine("- × C ref: the median's ratio to the C epoll + recvmmsg/sendmmsg + UDP GSO server (echo) or the C recvfrom/sendto server (ping-pong), same scenario, same run. B/datagram: bytes the .NET server process allocated per datagram in its steady-state window.");
        text.AppendLine();
        text.Append(ResultTable.ToMarkdown(rows));
        foreach (var row in rows.Where(r => r.MedianRate is not null && r.Note.Length > 0 && r.Note != "reference"))
        {
            text.AppendLine();
            text.AppendLine(CultureInfo.InvariantCulture, $"Note — {row.Server}, {row.Scenario}: {row.Note}");
        }

        File.WriteAllText(output, text.ToString());

        var csv = new StringBuilder("round,server,scenario,rate,p50_us,p99_us,received,lost,errors,datagrams,allocated_bytes,error\n");
        foreach (var r in results)
        {
            csv.AppendLine(string.Create(
                CultureInfo.InvariantCulture,
                $"{r.Round},{r.ServerKey},{r.ScenarioKey},{r.Load?.Rate},{r.Load?.P50Microseconds},{r.Load?.P99Microseconds},{r.Load?.Received},{r.Load?.Lost},{r.Load?.Errors},{r.Datagrams},{r.AllocatedBytes},\"{r.Error?.Replace("\"", "'", StringComparison.Ordinal)}\""));
        }

        File.WriteAllText(Path.ChangeExtension(output, ".csv"), csv.ToString());
    }

    private static IEnumerable<string> OptionsEcho(RunOptions options)
    {
        yield return string.Create(CultureInfo.InvariantCulture, $"--rounds {options.Rounds} --seconds {options.Seconds} --warmup {options.Warmup}");
        if (options.Servers is not null)
        {
            yield return "--servers " + string.Join(',', options.Servers);
        }

        if (options.Scenarios is not null)
        {
            yield return "--scenarios " + string.Join(',', options.Scenarios);
        }
    }
}
