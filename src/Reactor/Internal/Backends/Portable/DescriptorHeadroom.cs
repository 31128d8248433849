using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Reactor.Internal.Backends.Portable;

/// <summary>
/// The portable backend's answer to running out of descriptors (D22): its accepted connections never take the last
/// <see cref="Descriptors"/> descriptors below <c>RLIMIT_NOFILE</c>, so the .NET runtime under it always has some.
/// </summary>
/// <remarks>
/// The runtime needs descriptors of its own: it opens a pipe for every thread it starts (the thread pool starts them
/// whenever it likes, and the portable backend's socket completions run on it), and with none left that start throws
/// <c>OutOfMemoryException</c> inside the thread pool, which the runtime cannot survive ("Out of memory." and SIGABRT).
/// The epoll backend never gets there: it starts no thread, and sheds with its reserve descriptor on EMFILE. Here an
/// accepted socket whose descriptor number is within the headroom of the limit is closed at once and counted as shed,
/// as the epoll reserve sheds: POSIX gives the lowest free number, so descriptor <c>n</c> means <c>n</c> others are
/// open, and connections never occupy the top of the table. The limit is read with <c>getrlimit</c> when a descriptor
/// reaches the threshold last read (so a raised limit is seen at once) and after an EMFILE (a lowered one).
/// Windows has handles, not a descriptor table: nothing to do there.
/// </remarks>
internal static partial class DescriptorHeadroom
{
    /// <summary>How many descriptors below the limit accepted connections leave free.</summary>
    internal const int Descriptors = 32;

    private const int RLIMIT_NOFILE_LINUX = 7;
    private const int RLIMIT_NOFILE_BSD = 8;

    /// <summary>
    /// The first descriptor number that is too close to the limit, as last read: 0 until read (so the first accept reads
    /// it), <c>long.MaxValue</c> when there is no limit or it cannot be read.
    /// </summary>
    private static long s_threshold;

    /// <summary><c>struct rlimit</c> on 64-bit Linux and macOS.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct RLimit
    {
        public ulong Current;
        public ulong Maximum;
    }

    /// <summary>Whether the POSIX descriptor-table check applies here (a 64-bit Linux, macOS or FreeBSD process).</summary>
    internal static bool Applies { get; } = Environment.Is64BitProcess && (OperatingSystem.IsLinux() || OperatingSystem.IsMacOS() || OperatingSystem.IsFreeBSD());

    /// <summary>Whether <paramref name="accepted"/>'s descriptor is within the headroom of the process's limit.</summary>
    internal static bool IsTooClose(Socket accepted)
    {
        if (!Applies)
        {
            return false;
        }

        var descriptor = (long)accepted.SafeHandle.DangerousGetHandle();
        if (descriptor < Volatile.Read(ref s_threshold))
        {
            return false;
        }

        Refresh();
        return descriptor >= Volatile.Read(ref s_threshold);
    }

    /// <summary>Reads the limit again (after an EMFILE, or at the threshold).</summary>
    internal static void Refresh()
    {
        if (!Applies)
        {
            return;
        }

        if (GetRLimit(OperatingSystem.IsLinux() ? RLIMIT_NOFILE_LINUX : RLIMIT_NOFILE_BSD, out var limit) != 0)
        {
            Volatile.Write(ref s_threshold, long.MaxValue);
            return;
        }

        var threshold = limit.Current > long.MaxValue ? long.MaxValue : Math.Max(0, (long)limit.Current - Descriptors);
        Volatile.Write(ref s_threshold, threshold);
    }

    [LibraryImport("libc", EntryPoint = "getrlimit", SetLastError = true)]
    private static partial int GetRLimit(int resource, out RLimit limit);
}
