using System.Net;
using System.Net.Sockets;

namespace Reactor.Internal.Streams;

/// <summary>
/// The operating-system listening socket under a stream port: one per backend (<c>EpollListenSocket</c>,
/// <c>PortableListenSocket</c>), replaced by a fake in tests. Reactor thread only; errors are values.
/// </summary>
internal interface IListenSocket : IDisposable
{
    /// <summary>The socket's family.</summary>
    AddressFamily AddressFamily { get; }

    /// <summary>
    /// Binds to <paramref name="local"/>, first setting SO_REUSEADDR (on POSIX; decision D31) and, for the IPv6
    /// wildcard, dual-stack (IPV6_V6ONLY off; D30). With <paramref name="reusePort"/> (an IP address, Linux), also
    /// SO_REUSEPORT, so that several sockets — one per reactor of a <see cref="ReactorGroup"/> — listen on one port and
    /// the kernel spreads the connections among them.
    /// </summary>
    SocketError Bind(EndPoint local, bool reusePort = false);

    /// <summary>Starts listening with a queue of <paramref name="backlog"/> pending connections.</summary>
    SocketError Listen(int backlog);

    /// <summary>The bound local address (with the real port when 0 was asked for).</summary>
    EndPoint GetLocalEndPoint();

    /// <summary>
    /// Accepts one waiting connection without blocking: a non-blocking, close-on-exec socket and its peer's address.
    /// <see cref="SocketError.WouldBlock"/> when none is waiting.
    /// </summary>
    SocketError Accept(out IStreamSocket? socket, out EndPoint? peer);

    /// <summary>
    /// After an accept failed for lack of descriptors (EMFILE): frees the reserve descriptor, accepts and closes every
    /// waiting connection (their peers see a close instead of waiting), and takes the reserve again (Twisted's
    /// <c>_FileDescriptorReservation</c>, libuv's <c>uv__emfile_trick</c>; decision D22). Returns how many it shed, or
    /// -1 when the backend has no reserve (the port then backs off instead).
    /// </summary>
    int ShedPending();

    /// <summary>Asks for <see cref="IListenSocketHandler.OnAcceptable"/> while <paramref name="accepting"/> (level-triggered).</summary>
    void Watch(IListenSocketHandler handler, bool accepting);
}

/// <summary>What a listening socket tells its port, on the reactor thread.</summary>
internal interface IListenSocketHandler
{
    /// <summary>Connections (or an error) are waiting: call <see cref="IListenSocket.Accept"/> until it says <see cref="SocketError.WouldBlock"/>.</summary>
    void OnAcceptable();
}
