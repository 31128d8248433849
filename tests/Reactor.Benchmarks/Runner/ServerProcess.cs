using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Reactor.Benchmarks.Runner;

/// <summary>
/// A server started by the runner, pinned to one CPU with <c>taskset</c> (which execs the server, so the PID is the
/// server's). Stopped with SIGTERM by that PID; statistics are read from what it prints as it stops.
/// </summary>
internal sealed partial class ServerProcess : IDisposable
{
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(15);

    private readonly Process _process;
    private readonly BlockingCollection<string> _stdout = [];
    private readonly ConcurrentQueue<string> _stderr = new();

    private ServerProcess(Process process) => _process = process;

    public int Port { get; private set; }

    public int Id => _process.Id;

    /// <summary>Starts <paramref name="server"/> on <paramref name="cpu"/> and waits for its ready line.</summary>
    public static ServerProcess Start(ServerDefinition server, int cpu)
    {
        var start = new ProcessStartInfo("taskset")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(cpu.ToString(CultureInfo.InvariantCulture));
        start.ArgumentList.Add(server.FileName);
        foreach (var argument in server.Arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment.Remove("REACTOR_BACKEND");
        foreach (var (name, value) in server.Environment)
        {
            start.Environment[name] = value;
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {server.FileName}");
        var running = new ServerProcess(process);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                running._stdout.CompleteAdding();
            }
            else if (!running._stdout.IsAddingCompleted)
            {
                running._stdout.Add(e.Data);
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                running._stderr.Enqueue(e.Data);
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < ReadyTimeout)
        {
            if (running._stdout.TryTake(out var line, TimeSpan.FromMilliseconds(200)))
            {
                var match = ReadyLine().Match(line);
                if (match.Success)
                {
                    running.Port = int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
                    return running;
                }
            }
            else if (running._stdout.IsCompleted || process.HasExited)
            {
                break;
            }
        }

        running.Dispose();
        throw new InvalidOperationException(
            $"{server.Title} did not print its ready line within {ReadyTimeout.TotalSeconds} s; stderr: {string.Join(" | ", running._stderr)}");
    }

    /// <summary>
    /// Sends SIGTERM, waits for the exit (SIGKILL after 15 s) and returns the statistics line's figures when the server
    /// printed one ("datagrams=&lt;n&gt; allocated_bytes=&lt;n&gt;").
    /// </summary>
    public (long Datagrams, long AllocatedBytes)? Stop()
    {
        if (!_process.HasExited)
        {
            Posix.Terminate(_process.Id);
            if (!_process.WaitForExit(StopTimeout))
            {
                _process.Kill(entireProcessTree: false);
                _process.WaitForExit(StopTimeout);
                return null;
            }
        }

        _process.WaitForExit(); // drains the asynchronous readers
        (long, long)? stats = null;
        while (_stdout.TryTake(out var line))
        {
            var match = StatsLine().Match(line);
            if (match.Success)
            {
                stats = (long.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture), long.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture));
            }
        }

        return stats;
    }

    public string Stderr => string.Join(" | ", _stderr);

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: false);
        }

        _process.WaitForExit(); // the readers are done before the collection goes
        _process.Dispose();
        _stdout.Dispose();
    }

    [GeneratedRegex(@"^Echo starting on (\d+)$")]
    private static partial Regex ReadyLine();

    [GeneratedRegex(@"^datagrams=(\d+) allocated_bytes=(\d+)$")]
    private static partial Regex StatsLine();
}
