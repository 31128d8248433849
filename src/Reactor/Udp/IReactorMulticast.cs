namespace Reactor;

/// <summary>Multicast UDP: Twisted's <c>IReactorMulticast</c>.</summary>
public interface IReactorMulticast
{
    /// <summary>
    /// Binds a UDP port able to join multicast groups and connects <paramref name="protocol"/> to it. Join groups with
    /// <see cref="IMulticastTransport.JoinGroup"/> (typically in <see cref="DatagramProtocol.StartProtocol"/>).
    /// </summary>
    /// <param name="port">The port number; 0 picks a free one.</param>
    /// <param name="protocol">The protocol to deliver datagrams to.</param>
    /// <param name="interface">
    /// The local IP literal to <b>bind</b> (not the multicast interface): leave it <c>""</c> (or <c>"::"</c> for IPv6) to
    /// receive group traffic — a socket bound to a unicast address receives no multicast.
    /// </param>
    /// <param name="maxPacketSize">The largest datagram delivered (0–65535); longer ones are dropped and counted.</param>
    /// <param name="listenMultiple">
    /// Let several sockets — in this process or others — bind the same port (SO_REUSEADDR and SO_REUSEPORT); each receives
    /// every datagram sent to a group it joined. Unicast datagrams to the port go to one of them only.
    /// </param>
    /// <returns>The multicast port, which is also the protocol's transport.</returns>
    /// <exception cref="CannotListenException">The operating system refused the socket or the bind.</exception>
    /// <exception cref="InvalidAddressException"><paramref name="interface"/> is not an IP literal.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="port"/> or <paramref name="maxPacketSize"/> is out of range.</exception>
    /// <exception cref="ObjectDisposedException">The reactor has shut down (it ran and was stopped) or was disposed; nothing was bound.</exception>
    /// <remarks>
    /// On Linux the socket receives only the groups it joined itself (<c>IP_MULTICAST_ALL</c> is turned off), as on other
    /// systems; without that, Linux also delivers traffic for groups other sockets on the host joined on the same port.
    /// </remarks>
    IMulticastTransport ListenMulticast(int port, DatagramProtocol protocol, string @interface = "", int maxPacketSize = 8192, bool listenMultiple = false);
}
