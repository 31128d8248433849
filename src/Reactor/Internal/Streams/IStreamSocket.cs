using System.Net;
using System.Net.Sockets;

namespace Reactor.Internal.Streams;

/// <summary>
/// The operating-system stream socket under a <see cref="StreamConnection"/> (or a connector's attempt): the only thing
/// that differs between backends (<c>EpollStreamSocket</c>: system calls and epoll; <c>PortableStreamSocket</c>: .NET's
/// <see cref="Socket"/>), and the seam where tests put a scripted fake.
/// </summary>
/// <remarks>
/// Every member is called on the reactor thread and never blocks. I/O errors are returned as <see cref="SocketError"/>
/// values, never thrown, so the connection decides what each means (<see cref="StreamErrors"/>). Receive and send
/// never allocate.
/// </remarks>
internal interface IStreamSocket : IDisposable
{
    /// <summary>The socket's family (IPv4, IPv6, later UNIX).</summary>
    AddressFamily AddressFamily { get; }

    /// <summary>Binds the local end before a connect (a client's bindAddress).</summary>
    SocketError Bind(EndPoint local);

    /// <summary>
    /// Starts a non-blocking connect. <see cref="SocketError.Success"/>: connected at once; <see cref="SocketError.InProgress"/>
    /// (EINPROGRESS): in progress — watch for writability, then read <see cref="ConnectResult"/>; anything else: failed.
    /// </summary>
    SocketError Connect(EndPoint remote);

    /// <summary>How a connect that was in progress ended (SO_ERROR): <see cref="SocketError.Success"/> when connected.</summary>
    SocketError ConnectResult();

    /// <summary>The local address (getsockname). Allocates; call once per connection.</summary>
    EndPoint GetLocalEndPoint();

    /// <summary>The peer's address (getpeername). Allocates; call once per connection.</summary>
    EndPoint GetRemoteEndPoint();

    /// <summary>
    /// Reads what is waiting, up to <paramref name="buffer"/>'s length. Returns the byte count (&gt; 0); 0 with
    /// <see cref="SocketError.Success"/> at end of stream (the peer's FIN); 0 with an error otherwise
    /// (<see cref="SocketError.WouldBlock"/> when nothing is waiting).
    /// </summary>
    int Receive(Span<byte> buffer, out SocketError error);

    /// <summary>Sends as much of <paramref name="data"/> as the kernel takes now; returns the count (0 with an error when none).</summary>
    int Send(ReadOnlySpan<byte> data, out SocketError error);

    /// <summary>
    /// Sends as much of <paramref name="segments"/>, in order, as the kernel takes now, with one vectored call; returns the
    /// count. The arrays are pinned (from the reactor's <see cref="BlockPool"/>), so the socket may use their addresses.
    /// </summary>
    int Send(ReadOnlySpan<ArraySegment<byte>> segments, out SocketError error);

    /// <summary>Shuts down one or both directions (a FIN for <see cref="SocketShutdown.Send"/>).</summary>
    SocketError Shutdown(SocketShutdown how);

    /// <summary>Closes with a reset instead of a FIN (SO_LINGER 0, then close); unsent data is discarded.</summary>
    void Abort();

    /// <summary>TCP_NODELAY. Throws <see cref="SocketException"/> when the OS refuses.</summary>
    bool NoDelay { get; set; }

    /// <summary>SO_KEEPALIVE. Throws <see cref="SocketException"/> when the OS refuses.</summary>
    bool KeepAlive { get; set; }

    /// <summary>
    /// Asks for <see cref="IStreamSocketHandler.OnReadable"/> while <paramref name="reading"/> and
    /// <see cref="IStreamSocketHandler.OnWritable"/> while <paramref name="writing"/> (level-triggered: repeated while
    /// the condition holds). Neither stops all notifications.
    /// </summary>
    void Watch(IStreamSocketHandler handler, bool reading, bool writing);
}

/// <summary>What a stream socket tells its owner, on the reactor thread.</summary>
internal interface IStreamSocketHandler
{
    /// <summary>Data, end of stream or an error is waiting: call <see cref="IStreamSocket.Receive(Span{byte}, out SocketError)"/>.</summary>
    void OnReadable();

    /// <summary>The send buffer has room (or a connect in progress has finished, or an error is pending).</summary>
    void OnWritable();
}
