using System.Net.Sockets;

namespace Reactor.Internal.Streams;

/// <summary>What an error from a stream socket's read or write means for the connection (<see cref="StreamErrors"/>).</summary>
internal enum StreamErrorKind
{
    /// <summary>Nothing to read, or no room to write, now: wait for readiness (EAGAIN; ENOBUFS on a send, as Twisted).</summary>
    WouldBlock,

    /// <summary>The connection is gone: close it with a <see cref="ConnectionLostException"/> keeping the error.</summary>
    Lost,
}

/// <summary>
/// The one error table of stream connections (Twisted's <c>tcp.py</c>: EWOULDBLOCK/ENOBUFS → "try later", anything else
/// → <c>CONNECTION_LOST</c>; Kestrel's <c>IsConnectionResetError</c>/<c>IsConnectionAbortError</c>). Sockets retry
/// EINTR themselves, so it never reaches here.
/// </summary>
internal static class StreamErrors
{
    internal static StreamErrorKind Classify(SocketError error) => error switch
    {
        SocketError.WouldBlock or SocketError.IOPending or SocketError.NoBufferSpaceAvailable or SocketError.Interrupted => StreamErrorKind.WouldBlock,
        _ => StreamErrorKind.Lost,
    };

    /// <summary>What an outgoing connection attempt that ended with <paramref name="error"/> failed with (Twisted's <c>connectError</c> mapping).</summary>
    internal static ConnectException ConnectFailure(System.Net.EndPoint? destination, SocketError error) => error switch
    {
        SocketError.ConnectionRefused => new ConnectionRefusedException(destination),
        SocketError.NetworkUnreachable or SocketError.HostUnreachable => new NoRouteException(destination, error),
        _ => new ConnectException(destination, error),
    };

    /// <summary>
    /// Whether a connect that returned <paramref name="error"/> is still under way (EINPROGRESS). Not EAGAIN
    /// (<see cref="SocketError.WouldBlock"/>): from a TCP connect on Linux it means no local port was free, and the socket
    /// is not connecting at all (D66); from a UNIX connect, that the server's accept queue is full. Either way a failure,
    /// not a wait: waiting for writability would report a socket that never connected.
    /// </summary>
    internal static bool ConnectInProgress(SocketError error) =>
        error is SocketError.InProgress or SocketError.IOPending or SocketError.AlreadyInProgress;

    /// <summary>How a listening port reacts to an accept error (Twisted's accept loop, <c>tcp.py</c> <c>Port.doRead</c>).</summary>
    internal static AcceptErrorKind ClassifyAccept(SocketError error) => error switch
    {
        SocketError.WouldBlock or SocketError.IOPending => AcceptErrorKind.Drained,
        SocketError.Interrupted or SocketError.AccessDenied or SocketError.ConnectionAborted or SocketError.ConnectionReset => AcceptErrorKind.Skip,
        SocketError.TooManyOpenSockets => AcceptErrorKind.OutOfDescriptors,
        _ => AcceptErrorKind.Transient,
    };
}

/// <summary>What an accept error means for a listening port.</summary>
internal enum AcceptErrorKind
{
    /// <summary>No connection is waiting: the batch ends.</summary>
    Drained,

    /// <summary>That one connection failed (EPERM from a firewall, ECONNABORTED: the client gave up): try the next; it counts against the batch.</summary>
    Skip,

    /// <summary>EMFILE/ENFILE: shed the waiting connections with the reserve descriptor (D22); the batch ends.</summary>
    OutOfDescriptors,

    /// <summary>ENOBUFS, ENOMEM or anything else: logged (rate-limited), the batch ends, the port keeps listening.</summary>
    Transient,
}
