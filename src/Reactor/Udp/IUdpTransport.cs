using System.Diagnostics.CodeAnalysis;
using System.Net;

namespace Reactor;

/// <summary>
/// A UDP port as its protocol sees it (Twisted's <c>IUDPTransport</c>): <see cref="DatagramProtocol.Transport"/>,
/// and what <see cref="IReactorUdp.ListenUdp"/> returns. All members are reactor-thread-only.
/// </summary>
/// <remarks>
/// <para>Writes never block. When the socket's send buffer is full the datagram is queued (bounded) and sent when the
/// socket is writable again; the protocol's <see cref="DatagramProtocol.PauseWriting"/> and
/// <see cref="DatagramProtocol.ResumeWriting"/> tell it when that starts and ends. Past the queue's bound a datagram is
/// dropped, counted and logged. No exception is thrown for such transient conditions; exceptions mean the call itself
/// was wrong.</para>
/// </remarks>
public interface IUdpTransport : IListeningPort
{
    /// <summary>The local address the port is bound to, with the real port number when 0 was asked for.</summary>
    new IPEndPoint GetHost();

    /// <summary>The largest datagram this port delivers (the <c>maxPacketSize</c> it was listened with).</summary>
    int MaxPacketSize { get; }

    /// <summary>SO_BROADCAST: whether datagrams may be sent to broadcast addresses. Off by default.</summary>
    bool BroadcastAllowed { get; set; }

    /// <summary>
    /// Sends one datagram. On a connected port leave <paramref name="destination"/> null (or pass the connected address).
    /// This overload allocates nothing: pass the <c>sender</c> handed to <see cref="DatagramProtocol.DatagramReceived"/>
    /// to reply.
    /// </summary>
    /// <param name="datagram">The payload: 0 to 65,507 bytes on IPv4, 65,527 on IPv6.</param>
    /// <param name="destination">Where to send it; null on a connected port.</param>
    /// <exception cref="MessageLengthException">The datagram is too long; nothing was sent.</exception>
    /// <exception cref="InvalidAddressException">The destination's family does not match the port's, or differs from the connected address.</exception>
    /// <exception cref="InvalidOperationException">No destination on an unconnected port, the port has closed, or not on the reactor thread.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The destination port is 0.</exception>
    /// <exception cref="System.Net.Sockets.SocketException">
    /// The OS rejected the send as invalid (e.g. a broadcast address without <see cref="BroadcastAllowed"/>).
    /// </exception>
    [SuppressMessage("ApiDesign", "RS0027:API with optional parameter(s) should have the most parameters amongst its public overloads", Justification = "Twisted's write(datagram, addr=None): the other overloads take the destination in another form, not more options.")]
    void Write(ReadOnlySpan<byte> datagram, IPEndPoint? destination = null);

    /// <summary>
    /// Sends one datagram to <paramref name="host"/>:<paramref name="port"/>. <paramref name="host"/> must be an IP
    /// literal (or <c>"&lt;broadcast&gt;"</c> on IPv4 ports); use <c>reactor.Resolve</c> for names.
    /// </summary>
    /// <param name="datagram">The payload.</param>
    /// <param name="host">An IPv4 dotted quad, an IPv6 literal, or <c>"&lt;broadcast&gt;"</c>.</param>
    /// <param name="port">1–65535.</param>
    /// <exception cref="InvalidAddressException"><paramref name="host"/> is a hostname, or of the wrong family.</exception>
    /// <exception cref="MessageLengthException">The datagram is too long; nothing was sent.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="port"/> is outside 1–65535.</exception>
    void Write(ReadOnlySpan<byte> datagram, string host, int port);

    /// <summary>Sends the concatenation of <paramref name="parts"/> as one datagram (Twisted's <c>writeSequence</c>).</summary>
    /// <param name="parts">The pieces, in order.</param>
    /// <param name="destination">Where to send it; null on a connected port.</param>
    /// <exception cref="MessageLengthException">The pieces add up to more than a datagram can hold; nothing was sent.</exception>
    void WriteSequence(IEnumerable<ReadOnlyMemory<byte>> parts, IPEndPoint? destination = null);

    /// <summary>
    /// Connects the port to one peer with the kernel's connect: afterwards only that peer's datagrams arrive, writes need no
    /// address, and an ICMP "port unreachable" for an earlier write calls <see cref="DatagramProtocol.ConnectionRefused"/>
    /// (on a later iteration, never from inside <see cref="Write(ReadOnlySpan{byte}, IPEndPoint?)"/>).
    /// A port can be connected once; a failed connect leaves it unconnected.
    /// </summary>
    /// <param name="host">The peer's IP literal (use <c>reactor.Resolve</c> for names).</param>
    /// <param name="port">1–65535.</param>
    /// <exception cref="InvalidAddressException"><paramref name="host"/> is not an IP literal, or of the wrong family.</exception>
    /// <exception cref="InvalidOperationException">The port is already connected, has closed, or not on the reactor thread.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="port"/> is outside 1–65535.</exception>
    /// <exception cref="System.Net.Sockets.SocketException">The OS refused the connect.</exception>
    void Connect(string host, int port);

    /// <summary>The connected peer, or <c>null</c> when the port is not connected.</summary>
    IPEndPoint? GetPeer();
}
