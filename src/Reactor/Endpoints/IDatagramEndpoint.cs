namespace Reactor.Endpoints;

/// <summary>
/// Where a datagram protocol listens, without saying how: a UDP port (<see cref="UdpEndpoint"/>, <c>udp:9999</c>) or a
/// UDP socket systemd passed in (<c>systemd:domain=INET:index=0</c>). Twisted has no datagram endpoints; these follow
/// the stream endpoints so that one configuration string can name a UDP service too. Make one in code or with
/// <see cref="Endpoint.DatagramFromString"/>.
/// </summary>
public interface IDatagramEndpoint
{
    /// <summary>Binds (or adopts) the socket and connects <paramref name="protocol"/> to it. Reactor thread only.</summary>
    /// <param name="protocol">The protocol to deliver datagrams to; its <see cref="DatagramProtocol.StartProtocol"/> runs before the Deferred fires.</param>
    /// <returns>
    /// A Deferred of the port (also the protocol's transport). It fails, rather than throwing, when listening fails
    /// (<see cref="CannotListenException"/>, <see cref="InvalidAddressException"/>, …).
    /// </returns>
    /// <exception cref="ArgumentNullException"><paramref name="protocol"/> is null.</exception>
    Deferred<IUdpTransport> Listen(DatagramProtocol protocol);
}
