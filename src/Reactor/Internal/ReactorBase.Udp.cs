using Reactor.Internal.Udp;

namespace Reactor.Internal;

/// <summary>UDP entry points; the ports themselves are in <c>Internal/Udp/</c>.</summary>
internal abstract partial class ReactorBase
{
    public IUdpTransport ListenUdp(int port, DatagramProtocol protocol, string @interface = "", int maxPacketSize = 8192)
    {
        VerifyCanOpen();
        return UdpPort.Listen(this, port, protocol, @interface, maxPacketSize);
    }

    public IMulticastTransport ListenMulticast(int port, DatagramProtocol protocol, string @interface = "", int maxPacketSize = 8192, bool listenMultiple = false)
    {
        VerifyCanOpen();
        return MulticastPort.ListenMulticast(this, port, protocol, @interface, maxPacketSize, listenMultiple);
    }
}
