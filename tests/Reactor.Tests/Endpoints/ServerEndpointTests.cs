using System.Net;
using System.Net.Sockets;
using Reactor.Endpoints;
using Reactor.Testing;
using Reactor.Tests.Support;
using Reactor.Tests.Tcp;
using RecordingStreamProtocol = Reactor.Tests.Tcp.RecordingStreamProtocol;
using Reactor.Tests.Unix;
using static Reactor.Tests.Endpoints.EndpointTestKit;

namespace Reactor.Tests.Endpoints;

/// <summary>
/// Server and datagram endpoints (Twisted's endpointListen* tests, twisted-tcp.md §9 L): arguments reach the reactor,
/// the Deferred fires with the port, and a failure to listen fails it rather than throwing.
/// </summary>
public class ServerEndpointTests
{
    [Fact]
    public void Tcp_endpoints_listen_with_their_arguments_and_deliver_the_port()
    {
        var reactor = new MemoryReactor();
        var factory = new RecordingServerFactory();

        var four = ResultOf(new Tcp4ServerEndpoint(reactor, 8080, 12, "10.0.0.1").Listen(factory));
        var six = ResultOf(new Tcp6ServerEndpoint(reactor, 8081).Listen(factory));

        reactor.TcpServers.Select(c => (c.Port, c.Backlog, c.Interface)).Should().Equal((8080, 12, "10.0.0.1"), (8081, 50, "::"));
        four.Should().BeAssignableTo<ITcpPort>().Which.GetHost().Should().Be(new IPEndPoint(IPAddress.Parse("10.0.0.1"), 8080));
        ((IPEndPoint)six.GetHost()).Address.Should().Be(IPAddress.IPv6Any);
        factory.Events.Should().Equal("startFactory");
    }

    [Fact]
    public void Unix_and_udp_endpoints_listen_with_their_arguments()
    {
        var reactor = new MemoryReactor();
        ResultOf(new UnixServerEndpoint(reactor, "@app", 7, UnixFileMode.UserRead, wantPid: true).Listen(new RecordingServerFactory()));
        var udp = ResultOf(new UdpEndpoint(reactor, 9999, "127.0.0.1", 1400).Listen(new RecordingProtocolForUdp()));

        reactor.UnixServers.Single().Should().Match<UnixListenCall>(c => c.Path == "@app" && c.Backlog == 7 && c.Mode == UnixFileMode.UserRead && c.WantPid);
        reactor.UdpPorts.Single().Should().Match<UdpListenCall>(c => c.Port == 9999 && c.Interface == "127.0.0.1" && c.MaxPacketSize == 1400);
        udp.MaxPacketSize.Should().Be(1400);
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void A_port_in_use_fails_the_listen_Deferred_with_CannotListenException(ReactorBackend backend)
    {
        // Twisted's test_endpointListenFailure.
        using var reactor = TestBackends.Create(backend);
        var taken = reactor.ListenTcp(0, new RecordingServerFactory(), @interface: "127.0.0.1");

        var result = new Tcp4ServerEndpoint(reactor, taken.GetHost().Port, @interface: "127.0.0.1").Listen(new RecordingServerFactory());

        FailureOf(result).Should().BeOfType<CannotListenException>().Which.SocketErrorCode.Should().Be(SocketError.AddressAlreadyInUse);
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void A_tcp_string_endpoint_serves_a_client_string_endpoint_over_loopback(ReactorBackend backend)
    {
        using var reactor = TestBackends.Create(backend);
        var servers = new RecordingServerFactory();
        var port = (ITcpPort)ResultOf(Endpoint.ServerFromString(reactor, "tcp:0:interface=127.0.0.1").Listen(servers));
        var client = new RecordingStreamProtocol();

        var connected = Endpoint.ConnectProtocol(Endpoint.ClientFromString(reactor, $"tcp:127.0.0.1:{port.GetHost().Port}"), client);

        reactor.RunUntilFired(connected);
        ResultOf(connected).Should().BeSameAs(client);
        client.Events.Should().Equal(["made"], "ConnectionMade ran before the Deferred fired (D39)");
        client.Transport.Should().BeAssignableTo<ITcpTransport>();
        client.Transport!.Write("hi"u8);
        reactor.RunUntil(() => servers.Protocols.Count == 1 && servers.Protocols[0].Received.Length == 2);
    }

    [LinuxTheory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public void A_unix_string_endpoint_serves_a_unix_client_endpoint_and_takes_its_lock_file(ReactorBackend backend)
    {
        using var directory = new SocketDirectory();
        var path = directory.Socket();
        using var reactor = TestBackends.Create(backend);
        var servers = new RecordingServerFactory();
        var port = ResultOf(Endpoint.ServerFromString(reactor, "unix:" + Endpoint.QuoteStringArgument(path) + ":mode=600").Listen(servers));
        var client = new RecordingStreamProtocol();

        var connected = Endpoint.ConnectProtocol(Endpoint.ClientFromString(reactor, $"unix:{path}:lockfile=1"), client);

        reactor.RunUntilFired(connected);
        ResultOf(connected).Transport.Should().BeAssignableTo<IUnixTransport>();
        port.Should().BeAssignableTo<IUnixPort>().Which.GetHost().ToString().Should().Be(path);
        File.GetUnixFileMode(path).Should().Be(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.Exists(path + ".lock").Should().BeTrue("a unix: description takes the lock unless lockfile=0, as in Twisted");
    }

    /// <summary>A datagram protocol that does nothing.</summary>
    private sealed class RecordingProtocolForUdp : DatagramProtocol;
}
