using System.Runtime.InteropServices;

namespace Reactor.Internal.Linux;

/// <summary>
/// The Linux socket calls behind <c>EpollDatagramSocket</c>. Constants are the x86-64 and arm64 values (the
/// generic Linux ABI); MIPS, SPARC and Alpha number some of them differently and are not supported.
/// </summary>
internal static unsafe partial class Interop
{
    internal const int AF_INET = 2;
    internal const int AF_INET6 = 10;
    internal const int SOCK_DGRAM = 2;
    internal const int SOCK_NONBLOCK = 0x800;
    internal const int SOCK_CLOEXEC = 0x80000;
    internal const int IPPROTO_UDP = 17;

    internal const int SOL_SOCKET = 1;
    internal const int SO_REUSEADDR = 2;
    internal const int SO_BROADCAST = 6;
    internal const int SO_SNDBUF = 7;
    internal const int SO_RCVBUF = 8;
    internal const int SO_REUSEPORT = 15;
    internal const int IPPROTO_IP = 0;
    internal const int IPPROTO_IPV6 = 41;
    internal const int IPV6_V6ONLY = 26;

    // Multicast options (linux/in.h, linux/in6.h); MulticastOptions writes the structs they take.
    internal const int IP_MULTICAST_IF = 32;
    internal const int IP_MULTICAST_TTL = 33;
    internal const int IP_MULTICAST_LOOP = 34;
    internal const int IP_ADD_MEMBERSHIP = 35;
    internal const int IP_DROP_MEMBERSHIP = 36;
    internal const int IP_MULTICAST_ALL = 49;
    internal const int IPV6_MULTICAST_IF = 17;
    internal const int IPV6_MULTICAST_HOPS = 18;
    internal const int IPV6_MULTICAST_LOOP = 19;
    internal const int IPV6_ADD_MEMBERSHIP = 20;
    internal const int IPV6_DROP_MEMBERSHIP = 21;
    internal const int IPV6_MULTICAST_ALL = 29;
    internal const int MCAST_JOIN_SOURCE_GROUP = 46;
    internal const int MCAST_LEAVE_SOURCE_GROUP = 47;

    internal const int SOL_UDP = 17;

    /// <summary>UDP generic segmentation offload: one send carries several equal-size datagrams (Linux 4.18+).</summary>
    internal const int UDP_SEGMENT = 103;

    /// <summary>UDP generic receive offload: the kernel may hand over several datagrams from one sender in one read.</summary>
    internal const int UDP_GRO = 104;

    /// <summary>The most segments one GSO send may carry (<c>UDP_MAX_SEGMENTS</c> on older kernels).</summary>
    internal const int MaxSegments = 64;

    /// <summary>In <c>msghdr.msg_flags</c>: the datagram was longer than the buffer and was cut.</summary>
    internal const int MSG_TRUNC = 0x20;

    /// <summary><c>struct sockaddr_storage</c>: room for any socket address.</summary>
    internal const int SockAddrStorageSize = 128;

    /// <summary><c>struct iovec</c>.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct IoVector
    {
        public void* Base;
        public nuint Length;
    }

    /// <summary>
    /// <c>struct msghdr</c>. Natural alignment gives the C layout on 64-bit Linux (56 bytes: padding after
    /// <see cref="NameLength"/> and after <see cref="Flags"/>). musl declares <c>msg_iovlen</c> and
    /// <c>msg_controllen</c> as an int plus padding; on little-endian machines a <c>nuint</c> writes the same bytes.
    /// </summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct MessageHeader
    {
        public void* Name;
        public uint NameLength;
        public IoVector* IoVectors;
        public nuint IoVectorCount;
        public void* Control;
        public nuint ControlLength;
        public int Flags;
    }

    /// <summary><c>struct mmsghdr</c> (64 bytes on 64-bit Linux): one message of a recvmmsg/sendmmsg batch.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct MultiMessageHeader
    {
        public MessageHeader Header;

        /// <summary>Bytes received (or sent) for this message.</summary>
        public uint Length;
    }

    [LibraryImport("libc", SetLastError = true)]
    internal static partial int socket(int domain, int type, int protocol);

    [LibraryImport("libc", SetLastError = true)]
    internal static partial int bind(int fd, byte* address, uint addressLength);

    [LibraryImport("libc", SetLastError = true)]
    internal static partial int connect(int fd, byte* address, uint addressLength);

    [LibraryImport("libc", SetLastError = true)]
    internal static partial int getsockname(int fd, byte* address, uint* addressLength);

    [LibraryImport("libc", SetLastError = true)]
    internal static partial int setsockopt(int fd, int level, int name, void* value, uint valueLength);

    [LibraryImport("libc", SetLastError = true)]
    internal static partial int getsockopt(int fd, int level, int name, void* value, uint* valueLength);

    [LibraryImport("libc", SetLastError = true)]
    internal static partial int recvmmsg(int fd, MultiMessageHeader* messages, uint count, int flags, void* timeout);

    [LibraryImport("libc", SetLastError = true)]
    internal static partial int sendmmsg(int fd, MultiMessageHeader* messages, uint count, int flags);

    [LibraryImport("libc", SetLastError = true)]
    internal static partial nint sendto(int fd, byte* buffer, nuint length, int flags, byte* address, uint addressLength);

    /// <summary>Sets an int-valued socket option; returns 0 or -1 (errno in <see cref="LastError"/>).</summary>
    internal static int SetSocketOption(int fd, int level, int name, int value) =>
        setsockopt(fd, level, name, &value, sizeof(int));

    /// <summary>Reads an int-valued socket option; returns 0 or -1 (errno in <see cref="LastError"/>).</summary>
    internal static int GetSocketOption(int fd, int level, int name, out int value)
    {
        value = 0;
        int result;
        uint length = sizeof(int);
        fixed (int* pointer = &value)
        {
            result = getsockopt(fd, level, name, pointer, &length);
        }

        return result;
    }
}
