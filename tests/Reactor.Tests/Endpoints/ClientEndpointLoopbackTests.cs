using System.Net.Sockets;
using Reactor.Endpoints;
using Reactor.Tests.Support;
using Reactor.Tests.Tcp;
using RecordingStreamProtocol = Reactor.Tests.Tcp.RecordingStreamProtocol;
using static Reactor.Tests.Endpoints.EndpointTestKit;

namespace Reactor.Tests.Endpoints;

/// <summary>
/// Client endpoints over real loopback, on every backend (Twisted's endpointConnect* tests; D39): the factory starts
/// and stops around the attempt, the protocol is delivered after its ConnectionMade, and a refusal, a factory that
/// builds nothing or throws, and a cancel each fail the Deferred as documented.
/// </summary>
public class ClientEndpointLoopbackTests
{
    private static (IReactor Reactor, int Port, RecordingServerFactory Servers) Server(ReactorBackend backend)
    {
        var reactor = TestBackends.Create(backend);
        var servers = new RecordingServerFactory();
        var port = reactor.ListenTcp(0, servers, @interface: "127.0.0.1");
        return (reactor, port.GetHost().Port, servers);
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void The_protocol_is_delivered_connected_after_ConnectionMade_and_the_factory_stops_when_it_closes(ReactorBackend backend)
    {
        var (reactor, port, _) = Server(backend);
        using var _ = reactor;
        var factory = new RecordingServerFactory();
        bool? connectedAtDelivery = null;

        var result = new Tcp4ClientEndpoint(reactor, "127.0.0.1", port).Connect(factory);
        result.AddCallback(p => connectedAtDelivery = p.Connected);
        factory.Events.Should().Equal("startFactory");

        reactor.RunUntilFired(result);
        connectedAtDelivery.Should().BeTrue();
        var protocol = (RecordingStreamProtocol)ResultOf(result);
        protocol.Events.Should().Equal("made");
        ((ITcpTransport)protocol.Transport!).GetPeer().Port.Should().Be(port);
        protocol.Transport!.LoseConnection();
        reactor.RunUntil(() => factory.Events.Count == 2);
        factory.Events.Should().Equal("startFactory", "stopFactory");
        factory.Protocols.Should().Equal(protocol);
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void A_refused_connect_fails_with_ConnectionRefusedException(ReactorBackend backend)
    {
        // Twisted's test_endpointConnectFailure.
        using var reactor = TestBackends.Create(backend);
        var result = new Tcp4ClientEndpoint(reactor, "127.0.0.1", TcpConnectingTests.ClosedPort("127.0.0.1")).Connect(new RecordingServerFactory());
        reactor.RunUntilFired(result);
        FailureOf(result).Should().BeOfType<ConnectionRefusedException>();
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void A_BuildProtocol_that_throws_fails_the_Deferred_with_that_exception(ReactorBackend backend)
    {
        // Twisted's test_failedBuildProtocol.
        var (reactor, port, _) = Server(backend);
        using var _ = reactor;
        var boom = new InvalidOperationException("no protocol for you");

        var result = new Tcp4ClientEndpoint(reactor, "127.0.0.1", port).Connect(new RecordingServerFactory { Build = _ => throw boom });

        reactor.RunUntilFired(result);
        FailureOf(result).Should().BeSameAs(boom);
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void A_factory_that_builds_no_protocol_fails_with_NoProtocolException_and_the_connection_is_closed(ReactorBackend backend)
    {
        // Twisted's test_buildNoneProtocol.
        var (reactor, port, servers) = Server(backend);
        using var _ = reactor;

        var result = new Tcp4ClientEndpoint(reactor, "127.0.0.1", port).Connect(new RecordingServerFactory { Build = _ => null });

        reactor.RunUntilFired(result);
        FailureOf(result).Should().BeOfType<NoProtocolException>();
        reactor.RunUntil(() => servers.Protocols.Count == 1 && servers.Protocols[0].Losses == 1);
        servers.Protocols[0].LostReason!.Exception.Should().BeOfType<ConnectionDoneException>();
    }

    [LinuxTheory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void Cancelling_an_attempt_under_way_fails_it_with_ConnectingCancelledException(ReactorBackend backend)
    {
        // Twisted's test_endpointConnectingCancelled, against a port whose accept queue is full so the attempt waits.
        using var reactor = TestBackends.Create(backend);
        using var full = new FullAcceptQueue("127.0.0.1");
        var factory = new RecordingServerFactory();

        var result = new Tcp4ClientEndpoint(reactor, "127.0.0.1", full.EndPoint.Port).Connect(factory);
        reactor.Iterate(TimeSpan.FromMilliseconds(10));
        result.Cancel();

        FailureOf(result).Should().BeOfType<ConnectingCancelledException>();
        reactor.RunUntil(() => factory.Events.Contains("stopFactory"));
        factory.Events.Should().Equal("startFactory", "stopFactory");
    }
}
