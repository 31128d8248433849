using System.Runtime.InteropServices;

namespace Reactor.Internal.Linux;

/// <summary>The Linux system calls the epoll backend multiplexes with. OS calls live only in <c>Interop.*</c> files.</summary>
internal static unsafe partial class Interop
{
    internal const int EPOLL_CLOEXEC = 0x80000;
    internal const int EPOLL_CTL_ADD = 1;
    internal const int EPOLL_CTL_DEL = 2;
    internal const int EPOLL_CTL_MOD = 3;
    internal const uint EPOLLIN = 0x001;
    internal const uint EPOLLOUT = 0x004;
    internal const uint EPOLLERR = 0x008;
    internal const uint EPOLLHUP = 0x010;
    internal const int EFD_CLOEXEC = 0x80000;
    internal const int EFD_NONBLOCK = 0x800;

    /// <summary>
    /// <c>struct epoll_event</c> is packed on x86-64 (12 bytes, data at offset 4) and naturally aligned elsewhere
    /// (16 bytes, data at offset 8), so it is read and written through these offsets instead of a C# struct.
    /// </summary>
    internal static readonly int EpollEventSize = RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 12 : 16;

    private static readonly int EpollDataOffset = EpollEventSize - 8;

    [LibraryImport("libc", SetLastError = true)]
    internal static partial int epoll_create1(int flags);

    [LibraryImport("libc", SetLastError = true)]
    internal static partial int epoll_ctl(int epfd, int op, int fd, byte* ev);

    [LibraryImport("libc", SetLastError = true)]
    internal static partial int epoll_wait(int epfd, byte* events, int maxevents, int timeout);

    [LibraryImport("libc", SetLastError = true)]
    internal static partial int eventfd(uint initval, int flags);

    [LibraryImport("libc", SetLastError = true)]
    internal static partial nint read(int fd, void* buf, nint count);

    [LibraryImport("libc", SetLastError = true)]
    internal static partial nint write(int fd, void* buf, nint count);

    [LibraryImport("libc", SetLastError = true)]
    internal static partial int close(int fd);

    internal static int EpollControl(int epfd, int op, int fd, uint events, ulong data)
    {
        var ev = stackalloc byte[16];
        *(uint*)ev = events;
        *(ulong*)(ev + EpollDataOffset) = data;
        return epoll_ctl(epfd, op, fd, ev);
    }

    internal static uint EventsAt(byte* buffer, int index) => *(uint*)(buffer + (index * EpollEventSize));

    internal static ulong DataAt(byte* buffer, int index) => *(ulong*)(buffer + (index * EpollEventSize) + EpollDataOffset);

    internal static int LastError => Marshal.GetLastPInvokeError();

    internal static string ErrorMessage(int errno) => Marshal.GetPInvokeErrorMessage(errno);
}
