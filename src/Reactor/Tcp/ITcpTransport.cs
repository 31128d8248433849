using System.Net;

namespace Reactor;

/// <summary>
/// A TCP connection as its protocol sees it (Twisted's <c>ITCPTransport</c>): an <see cref="ITransport"/> with IP
/// addresses, half-close and TCP's socket options. Cast <see cref="Protocol.Transport"/> to it in a TCP protocol.
/// Reactor thread only.
/// </summary>
public interface ITcpTransport : ITransport
{
    /// <summary>The local address and port, cached when the connection was made (readable after it closed).</summary>
    /// <returns>The local endpoint.</returns>
    new IPEndPoint GetHost();

    /// <summary>The peer's address and port, cached when the connection was made (readable after it closed).</summary>
    /// <returns>The peer's endpoint. A dual-stack (<c>"::"</c>) listener shows IPv4 peers as IPv4-mapped IPv6 addresses.</returns>
    new IPEndPoint GetPeer();

    /// <summary>
    /// Half-closes the connection: once everything written so far has been sent, sends a FIN so the peer reads end of
    /// stream, while data can still be received. A protocol that implements <see cref="IHalfCloseableProtocol"/> then
    /// hears <see cref="IHalfCloseableProtocol.WriteConnectionLost"/>. Later writes are dropped. Does nothing if the
    /// connection is already closing.
    /// </summary>
    void LoseWriteConnection();

    /// <summary>
    /// TCP_NODELAY: <c>true</c> (Reactor's default, unlike Twisted's) sends small writes at once instead of waiting to
    /// coalesce them (Nagle's algorithm); Reactor already coalesces the writes of one dispatch into one send.
    /// </summary>
    /// <exception cref="InvalidOperationException">The connection has closed.</exception>
    bool NoDelay { get; set; }

    /// <summary>SO_KEEPALIVE: whether the kernel probes an idle connection to find a dead peer. Off by default.</summary>
    /// <exception cref="InvalidOperationException">The connection has closed.</exception>
    bool KeepAlive { get; set; }
}
