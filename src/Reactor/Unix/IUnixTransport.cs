using System.Net.Sockets;

namespace Reactor;

/// <summary>
/// A UNIX stream connection as its protocol sees it (Twisted's <c>IUNIXTransport</c>, without descriptor passing): an
/// <see cref="ITransport"/> whose addresses are paths, with half-close and the peer's credentials. Reach it with
/// <c>(IUnixTransport)Transport</c>. Every member is reactor-thread-only.
/// </summary>
public interface IUnixTransport : ITransport
{
    /// <summary>
    /// This end's address: on a server connection the path the port listens on; on a client connection an unnamed
    /// address (it prints as an empty string), as in Twisted. Cached when the connection was made; works after close.
    /// </summary>
    new UnixDomainSocketEndPoint GetHost();

    /// <summary>
    /// The other end's address: on a client connection the path connected to; on a server connection usually unnamed
    /// (a client that did not bind a path of its own). Cached when the connection was made; works after close.
    /// </summary>
    new UnixDomainSocketEndPoint GetPeer();

    /// <summary>
    /// The peer's process, user and group ids as the kernel recorded them when the connection was made (Linux
    /// <c>SO_PEERCRED</c>); <c>null</c> where the operating system cannot say.
    /// </summary>
    UnixCredentials? PeerCredentials { get; }

    /// <summary>
    /// Half-closes: once everything written so far has been sent, shuts down the sending direction (the peer reads end
    /// of stream) and keeps reading. A half-closeable protocol then hears
    /// <see cref="IHalfCloseableProtocol.WriteConnectionLost"/>; writes after this call are dropped.
    /// </summary>
    void LoseWriteConnection();
}
