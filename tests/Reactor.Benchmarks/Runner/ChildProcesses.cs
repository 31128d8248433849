using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Reactor.Benchmarks.Runner;

/// <summary>
/// Every process the runner starts, so that an interrupted run (Ctrl+C, SIGTERM, an unhandled exception) leaves none
/// behind: each is killed by its own PID — never by name — as the runner exits.
/// </summary>
internal static class ChildProcesses
{
    private static readonly Lock Gate = new();
    private static readonly HashSet<Process> Running = [];
    private static PosixSignalRegistration[]? s_registrations;

    /// <summary>Installs the handlers (once): SIGINT and SIGTERM kill the children, then the runner exits with 130 or 143.</summary>
    public static void InstallHandlers()
    {
        lock (Gate)
        {
            if (s_registrations is not null)
            {
                return;
            }

            s_registrations =
            [
                PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal),
                PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal),
            ];
            AppDomain.CurrentDomain.ProcessExit += (_, _) => KillAll();
            AppDomain.CurrentDomain.UnhandledException += (_, _) => KillAll();
        }
    }

    public static void Track(Process process)
    {
        lock (Gate)
        {
            Running.Add(process);
        }
    }

    public static void Untrack(Process process)
    {
        lock (Gate)
        {
            Running.Remove(process);
        }
    }

    /// <summary>Kills every tracked child that is still running, by its PID.</summary>
    public static void KillAll()
    {
        Process[] running;
        lock (Gate)
        {
            running = [.. Running];
            Running.Clear();
        }

        foreach (var process in running)
        {
            try
            {
                if (!process.HasExited)
                {
                    process.Kill(entireProcessTree: false);
                }
            }
            catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception)
            {
                // Already gone.
            }
        }
    }

    private static void OnSignal(PosixSignalContext context)
    {
        Console.Error.WriteLine($"interrupted ({context.Signal}): stopping the servers and load generators this run started");
        KillAll();
        context.Cancel = true;
        Environment.Exit(context.Signal == PosixSignal.SIGINT ? 130 : 143);
    }
}
