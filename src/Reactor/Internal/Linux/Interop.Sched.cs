using System.Runtime.InteropServices;

namespace Reactor.Internal.Linux;

/// <summary>The Linux scheduler call behind <c>ReactorGroup</c>'s thread pinning.</summary>
internal static unsafe partial class Interop
{
    /// <summary><c>cpu_set_t</c>: glibc's and musl's fixed 1,024-bit mask.</summary>
    private const int CpuSetBytes = 128;

    [LibraryImport("libc", SetLastError = true)]
    private static partial int sched_setaffinity(int pid, nuint cpusetsize, ulong* mask);

    /// <summary>
    /// Pins the calling thread to <paramref name="cpu"/>; <c>false</c> when the kernel refused (e.g. a restricted cpuset)
    /// or the CPU is past what a <c>cpu_set_t</c> holds.
    /// </summary>
    internal static bool PinCurrentThread(int cpu)
    {
        if ((uint)cpu >= CpuSetBytes * 8)
        {
            return false;
        }

        var mask = stackalloc ulong[CpuSetBytes / sizeof(ulong)];
        mask[cpu / 64] = 1UL << (cpu % 64);

        // pid 0: the calling thread.
        return sched_setaffinity(0, CpuSetBytes, mask) == 0;
    }
}
