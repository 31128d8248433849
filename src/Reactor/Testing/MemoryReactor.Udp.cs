using System.Net;
using Reactor.Internal.Resolve;

namespace Reactor.Testing;

/// <summary>The UDP and multicast part of <see cref="MemoryReactor"/>: recorded listen calls over fake transports.</summary>
public sealed partial class MemoryReactor
{
    private readonly List<UdpListenCall> _udpPorts = [];
    private readonly List<UdpListenCall> _multicastPorts = [];

    /// <summary>Every <see cref="ListenUdp"/> call, in order.</summary>
    public IReadOnlyList<UdpListenCall> UdpPorts => _udpPorts;

    /// <summary>Every <see cref="ListenMulticast"/> call, in order.</summary>
    public IReadOnlyList<UdpListenCall> MulticastPorts => _multicastPorts;

    // ---- IReactorUdp, IReactorMulticast ---------------------------------------------------------------------------

    /// <summary>
    /// Records the call in <see cref="UdpPorts"/> and connects <paramref name="protocol"/> to a new
    /// <see cref="FakeDatagramTransport"/> (its <c>StartProtocol</c> runs). The arguments are checked as a reactor checks them.
    /// </summary>
    /// <inheritdoc cref="IReactorUdp.ListenUdp"/>
    public IUdpTransport ListenUdp(int port, DatagramProtocol protocol, string @interface = "", int maxPacketSize = 8192) =>
        Listen(_udpPorts, port, protocol, @interface, maxPacketSize, listenMultiple: false).Transport;

    /// <summary>
    /// Records the call in <see cref="MulticastPorts"/> and connects <paramref name="protocol"/> to a new
    /// <see cref="FakeDatagramTransport"/> (its <c>StartProtocol</c> runs).
    /// </summary>
    /// <inheritdoc cref="IReactorMulticast.ListenMulticast"/>
    public IMulticastTransport ListenMulticast(int port, DatagramProtocol protocol, string @interface = "", int maxPacketSize = 8192, bool listenMultiple = false) =>
        Listen(_multicastPorts, port, protocol, @interface, maxPacketSize, listenMultiple).Transport;

    private UdpListenCall Listen(List<UdpListenCall> calls, int port, DatagramProtocol protocol, string @interface, int maxPacketSize, bool listenMultiple)
    {
        ArgumentNullException.ThrowIfNull(protocol);
        ArgumentNullException.ThrowIfNull(@interface);
        ArgumentOutOfRangeException.ThrowIfNegative(port);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(port, IPEndPoint.MaxPort);
        ArgumentOutOfRangeException.ThrowIfNegative(maxPacketSize);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxPacketSize, 65_535);
        IPAddress bindAddress;
        if (@interface.Length == 0)
        {
            bindAddress = IPAddress.Any;
        }
        else if (!IPLiteral.TryParse(@interface, out bindAddress!))
        {
            throw new InvalidAddressException(@interface, "not an IPv4 or IPv6 address.");
        }

        protocol.VerifyCanAttach();

        var transport = new FakeDatagramTransport(new IPEndPoint(bindAddress, port == 0 ? _nextPort++ : port), maxPacketSize);
        var call = new UdpListenCall(port, protocol, @interface, maxPacketSize, listenMultiple, transport);
        calls.Add(call);
        transport.Attach(protocol);
        return call;
    }

    private void StopUdpPorts()
    {
        foreach (var call in (IEnumerable<UdpListenCall>)[.. _udpPorts, .. _multicastPorts])
        {
            call.Transport.StopListening();
        }
    }
}
