using System.Runtime.InteropServices;

namespace Reactor.Internal.Linux;

/// <summary>
/// The Linux socket calls and constants behind the epoll backend's stream sockets (TCP now, UNIX sockets later):
/// accept4, recv, send and writev with MSG_NOSIGNAL semantics, shutdown, and TCP's options (generic Linux ABI).
/// </summary>
internal static unsafe partial class Interop
{
    internal const int SOCK_STREAM = 1;
    internal const int IPPROTO_TCP = 6;

    internal const int SO_ERROR = 4;
    internal const int SO_KEEPALIVE = 9;
    internal const int SO_LINGER = 13;
    internal const int TCP_NODELAY = 1;

    /// <summary>Never raise SIGPIPE for a write to a closed connection; return EPIPE instead.</summary>
    internal const int MSG_NOSIGNAL = 0x4000;

    internal const int SHUT_RD = 0;
    internal const int SHUT_WR = 1;
    internal const int SHUT_RDWR = 2;

    internal const int O_RDONLY = 0;
    internal const int O_CLOEXEC = 0x80000;

    /// <summary><c>struct linger</c>.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct Linger
    {
        public int OnOff;
        public int Seconds;
    }

    [LibraryImport("libc", SetLastError = true)]
    internal static partial int listen(int fd, int backlog);

    [LibraryImport("libc", SetLastError = true)]
    internal static partial int accept4(int fd, byte* address, uint* addressLength, int flags);

    [LibraryImport("libc", SetLastError = true)]
    internal static partial nint recv(int fd, byte* buffer, nuint length, int flags);

    [LibraryImport("libc", SetLastError = true)]
    internal static partial nint sendmsg(int fd, MessageHeader* message, int flags);

    [LibraryImport("libc", SetLastError = true)]
    internal static partial int shutdown(int fd, int how);

    [LibraryImport("libc", SetLastError = true)]
    internal static partial int getpeername(int fd, byte* address, uint* addressLength);

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int open(string path, int flags);
}
