using System.Net.Sockets;

namespace Reactor.Internal.Udp;

/// <summary>What a UDP socket call was doing when it failed; the same error means different things for each.</summary>
internal enum UdpOperation
{
    /// <summary>A read (<see cref="IDatagramSocket.Receive"/>).</summary>
    Receive,

    /// <summary>A send made inside <c>Write</c>: its caller is there to be told.</summary>
    Send,

    /// <summary>A send made later, with nobody to tell: from the pending-write queue, or of a coalesced datagram.</summary>
    DeferredSend,
}

/// <summary>What a UDP port does about a socket error (see <see cref="UdpErrors.Classify"/>).</summary>
internal enum UdpErrorKind
{
    /// <summary>Not a failure: a read stops quietly and the next readiness goes on.</summary>
    Ignore,

    /// <summary>
    /// An ICMP error an earlier datagram caused: a connected protocol hears <c>ConnectionRefused</c> (from a write, later,
    /// never inside it); an unconnected port swallows it, as Twisted does.
    /// </summary>
    Refused,

    /// <summary>The call itself was wrong (too long, broadcast without SO_BROADCAST…): <c>Write</c> throws.</summary>
    CallerError,

    /// <summary>The kernel has no room now (D8): the datagram waits for writability, in order; nothing is lost.</summary>
    Transient,

    /// <summary>Anything else: a write's datagram is dropped, a read's error logged; counted either way, and the port goes on.</summary>
    Drop,
}

/// <summary>
/// The one table of what socket errors mean to a UDP port, for every call site: the port's read and write paths, the
/// portable socket and the epoll send batch. Twisted keeps the same thing as data in <c>udp.py</c>
/// (<c>_sockErrReadIgnore</c>, <c>_sockErrReadRefuse</c>); Reactor's decisions D2, D3 and D8 fill in the writes.
/// </summary>
internal static class UdpErrors
{
    internal static UdpErrorKind Classify(SocketError error, UdpOperation operation) => error switch
    {
        SocketError.Success => UdpErrorKind.Ignore,

        // Twisted's refuse list: ECONNREFUSED; Windows also reports ICMP errors as WSAECONNRESET and WSAENETRESET.
        SocketError.ConnectionRefused or SocketError.ConnectionReset or SocketError.NetworkReset => UdpErrorKind.Refused,

        // Twisted's read-ignore list (EAGAIN, EWOULDBLOCK, EINTR): drained, or interrupted. OperationAborted: the
        // socket was closed under the read, so the port is closing.
        SocketError.WouldBlock or SocketError.Interrupted or SocketError.OperationAborted
            when operation == UdpOperation.Receive => UdpErrorKind.Ignore,

        // D8: a full send buffer, or (BSD-style) a full interface queue. EINTR is retried at once by the sockets.
        SocketError.WouldBlock or SocketError.NoBufferSpaceAvailable or SocketError.Interrupted
            when operation != UdpOperation.Receive => UdpErrorKind.Transient,

        // An exception means the call itself was wrong (IUdpTransport's contract), so only a send inside Write throws.
        SocketError.MessageSize or SocketError.AccessDenied or SocketError.InvalidArgument or
            SocketError.AddressFamilyNotSupported or SocketError.DestinationAddressRequired
            when operation == UdpOperation.Send => UdpErrorKind.CallerError,

        _ => UdpErrorKind.Drop,
    };
}
