using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Reactor.Tests.Support;

/// <summary>
/// A program run by a test: stdout and stderr collected line by line, every wait bounded, and the process (only the one
/// this test started, by PID) killed on dispose if it is still running.
/// </summary>
public sealed partial class SampleProcess : IDisposable
{
    private readonly Process _process;
    private readonly BlockingCollection<string> _stdout = [];
    private readonly ConcurrentQueue<string> _allStdout = new();
    private readonly ConcurrentQueue<string> _stderr = new();

    private SampleProcess(Process process)
    {
        _process = process;
        _process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                _stdout.CompleteAdding();
                return;
            }

            _allStdout.Enqueue(e.Data);
            _stdout.Add(e.Data);
        };
        _process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                _stderr.Enqueue(e.Data);
            }
        };
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public IReadOnlyList<string> Stdout => [.. _allStdout];

    public IReadOnlyList<string> Stderr => [.. _stderr];

    public int Id => _process.Id;

    /// <summary>
    /// Starts <paramref name="program"/> with <paramref name="arguments"/>, stdin redirected, and
    /// <paramref name="environment"/> added to this process's environment: <paramref name="standardInput"/> is written
    /// to stdin and it is closed, unless <paramref name="keepInputOpen"/> (then <see cref="WriteInput"/> and
    /// <see cref="CloseInput"/> drive it, as a person at a terminal would).
    /// </summary>
    public static SampleProcess Start(string program, IEnumerable<string> arguments, string? standardInput = null, IReadOnlyDictionary<string, string>? environment = null, bool keepInputOpen = false)
    {
        var info = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[name] = value;
        }

        var process = new SampleProcess(new Process { StartInfo = info });
        if (standardInput is not null)
        {
            process._process.StandardInput.Write(standardInput);
        }

        if (!keepInputOpen)
        {
            process._process.StandardInput.Close();
        }

        return process;
    }

    /// <summary>Writes <paramref name="text"/> to the program's stdin at once (started with <c>keepInputOpen</c>).</summary>
    public void WriteInput(string text)
    {
        _process.StandardInput.Write(text);
        _process.StandardInput.Flush();
    }

    /// <summary>Closes the program's stdin: it reads end of file.</summary>
    public void CloseInput() => _process.StandardInput.Close();

    /// <summary>Runs a sample (by project name) built alongside the tests, with the same configuration.</summary>
    public static SampleProcess StartSample(string sample, params string[] arguments) => Start("dotnet", [SampleDll(sample), .. arguments]);

    /// <summary>Runs a sample on the given backend (the <c>REACTOR_BACKEND</c> environment variable).</summary>
    public static SampleProcess StartSample(string sample, ReactorBackend backend, params string[] arguments) =>
        Start("dotnet", [SampleDll(sample), .. arguments], environment: new Dictionary<string, string>
        {
            [ReactorOptions.BackendEnvironmentVariable] = backend == ReactorBackend.Epoll ? "epoll" : "portable",
        });

    /// <summary>The built dll of a sample, in the tests' own configuration; fails the test when it is missing.</summary>
    public static string SampleDll(string sample) => BuiltDll(Path.Combine("samples", sample), sample);

    /// <summary>Runs a test program of <c>tests/Programs/</c> (by project name) built alongside the tests.</summary>
    public static SampleProcess StartProgram(string program, params string[] arguments) =>
        Start("dotnet", [BuiltDll(Path.Combine("tests", "Programs", program), program), .. arguments]);

    /// <summary>The built dll of the project <paramref name="name"/> in <paramref name="folder"/> (relative to the repository), in the tests' configuration.</summary>
    private static string BuiltDll(string folder, string name)
    {
        // tests/Reactor.Tests/bin/<Configuration>/net10.0/ → <folder>/bin/<Configuration>/net10.0/<name>.dll
        var testBin = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var framework = testBin.Name;
        var configuration = testBin.Parent!.Name;
        var root = testBin.Parent.Parent!.Parent!.Parent!.Parent!.FullName;
        var dll = Path.Combine(root, folder, "bin", configuration, framework, $"{name}.dll");
        File.Exists(dll).Should().BeTrue($"{name} must be built at {dll}");
        return dll;
    }

    /// <summary>Waits for a stdout line matching <paramref name="predicate"/>; fails the test after <paramref name="timeout"/>.</summary>
    public string WaitForLine(Func<string, bool> predicate, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (DateTime.UtcNow < deadline)
        {
            if (_stdout.TryTake(out var line, TimeSpan.FromMilliseconds(100)))
            {
                if (predicate(line))
                {
                    return line;
                }
            }
            else if (_stdout.IsCompleted)
            {
                break;
            }
        }

        throw new Xunit.Sdk.XunitException(
            $"no matching line on stdout in time.\nstdout:\n{string.Join('\n', Stdout)}\nstderr:\n{string.Join('\n', Stderr)}");
    }

    /// <summary>Waits for the process to exit; returns its exit code, or fails the test after <paramref name="timeout"/>.</summary>
    public int WaitForExit(TimeSpan timeout)
    {
        if (!_process.WaitForExit(timeout))
        {
            throw new Xunit.Sdk.XunitException($"the process did not exit within {timeout}.\nstdout:\n{string.Join('\n', Stdout)}\nstderr:\n{string.Join('\n', Stderr)}");
        }

        _process.WaitForExit();
        return _process.ExitCode;
    }

    /// <summary>Sends SIGTERM, as a service manager would.</summary>
    public void Terminate() => _ = kill(_process.Id, 15);

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            _process.WaitForExit(10_000);
        }

        _process.Dispose();
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int kill(int pid, int signal);
}
