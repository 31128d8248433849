using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Reactor.Benchmarks.Runner;

/// <summary>One load generator run's RESULT line (c/tcpload.c's format; the TLS client prints the same).</summary>
internal sealed record StreamLoad(double Rate, double MegabytesPerSecond, double P50, double P99, long Received, long Errors)
{
    public static StreamLoad? Parse(string stdout)
    {
        var line = stdout.Split('\n').LastOrDefault(l => l.StartsWith("RESULT ", StringComparison.Ordinal));
        if (line is null)
        {
            return null;
        }

        var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Select(f => f.Split('=', 2))
            .Where(f => f.Length == 2)
            .ToDictionary(f => f[0], f => f[1]);
        double Number(string name) => double.Parse(fields[name], CultureInfo.InvariantCulture);
        return new StreamLoad(Number("rate"), Number("mbps"), Number("p50_us"), Number("p99_us"), (long)Number("received"), (long)Number("errors"));
    }
}

/// <summary>What the stream benchmarks share: the build, the header of their results, pinned runs, CPU sampling.</summary>
internal static class StreamBench
{
    /// <summary>Builds the given projects in Release (one <c>dotnet build</c> each); false, having said why, on a failure.</summary>
    public static bool BuildProjects(string dotnet, IEnumerable<string> projects)
    {
        foreach (var project in projects)
        {
            Console.WriteLine($"build: dotnet build -c Release {Path.GetFileName(Path.GetDirectoryName(project))}");
            var (exitCode, stdout, stderr) = ExternalCommand.Run(
                dotnet,
                ["build", "-c", "Release", "--nologo", "-v", "q", "--disable-build-servers", project],
                TimeSpan.FromMinutes(10));
            if (exitCode != 0)
            {
                Console.Error.WriteLine($"error: building {project} failed:\n{stdout}\n{stderr}");
                return false;
            }
        }

        return true;
    }

    /// <summary>Runs <paramref name="program"/> pinned to <paramref name="cpu"/> (through taskset) within a time limit.</summary>
    public static (int ExitCode, string Stdout, string Stderr) RunPinned(int cpu, string program, IEnumerable<string> arguments, TimeSpan limit) =>
        ExternalCommand.Run("taskset", ["-c", cpu.ToString(CultureInfo.InvariantCulture), program, .. arguments], limit);

    /// <summary>
    /// Runs a load generator pinned to <paramref name="cpu"/> while measuring <paramref name="server"/>'s CPU time from
    /// the end of the warm-up to the generator's exit; returns the generator's output and that CPU time.
    /// </summary>
    public static (int ExitCode, string Stdout, string Stderr, TimeSpan ServerCpu) RunLoad(
        ServerProcess server, double warmup, int cpu, string program, IEnumerable<string> arguments, TimeSpan limit)
    {
        var cpuAtWarmupEnd = TimeSpan.Zero;
        using var sampled = new ManualResetEventSlim();
        var sampler = new Thread(() =>
        {
            Thread.Sleep(TimeSpan.FromSeconds(warmup));
            cpuAtWarmupEnd = server.CpuTime();
            sampled.Set();
        }) { IsBackground = true };
        sampler.Start();
        var (exitCode, stdout, stderr) = RunPinned(cpu, program, arguments, limit);
        var cpuAtEnd = server.CpuTime();
        sampled.Wait(TimeSpan.FromSeconds(warmup + 5));
        return (exitCode, stdout, stderr, cpuAtEnd - cpuAtWarmupEnd);
    }

    /// <summary>The header every stream table starts with: when, the command, the machine, the load around the run.</summary>
    public static string Header(string command, StreamRunOptions options, MachineInfo machine, DateTimeOffset started, string loadBefore, string loadAfter, string extra, string? timing = null)
    {
        timing ??= $"each {options.Warmup.ToString(CultureInfo.InvariantCulture)} s warm-up + {options.Seconds.ToString(CultureInfo.InvariantCulture)} s measured";
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"Measured {started:yyyy-MM-dd HH:mm zzz} with `dotnet run -c Release --project tests/Reactor.Benchmarks -- {command} {options.CommandLine}`.");
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"- Machine: {machine}{extra}.");
        text.AppendLine(CultureInfo.InvariantCulture, $"- Rounds: {options.Rounds}, {timing}, servers alternating within each round; servers on CPU {options.ServerCpu}, load generator on CPU {options.LoadGeneratorCpu}; loopback 127.0.0.1.");
        text.AppendLine(CultureInfo.InvariantCulture, $"- Load average (1/5/15 min) before: {loadBefore}; after: {loadAfter}. The benchmark itself keeps about 2 busy; above that, other work was running.");
        return text.ToString();
    }

    /// <summary>The ASP.NET Core shared framework's version (Kestrel's), e.g. 10.0.1.</summary>
    public static string KestrelVersion() =>
        typeof(Microsoft.AspNetCore.Builder.WebApplication).Assembly
            .GetCustomAttributes(typeof(System.Reflection.AssemblyInformationalVersionAttribute), false)
            .OfType<System.Reflection.AssemblyInformationalVersionAttribute>()
            .FirstOrDefault()?.InformationalVersion.Split('+')[0] ?? "unknown";

    /// <summary>The version line of a program (its first output line), or null when it is missing.</summary>
    public static string? Version(string program, params string[] arguments) => ExternalCommand.FirstLine(program, arguments);

    /// <summary>The full path of <paramref name="program"/> on PATH, or null.</summary>
    public static string? OnPath(string program)
    {
        foreach (var directory in (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(directory, program);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }
}

/// <summary>A load generator whose output is read while it runs (the idle scenario waits for its "IDLE" line).</summary>
internal sealed class StreamingProcess : IDisposable
{
    private readonly Process _process;
    private readonly BlockingCollection<string> _lines = [];
    private readonly StringBuilder _all = new();
    private readonly ConcurrentQueue<string> _stderr = new();

    public StreamingProcess(string fileName, IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo(fileName) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        _process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {fileName}");
        ChildProcesses.Track(_process);
        _process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                _lines.CompleteAdding();
                return;
            }

            lock (_all)
            {
                _all.AppendLine(e.Data);
            }

            if (!_lines.IsAddingCompleted)
            {
                _lines.Add(e.Data);
            }
        };
        _process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                _stderr.Enqueue(e.Data);
            }
        };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public string Stderr => string.Join(" | ", _stderr);

    /// <summary>Waits (bounded) for a line starting with <paramref name="prefix"/>; null when the time ran out or the process ended.</summary>
    public string? WaitForLine(string prefix, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            if (_lines.TryTake(out var line, TimeSpan.FromMilliseconds(200)))
            {
                if (line.StartsWith(prefix, StringComparison.Ordinal))
                {
                    return line;
                }
            }
            else if (_lines.IsCompleted)
            {
                return null;
            }
        }

        return null;
    }

    /// <summary>Waits (bounded, then kills) for the exit; returns the exit code (-1 when killed) and all it printed.</summary>
    public (int ExitCode, string Stdout) WaitForExit(TimeSpan timeout)
    {
        if (!_process.WaitForExit(timeout))
        {
            _process.Kill(entireProcessTree: false);
            _process.WaitForExit(TimeSpan.FromSeconds(10));
            return (-1, Output());
        }

        _process.WaitForExit();
        return (_process.ExitCode, Output());
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: false);
        }

        _process.WaitForExit();
        ChildProcesses.Untrack(_process);
        _process.Dispose();
        _lines.Dispose();
    }

    private string Output()
    {
        lock (_all)
        {
            return _all.ToString();
        }
    }
}
