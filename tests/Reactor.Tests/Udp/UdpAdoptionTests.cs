using System.Net;
using System.Net.Sockets;
using Reactor.Tests.Support;
using Reactor.Tests.Tcp;

namespace Reactor.Tests.Udp;

/// <summary>An adopted UDP socket serves as a UDP port (Twisted's <c>adoptDatagramPort</c>).</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public class UdpAdoptionTests
{
    [LinuxTheory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void An_adopted_UDP_socket_delivers_datagrams_to_the_protocol_and_sends_its_replies(ReactorBackend backend)
    {
        using var reactor = TestBackends.Create(backend);
        var bound = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        bound.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var address = (IPEndPoint)bound.LocalEndPoint!;
        var protocol = new RecordingProtocol();

        var port = reactor.AdoptDatagramPort((int)bound.Handle, AddressFamily.InterNetwork, protocol, maxPacketSize: 1200);
        bound.Dispose();

        port.GetHost().Should().Be(address);
        port.MaxPacketSize.Should().Be(1200);
        protocol.Events.Should().StartWith("start");
        using var peer = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        peer.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        peer.SendTo("hello adopted"u8.ToArray(), address);
        reactor.RunUntil(() => protocol.Received.Count == 1);
        port.Write("back"u8, (IPEndPoint)peer.LocalEndPoint!);
        peer.ReceiveTimeout = 5000;
        var buffer = new byte[16];
        peer.Receive(buffer).Should().Be(4);
        reactor.Invoking(r => r.AdoptDatagramPort(3, AddressFamily.Unix, new RecordingProtocol())).Should().Throw<ArgumentException>();
    }
}
