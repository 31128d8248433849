using System.Net;
using Reactor.Endpoints;
using Reactor.Testing;
using Reactor.Tests.Tcp;
using static Reactor.Tests.Endpoints.EndpointTestKit;

namespace Reactor.Tests.Endpoints;

/// <summary>
/// Client endpoints on a <see cref="MemoryReactor"/> (Twisted's <c>test_endpoints.py</c> endpointConnect* and
/// WrappingFactory tests, twisted-tcp.md §9 L; D39): arguments reach the reactor, the factory is started around the
/// attempt, the Deferred fires with the protocol one iteration after it is built, and fails with the attempt's failure,
/// NoProtocolException, BuildProtocol's exception, or — cancelled — ConnectingCancelledException.
/// </summary>
public class ClientEndpointTests
{
    private readonly MemoryReactor _reactor = new();

    [Fact]
    public void Tcp4ClientEndpoint_passes_its_arguments_to_ConnectTcp_with_a_quiet_factory_of_its_own()
    {
        var bind = new IPEndPoint(IPAddress.Parse("10.0.0.2"), 0);
        var factory = new RecordingServerFactory();

        new Tcp4ClientEndpoint(_reactor, "example.com", 1234, TimeSpan.FromSeconds(7), bind).Connect(factory);

        var call = _reactor.TcpClients.Should().ContainSingle().Subject;
        (call.Host, call.Port, call.Timeout, call.BindAddress).Should().Be(("example.com", 1234, TimeSpan.FromSeconds(7), bind));
        call.Factory.Noisy.Should().BeFalse();
        call.Factory.Should().NotBeSameAs(factory, "the endpoint reports the outcome through its Deferred, so it wraps the factory");
    }

    [Fact]
    public void The_Deferred_fires_with_the_factory_s_protocol_after_it_was_built_and_its_ConnectionMade_had_a_turn()
    {
        var factory = new RecordingServerFactory();
        var result = new Tcp4ClientEndpoint(_reactor, "example.com", 1234).Connect(factory);
        var connector = _reactor.TcpClients.Single().Connector;

        var built = connector.Establish();

        factory.Peers.Should().Equal(new IPEndPoint(IPAddress.Loopback, 1234));
        result.Called.Should().BeFalse("ConnectionMade runs after BuildProtocol returns, then the Deferred fires");
        _reactor.Clock.Advance(TimeSpan.Zero);
        ResultOf(result).Should().BeSameAs(built);
    }

    [Fact]
    public void A_failed_attempt_fails_the_Deferred_with_its_exception_and_builds_nothing()
    {
        var factory = new RecordingServerFactory();
        var result = new Tcp4ClientEndpoint(_reactor, "example.com", 1234).Connect(factory);
        var refused = new ConnectionRefusedException(new DnsEndPoint("example.com", 1234));

        _reactor.TcpClients.Single().Connector.Fail(refused);

        FailureOf(result).Should().BeSameAs(refused);
        factory.Protocols.Should().BeEmpty();
    }

    [Fact]
    public void A_factory_that_builds_no_protocol_fails_the_Deferred_with_NoProtocolException()
    {
        // Twisted's test_buildNoneProtocol.
        var result = new Tcp4ClientEndpoint(_reactor, "example.com", 1234).Connect(new RecordingServerFactory { Build = _ => null });
        _reactor.TcpClients.Single().Connector.Establish();
        _reactor.Clock.Advance(TimeSpan.Zero);
        FailureOf(result).Should().BeOfType<NoProtocolException>();
    }

    [Fact]
    public void Cancelling_stops_the_attempt_and_fails_with_ConnectingCancelledException_naming_the_destination()
    {
        var result = new Tcp4ClientEndpoint(_reactor, "example.com", 1234).Connect(new RecordingServerFactory());
        var connector = _reactor.TcpClients.Single().Connector;

        result.Cancel();
        _reactor.RunPendingCalls(); // a connector reports the cancel after the call, as a real one does (D26)

        connector.State.Should().Be(ConnectorState.Disconnected);
        FailureOf(result).Should().BeOfType<ConnectingCancelledException>().Which.Destination.Should().Be(new DnsEndPoint("example.com", 1234));
    }

    [Fact]
    public void An_exception_from_the_reactor_fails_the_Deferred_instead_of_escaping()
    {
        var reactor = new ShutDownReactor();
        var result = new Tcp4ClientEndpoint(reactor.Reactor, "example.com", 1234).Connect(new RecordingServerFactory());
        FailureOf(result).Should().BeOfType<ObjectDisposedException>();
    }

