using System.Runtime.InteropServices;

namespace Reactor.Internal.Linux;

/// <summary>
/// The Linux calls and constants behind UNIX sockets and adopted descriptors: AF_UNIX, SO_PEERCRED, the options that
/// tell what kind of socket a descriptor is (SO_DOMAIN, SO_TYPE, SO_ACCEPTCONN), fcntl for duplicating and making a
/// descriptor non-blocking, and kill(pid, 0) for the lock file's liveness check (generic Linux ABI).
/// </summary>
internal static unsafe partial class Interop
{
    internal const int AF_UNIX = 1;

    internal const int SO_TYPE = 3;
    internal const int SO_PEERCRED = 17;
    internal const int SO_ACCEPTCONN = 30;
    internal const int SO_DOMAIN = 39;

    internal const int F_GETFL = 3;
    internal const int F_SETFL = 4;
    internal const int F_DUPFD_CLOEXEC = 1030;
    internal const int O_NONBLOCK = 0x800;

    /// <summary><c>struct ucred</c>: what SO_PEERCRED reports about the peer of a UNIX socket.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct Credentials
    {
        public int ProcessId;
        public uint UserId;
        public uint GroupId;
    }

    private const int AT_FDCWD = -100;
    private const int AT_SYMLINK_NOFOLLOW = 0x100;
    private const uint STATX_TYPE = 1;
    private const int StatxModeOffset = 28; // struct statx: the same layout on every architecture
    private const int S_IFMT = 0xF000;
    private const int S_IFSOCK = 0xC000;

    [LibraryImport("libc", SetLastError = true)]
    internal static partial int fcntl(int fd, int command, int argument);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int statx(int directory, string path, int flags, uint mask, byte* buffer);

    [LibraryImport("libc", SetLastError = true)]
    internal static partial int kill(int pid, int signal);

    [LibraryImport("libc", SetLastError = true)]
    internal static partial nint recvfrom(int fd, byte* buffer, nuint length, int flags, byte* address, uint* addressLength);

    /// <summary>SO_PEERCRED; returns 0 or -1 (errno in <see cref="LastError"/>).</summary>
    internal static int GetPeerCredentials(int fd, out Credentials credentials)
    {
        credentials = default;
        uint length = (uint)sizeof(Credentials);
        fixed (Credentials* pointer = &credentials)
        {
            return getsockopt(fd, SOL_SOCKET, SO_PEERCRED, pointer, &length);
        }
    }

    /// <summary>Whether <paramref name="path"/> is a socket file (not following a symbolic link); <c>false</c> if it cannot be read.</summary>
    internal static bool IsSocketFile(string path)
    {
        var buffer = stackalloc byte[256]; // sizeof(struct statx)
        if (statx(AT_FDCWD, path, AT_SYMLINK_NOFOLLOW, STATX_TYPE, buffer) != 0)
        {
            return false;
        }

        return (*(ushort*)(buffer + StatxModeOffset) & S_IFMT) == S_IFSOCK;
    }

    /// <summary>A close-on-exec duplicate of <paramref name="fd"/>, made non-blocking; -1 (errno in <see cref="LastError"/>) on failure.</summary>
    internal static int DuplicateNonBlocking(int fd)
    {
        var copy = fcntl(fd, F_DUPFD_CLOEXEC, 0);
        if (copy < 0)
        {
            return -1;
        }

        var flags = fcntl(copy, F_GETFL, 0);
        if (flags < 0 || fcntl(copy, F_SETFL, flags | O_NONBLOCK) < 0)
        {
            var errno = LastError;
            close(copy);
            Marshal.SetLastPInvokeError(errno);
            return -1;
        }

        return copy;
    }
}
