using System.Runtime.InteropServices;

namespace Reactor.Benchmarks.Runner;

/// <summary>The one libc call the runner needs: .NET's <c>Process.Kill</c> only sends SIGKILL, and servers print their statistics on SIGTERM.</summary>
internal static partial class Posix
{
    private const int SigTerm = 15;

    /// <summary>Sends SIGTERM to the process <paramref name="pid"/> (one the runner started).</summary>
    public static bool Terminate(int pid) => Kill(pid, SigTerm) == 0;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
