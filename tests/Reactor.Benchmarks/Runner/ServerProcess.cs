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
        ChildProcesses.Track(process);
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
        if (server.FixedPort is { } fixedPort)
        {
            // A server that prints no ready line of ours (redis-server): ready once it accepts a connection.
            while (deadline.Elapsed < ReadyTimeout && !process.HasExited)
            {
                if (Accepts(fixedPort))
                {
                    running.Port = fixedPort;
                    return running;
                }

                Thread.Sleep(50);
            }
        }

        while (server.FixedPort is null && deadline.Elapsed < ReadyTimeout)
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
        (long, long)? stats = null;
        foreach (var line in StopAndReadOutput() ?? [])
        {
            var match = StatsLine().Match(line);
            if (match.Success)
            {
                stats = (long.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture), long.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture));
            }
        }

        return stats;
    }

    /// <summary>
    /// Sends SIGTERM, waits for the exit (SIGKILL after 15 s) and returns the <c>name=value</c> figures of the last line
    /// made only of them (the stream servers' "messages=… bytes=… allocated_bytes=…", KeyValue's "commands=… allocated_bytes=…").
    /// </summary>
    public IReadOnlyDictionary<string, long>? StopAndReadStatistics()
    {
        Dictionary<string, long>? stats = null;
        foreach (var line in StopAndReadOutput() ?? [])
        {
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var parsed = new Dictionary<string, long>();
            foreach (var field in fields)
            {
                var equals = field.IndexOf('=', StringComparison.Ordinal);
                if (equals <= 0 || !long.TryParse(field.AsSpan(equals + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var value))
                {
                    parsed.Clear();
                    break;
                }

                parsed[field[..equals]] = value;
            }

            if (parsed.Count > 0)
            {
                stats = parsed;
            }
        }

        return stats;
    }

    /// <summary>The server's CPU time so far (user + system, all threads), from /proc.</summary>
    public TimeSpan CpuTime() => ProcFs.CpuTime(_process.Id);

    /// <summary>The server's resident set now, in bytes, from /proc.</summary>
    public long ResidentBytes() => ProcFs.ResidentBytes(_process.Id);

    /// <summary>SIGTERM, the bounded wait, and what the server printed; null when it had to be killed.</summary>
    private List<string>? StopAndReadOutput()
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
        var lines = new List<string>();
        while (_stdout.TryTake(out var line))
        {
            lines.Add(line);
        }

        return lines;
    }

    private static bool Accepts(int port)
    {
        try
        {
            using var probe = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.InterNetwork, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
            probe.Connect(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, port));
            return true;
        }
        catch (System.Net.Sockets.SocketException)
        {
            return false;
        }
    }

    public string Stderr => string.Join(" | ", _stderr);

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: false);
        }

        _process.WaitForExit(); // the readers are done before the collection goes
        ChildProcesses.Untrack(_process);
        _process.Dispose();
        _stdout.Dispose();
    }

    [GeneratedRegex(@"^(?:Echo|KeyValue) starting on (\d+)$")]
    private static partial Regex ReadyLine();

    [GeneratedRegex(@"^datagrams=(\d+) allocated_bytes=(\d+)$")]
    private static partial Regex StatsLine();
}