    [Fact]
    public void Tcp6ClientEndpoint_resolves_a_name_to_its_IPv6_address_and_connects_to_that()
    {
        // Twisted's test_nameResolution: TCP6ClientEndpoint resolves with AF_INET6.
        var resolver = new FakeResolver();
        resolver.Add("example.test", IPAddress.Parse("192.0.2.7"), IPAddress.Parse("2001:db8::7"));
        _reactor.InstallResolver(resolver);

        new Tcp6ClientEndpoint(_reactor, "example.test", 443, TimeSpan.FromSeconds(9)).Connect(new RecordingServerFactory());

        resolver.Lookups.Should().ContainSingle().Which.Family.Should().Be(System.Net.Sockets.AddressFamily.InterNetworkV6);
        var call = _reactor.TcpClients.Should().ContainSingle().Subject;
        (call.Host, call.Port).Should().Be(("2001:db8::7", 443));
        call.Timeout.Should().BeCloseTo(TimeSpan.FromSeconds(9), TimeSpan.FromMilliseconds(1));
    }

    [Fact]
    public void Tcp6ClientEndpoint_fails_with_DnsLookupException_and_cancels_its_lookup()
    {
        var resolver = new FakeResolver { HoldLookups = true };
        _reactor.InstallResolver(resolver);
        var cancelled = new Tcp6ClientEndpoint(_reactor, "slow.test", 443).Connect(new RecordingServerFactory());

        cancelled.Cancel();

        FailureOf(cancelled).Should().BeOfType<ConnectingCancelledException>();
        var missing = new Tcp6ClientEndpoint(new MemoryReactor(), "nowhere.test", 443).Connect(new RecordingServerFactory());
        FailureOf(missing).Should().BeOfType<DnsLookupException>();
        _reactor.TcpClients.Should().BeEmpty();
    }

    [Fact]
    public void UnixClientEndpoint_passes_its_arguments_to_ConnectUnix()
    {
        var result = new UnixClientEndpoint(_reactor, "/run/app.sock", TimeSpan.FromSeconds(9), checkPid: true).Connect(new RecordingServerFactory());

        var call = _reactor.UnixClients.Should().ContainSingle().Subject;
        (call.Path, call.Timeout, call.CheckPid).Should().Be(("/run/app.sock", TimeSpan.FromSeconds(9), true));
        call.Connector.Establish();
        _reactor.Clock.Advance(TimeSpan.Zero);
        ResultOf(result).Should().NotBeNull();
    }

    [Fact]
    public void ConnectProtocol_connects_with_the_protocol_given_and_fires_with_it()
    {
        // Twisted's test_connectProtocolCreatesFactory and test_connectProtocolReturnsConnectResult.
        var protocol = new Reactor.Tests.Tcp.RecordingStreamProtocol();
        var result = Endpoint.ConnectProtocol(new Tcp4ClientEndpoint(_reactor, "example.com", 1234), protocol);

        var factory = _reactor.TcpClients.Single().Factory;
        factory.BuildProtocol(new DnsEndPoint("example.com", 1234)).Should().BeSameAs(protocol);
        _reactor.Clock.Advance(TimeSpan.Zero);
        ResultOf(result).Should().BeSameAs(protocol, "typed: no cast needed");
        protocol.Factory.Should().NotBeNull();
    }

    [Fact]
    public void Endpoints_check_their_arguments_when_made()
    {
        FluentActions.Invoking(() => new Tcp4ClientEndpoint(null!, "h", 1)).Should().Throw<ArgumentNullException>();
        FluentActions.Invoking(() => new Tcp4ClientEndpoint(_reactor, "", 1)).Should().Throw<ArgumentException>();
        FluentActions.Invoking(() => new Tcp4ClientEndpoint(_reactor, "h", 0)).Should().Throw<ArgumentOutOfRangeException>();
        FluentActions.Invoking(() => new Tcp6ClientEndpoint(_reactor, "h", 1, TimeSpan.Zero)).Should().Throw<ArgumentOutOfRangeException>();
        FluentActions.Invoking(() => new HostnameEndpoint(_reactor, "h", 1, attemptDelay: TimeSpan.FromSeconds(-1))).Should().Throw<ArgumentOutOfRangeException>();
        FluentActions.Invoking(() => new UnixClientEndpoint(_reactor, null!)).Should().Throw<ArgumentNullException>();
        FluentActions.Invoking(() => new Tcp4ServerEndpoint(_reactor, 65536)).Should().Throw<ArgumentOutOfRangeException>();
        FluentActions.Invoking(() => new UnixServerEndpoint(_reactor, "/x", backlog: 0)).Should().Throw<ArgumentOutOfRangeException>();
        FluentActions.Invoking(() => new UdpEndpoint(_reactor, 1, maxPacketSize: 70_000)).Should().Throw<ArgumentOutOfRangeException>();
        new Tcp4ClientEndpoint(_reactor, "h", 1).Invoking(e => e.Connect(null!)).Should().Throw<ArgumentNullException>();
    }

    /// <summary>A real reactor that has run and stopped: everything that opens throws ObjectDisposedException (D40).</summary>
    private sealed class ShutDownReactor
    {
        public ShutDownReactor()
        {
            Reactor = ReactorFactory.Create(new ReactorOptions { LoggerFactory = Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance });
            Reactor.CallWhenRunning(Reactor.Stop);
            Reactor.Run();
        }

        public IReactor Reactor { get; }
    }
}
