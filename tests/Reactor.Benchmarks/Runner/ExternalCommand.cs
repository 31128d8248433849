using System.Diagnostics;
using System.Text;

namespace Reactor.Benchmarks.Runner;

/// <summary>Runs a program to completion within a time limit and captures what it printed.</summary>
internal static class ExternalCommand
{
    /// <summary>The exit code (-1 when it was killed at <paramref name="timeout"/>) and both outputs.</summary>
    public static (int ExitCode, string Stdout, string Stderr) Run(
        string fileName,
        IEnumerable<string> arguments,
        TimeSpan timeout,
        string? workingDirectory = null)
    {
        var start = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {fileName}");
        ChildProcesses.Track(process);
        using var untrack = new Untracking(process);
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (stdout)
                {
                    stdout.AppendLine(e.Data);
                }
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (stderr)
                {
                    stderr.AppendLine(e.Data);
                }
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (!process.WaitForExit(timeout))
        {
            // Only the process this method started, by its id.
            process.Kill(entireProcessTree: false);
            process.WaitForExit(TimeSpan.FromSeconds(10));
            return (-1, stdout.ToString(), stderr.ToString());
        }

        process.WaitForExit(); // drains the asynchronous readers
        lock (stdout)
        {
            lock (stderr)
            {
                return (process.ExitCode, stdout.ToString(), stderr.ToString());
            }
        }
    }

    private readonly struct Untracking(Process process) : IDisposable
    {
        public void Dispose() => ChildProcesses.Untrack(process);
    }

    /// <summary>The first line of a command's output, or <c>null</c> when it fails.</summary>
    public static string? FirstLine(string fileName, params string[] arguments)
    {
        try
        {
            var (exitCode, stdout, _) = Run(fileName, arguments, TimeSpan.FromSeconds(20));
            return exitCode == 0 ? stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault() : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }
}
