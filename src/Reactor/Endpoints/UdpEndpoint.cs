using System.Net;

namespace Reactor.Endpoints;

/// <summary>A UDP port, <see cref="IReactorUdp.ListenUdp"/>; the string <c>udp:9999:interface=127.0.0.1:maxPacketSize=65535</c>.</summary>
public sealed class UdpEndpoint : IDatagramEndpoint
{
    private readonly IReactor _reactor;

    /// <summary>Records where to listen; nothing is bound until <see cref="Listen"/>.</summary>
    /// <param name="reactor">The reactor to listen with.</param>
    /// <param name="port">The port, 0–65535 (0 picks a free one).</param>
    /// <param name="interface">The local IP literal to bind; <c>""</c> (the default) is every IPv4 address, <c>"::"</c> IPv6 and IPv4.</param>
    /// <param name="maxPacketSize">The largest datagram delivered (0–65535). Default 8192.</param>
    /// <exception cref="ArgumentNullException"><paramref name="reactor"/> or <paramref name="interface"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="port"/> or <paramref name="maxPacketSize"/> is outside 0–65535.</exception>
    public UdpEndpoint(IReactor reactor, int port, string @interface = "", int maxPacketSize = 8192)
    {
        ArgumentNullException.ThrowIfNull(reactor);
        ArgumentNullException.ThrowIfNull(@interface);
        ArgumentOutOfRangeException.ThrowIfNegative(port);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(port, IPEndPoint.MaxPort);
        ArgumentOutOfRangeException.ThrowIfNegative(maxPacketSize);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxPacketSize, 65_535);
        _reactor = reactor;
        Port = port;
        Interface = @interface;
        MaxPacketSize = maxPacketSize;
    }

    /// <summary>The port to listen on (0: a free one).</summary>
    public int Port { get; }

    /// <summary>The local IP literal to bind.</summary>
    public string Interface { get; }

    /// <summary>The largest datagram delivered.</summary>
    public int MaxPacketSize { get; }

    /// <inheritdoc/>
    public Deferred<IUdpTransport> Listen(DatagramProtocol protocol)
    {
        ArgumentNullException.ThrowIfNull(protocol);
        return Deferred.MaybeDeferred(() => _reactor.ListenUdp(Port, protocol, Interface, MaxPacketSize));
    }

    /// <inheritdoc/>
    public override string ToString() => $"<UdpEndpoint {(Interface.Length == 0 ? "*" : Interface)}:{Port}>";
}
