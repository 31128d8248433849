using System.Net.Sockets;

namespace Reactor.Internal.Linux;

/// <summary>
/// Linux errno values the socket code acts on, and their <see cref="SocketError"/> equivalents (the numbers are the
/// generic Linux ABI shared by x86-64 and arm64).
/// </summary>
internal static class Errno
{
    internal const int EPERM = 1;
    internal const int ENOENT = 2;
    internal const int ESRCH = 3;
    internal const int EINTR = 4;
    internal const int EAGAIN = 11;
    internal const int EIO = 5;
    internal const int EACCES = 13;
    internal const int EINVAL = 22;
    internal const int ENFILE = 23;
    internal const int EMFILE = 24;
    internal const int EDESTADDRREQ = 89;
    internal const int EMSGSIZE = 90;
    internal const int ENOPROTOOPT = 92;
    internal const int EAFNOSUPPORT = 97;
    internal const int EADDRINUSE = 98;
    internal const int EADDRNOTAVAIL = 99;
    internal const int ENETUNREACH = 101;
    internal const int ENOBUFS = 105;
    internal const int ECONNREFUSED = 111;
    internal const int EHOSTUNREACH = 113;

    // Stream sockets (TCP, later UNIX).
    internal const int EBADF = 9;
    internal const int ENOMEM = 12;
    internal const int EPIPE = 32;
    internal const int ENOTSOCK = 88;
    internal const int ENETDOWN = 100;
    internal const int ENETRESET = 102;
    internal const int ECONNABORTED = 103;
    internal const int ECONNRESET = 104;
    internal const int EISCONN = 106;
    internal const int ENOTCONN = 107;
    internal const int ESHUTDOWN = 108;
    internal const int ETIMEDOUT = 110;
    internal const int EHOSTDOWN = 112;
    internal const int EALREADY = 114;
    internal const int EINPROGRESS = 115;

    /// <summary>
    /// The <see cref="SocketError"/> for <paramref name="errno"/>; <see cref="SocketError.SocketError"/> for anything
    /// the UDP code has no specific use for (the raw errno is kept by the caller for the message).
    /// </summary>
    internal static SocketError ToSocketError(int errno) => errno switch
    {
        0 => SocketError.Success,
        EADDRINUSE => SocketError.AddressAlreadyInUse,
        EADDRNOTAVAIL => SocketError.AddressNotAvailable,

        // A UNIX socket path that does not exist (what .NET reports for it too).
        ENOENT => SocketError.AddressNotAvailable,
        EACCES or EPERM => SocketError.AccessDenied,
        EINVAL => SocketError.InvalidArgument,
        EAFNOSUPPORT => SocketError.AddressFamilyNotSupported,
        EAGAIN => SocketError.WouldBlock,
        EINTR => SocketError.Interrupted,
        ECONNREFUSED => SocketError.ConnectionRefused,
        EMSGSIZE => SocketError.MessageSize,
        ENOBUFS => SocketError.NoBufferSpaceAvailable,
        ENETUNREACH => SocketError.NetworkUnreachable,
        EHOSTUNREACH => SocketError.HostUnreachable,
        EMFILE or ENFILE => SocketError.TooManyOpenSockets,
        EDESTADDRREQ => SocketError.DestinationAddressRequired,
        ENOPROTOOPT => SocketError.ProtocolOption,
        ENOMEM => SocketError.NoBufferSpaceAvailable,
        EPIPE or ESHUTDOWN => SocketError.Shutdown,
        ENOTSOCK => SocketError.NotSocket,
        ENETDOWN => SocketError.NetworkDown,
        ENETRESET => SocketError.NetworkReset,
        ECONNABORTED => SocketError.ConnectionAborted,
        ECONNRESET => SocketError.ConnectionReset,
        EISCONN => SocketError.IsConnected,
        ENOTCONN => SocketError.NotConnected,
        ETIMEDOUT => SocketError.TimedOut,
        EHOSTDOWN => SocketError.HostDown,
        EALREADY => SocketError.AlreadyInProgress,
        EINPROGRESS => SocketError.InProgress,
        _ => SocketError.SocketError,
    };
}
