namespace Reactor;

/// <summary>UDP: Twisted's <c>IReactorUDP</c>.</summary>
public interface IReactorUdp
{
    /// <summary>
    /// Binds a UDP port and connects <paramref name="protocol"/> to it. When this returns, the socket is bound and the
    /// protocol's <see cref="DatagramProtocol.StartProtocol"/> has run; datagrams are delivered from the next iteration.
    /// </summary>
    /// <param name="port">The port number; 0 picks a free one (read it back with <see cref="IListeningPort.GetHost"/>).</param>
    /// <param name="protocol">The protocol to deliver datagrams to. It may listen on one port at a time.</param>
    /// <param name="interface">
    /// The local IP literal to bind: <c>""</c> (the default) is <c>0.0.0.0</c>, <c>"::"</c> binds IPv6 and IPv4
    /// (dual-stack), <c>"::1"</c> or <c>"127.0.0.1"</c> only loopback. Hostnames are not accepted.
    /// </param>
    /// <param name="maxPacketSize">
    /// The largest datagram delivered (0–65535). A longer one is never delivered cut short: it is dropped, counted and
    /// logged (a deliberate difference from Twisted, which truncates silently).
    /// </param>
    /// <returns>The listening port, which is also the protocol's transport.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="protocol"/> or <paramref name="interface"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="port"/> or <paramref name="maxPacketSize"/> is outside 0–65535.</exception>
    /// <exception cref="InvalidAddressException"><paramref name="interface"/> is not an IP literal.</exception>
    /// <exception cref="InvalidOperationException">The protocol is already listening on another port, or the call is not on the reactor thread.</exception>
    /// <exception cref="ObjectDisposedException">The reactor has shut down (it ran and was stopped) or was disposed; nothing was bound.</exception>
    /// <exception cref="CannotListenException">The operating system refused the socket or the bind (address in use, out of descriptors, ...).</exception>
    IUdpTransport ListenUdp(int port, DatagramProtocol protocol, string @interface = "", int maxPacketSize = 8192);
}
