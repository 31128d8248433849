using System.Net;
using Reactor.Testing;
using Reactor.Tests.Support;

namespace Reactor.Tests.Testing;

/// <summary>The memory reactor's TCP: recorded calls, and the test playing clients arriving and attempts ending.</summary>
public class MemoryReactorTcpTests
{
    private static readonly IPEndPoint Client = new(IPAddress.Parse("192.0.2.7"), 40000);

    // ---- Listening ------------------------------------------------------------------------------------------------

    [Fact]
    public void ListenTcp_is_recorded_and_starts_the_factory()
    {
        var reactor = new MemoryReactor();
        var factory = new CountingFactory();

        var port = reactor.ListenTcp(0, factory, backlog: 7, @interface: "127.0.0.1");

        var call = reactor.TcpServers.Should().ContainSingle().Subject;
        (call.Port, call.Factory, call.Backlog, call.Interface).Should().Be((0, (Factory)factory, 7, "127.0.0.1"));
        call.ListeningPort.Should().BeSameAs(port);
        port.GetHost().Address.Should().Be(IPAddress.Loopback);
        port.GetHost().Port.Should().BeGreaterThanOrEqualTo(49152, "port 0 picks a number");
        factory.NumberOfPorts.Should().Be(1);
        reactor.Invoking(r => r.ListenTcp(0, factory, @interface: "localhost")).Should().Throw<InvalidAddressException>();
        reactor.Invoking(r => r.ListenTcp(0, factory, backlog: 0)).Should().Throw<ArgumentOutOfRangeException>();
    }

    [Fact]
    public void Accept_builds_a_protocol_for_the_client_and_connects_it_to_a_fake_transport()
    {
        var reactor = new MemoryReactor();
        var factory = new CountingFactory();
        reactor.ListenTcp(8000, factory, @interface: "127.0.0.1");
        var server = reactor.TcpServers.Single();

        var transport = server.Accept(Client)!;

        var protocol = transport.Protocol.Should().BeOfType<RecordingStreamProtocol>().Subject;
        factory.Addresses.Should().Equal(Client);
        protocol.Events.Should().Equal("made");
        protocol.Transport.Should().BeSameAs(transport);
        transport.GetPeer().Should().Be(Client);
        transport.GetHost().Should().Be(new IPEndPoint(IPAddress.Loopback, 8000));
        server.ListeningPort.Accepted.Should().Be(1);
        reactor.OpenConnections.Should().Equal(transport);

        transport.Receive("hello");
        protocol.Received.Should().Equal("hello"u8.ToArray());
    }

    [Fact]
    public void Accept_without_a_client_address_picks_a_loopback_one_of_the_port_s_family()
    {
        var reactor = new MemoryReactor();
        reactor.ListenTcp(0, new CountingFactory(), @interface: "::1");

        var first = reactor.TcpServers[0].Accept()!;
        var second = reactor.TcpServers[0].Accept()!;

        first.GetPeer().Address.Should().Be(IPAddress.IPv6Loopback);
        second.GetPeer().Port.Should().NotBe(first.GetPeer().Port);
        first.GetHost().Should().Be(reactor.TcpServers[0].ListeningPort.GetHost());
    }

    [Fact]
    public void A_wildcard_port_accepts_on_loopback_and_a_dual_stack_one_maps_IPv4_clients()
    {
        var reactor = new MemoryReactor();
        reactor.ListenTcp(8000, new CountingFactory());
        reactor.ListenTcp(8001, new CountingFactory(), @interface: "::");

        reactor.TcpServers[0].Accept(Client)!.GetHost().Should().Be(new IPEndPoint(IPAddress.Loopback, 8000));
        var mapped = reactor.TcpServers[1].Accept(Client)!;
        mapped.GetPeer().Should().Be(new IPEndPoint(Client.Address.MapToIPv6(), Client.Port));
        mapped.GetHost().Address.Should().Be(IPAddress.Loopback.MapToIPv6());
        reactor.TcpServers[0].Invoking(s => s.Accept(new IPEndPoint(IPAddress.IPv6Loopback, 1))).Should().Throw<ArgumentException>();
    }

    [Fact]
    public void Accept_returns_null_when_the_factory_refuses_and_throws_once_the_port_stopped()
    {
        var reactor = new MemoryReactor();
        var factory = new CountingFactory { Refuse = true };
        var port = reactor.ListenTcp(0, factory);

        reactor.TcpServers[0].Accept(Client).Should().BeNull();
        reactor.TcpServers[0].ListeningPort.Accepted.Should().Be(0);

        port.StopListening();
        factory.NumberOfPorts.Should().Be(0);
        reactor.TcpServers[0].Invoking(s => s.Accept(Client)).Should().Throw<InvalidOperationException>();
    }

    [Fact]
    public void Stopping_the_reactor_stops_the_ports_and_loses_the_open_connections()
    {
        var reactor = new MemoryReactor();
        var factory = new CountingFactory();
        reactor.ListenTcp(0, factory);
        var transport = reactor.TcpServers[0].Accept(Client)!;
        var closed = reactor.TcpServers[0].Accept(Client)!;
        closed.ReceiveFin();
        reactor.Run();

        reactor.Stop();

        factory.NumberOfPorts.Should().Be(0);
        ((RecordingStreamProtocol)transport.Protocol!).Events.Should().Equal("made", "lost ConnectionLostException");
        ((RecordingStreamProtocol)closed.Protocol!).Lost.Should().ContainSingle();
        reactor.OpenConnections.Should().BeEmpty();
    }

    [Fact]
    public void Iterate_pumps_the_open_connections()
    {
        var reactor = new MemoryReactor();
        reactor.ListenTcp(0, new CountingFactory());
        var transport = reactor.TcpServers[0].Accept(Client)!;

        transport.Protocol!.Transport!.LoseConnection();
        reactor.Iterate(TimeSpan.Zero);

        transport.Closed.Should().BeTrue();
        reactor.OpenConnections.Should().BeEmpty();
    }

    // ---- Connecting -----------------------------------------------------------------------------------------------

    [Fact]
    public void ConnectTcp_is_recorded_starts_the_factory_and_stays_connecting()
    {
        var reactor = new MemoryReactor();
        var factory = new RecordingClientFactory();
        var bind = new IPEndPoint(IPAddress.Loopback, 0);

        var connector = reactor.ConnectTcp("192.0.2.1", 7000, factory, TimeSpan.FromSeconds(5), bind);

        var call = reactor.TcpClients.Should().ContainSingle().Subject;
        (call.Host, call.Port, call.Timeout, call.BindAddress).Should().Be(("192.0.2.1", 7000, TimeSpan.FromSeconds(5), bind));
        call.Connector.Should().BeSameAs(connector);
        (connector.State, call.Connector.Attempts, factory.NumberOfPorts).Should().Be((ConnectorState.Connecting, 1, 1));
        factory.Events.Should().Equal("started");
        connector.GetDestination().Should().Be(new IPEndPoint(IPAddress.Parse("192.0.2.1"), 7000));
        connector.Transport.Should().BeNull();
        reactor.ConnectTcp("example.test", 7000, factory).GetDestination().Should().Be(new DnsEndPoint("example.test", 7000));
    }

    [Fact]
    public void Complete_connects_the_factory_s_protocol_and_the_factory_hears_the_loss_after_the_protocol()
    {
        var reactor = new MemoryReactor();
        var factory = new RecordingClientFactory();
        var connector = (MemoryConnector)reactor.ConnectTcp("192.0.2.1", 7000, factory);

        var transport = connector.Complete()!;

        var protocol = (RecordingStreamProtocol)transport.Protocol!;
        factory.Events.Should().Equal("started", "build 192.0.2.1:7000");
        protocol.Events.Should().Equal("made");
        (connector.State, connector.Transport).Should().Be((ConnectorState.Connected, transport));
        ((IConnector)connector).Transport.Should().BeSameAs(transport);
        transport.GetPeer().Should().Be(new IPEndPoint(IPAddress.Parse("192.0.2.1"), 7000));
        transport.GetHost().Address.Should().Be(IPAddress.Loopback);
        connector.Invoking(c => c.Complete()).Should().Throw<InvalidOperationException>();

        protocol.OnLost = (_, _) => factory.Events.Add("protocol lost");
        transport.ReceiveFin();

        factory.Events.Should().Equal("started", "build 192.0.2.1:7000", "protocol lost", "connection lost ConnectionDoneException");
        (connector.State, connector.Transport, factory.NumberOfPorts).Should().Be((ConnectorState.Disconnected, (FakeStreamTransport?)null, 0));
    }

    [Fact]
    public void Complete_takes_the_server_s_address_for_a_host_name_and_the_local_one_from_the_bind_address()
    {
        var reactor = new MemoryReactor();
        var connector = (MemoryConnector)reactor.ConnectTcp("example.test", 7000, new RecordingClientFactory(), bindAddress: new IPEndPoint(IPAddress.Parse("192.0.2.99"), 5555));
        connector.Invoking(c => c.Complete()).Should().Throw<ArgumentException>();

        var transport = connector.Complete(new IPEndPoint(IPAddress.Parse("192.0.2.1"), 7000))!;

        transport.GetHost().Should().Be(new IPEndPoint(IPAddress.Parse("192.0.2.99"), 5555));
        transport.GetPeer().Should().Be(new IPEndPoint(IPAddress.Parse("192.0.2.1"), 7000));
    }

    [Fact]
    public void A_client_factory_that_builds_no_protocol_has_its_connection_closed_cleanly()
    {
        var reactor = new MemoryReactor();
        var factory = new RecordingClientFactory { Refuse = true };
        var connector = (MemoryConnector)reactor.ConnectTcp("192.0.2.1", 7000, factory);

        connector.Complete().Should().BeNull();

        factory.Events.Should().Equal("started", "build 192.0.2.1:7000", "connection lost ConnectionDoneException");
        connector.State.Should().Be(ConnectorState.Disconnected);
    }

    [Fact]
    public void Fail_reports_the_failure_and_a_factory_may_connect_again_from_its_callback()
    {
        var reactor = new MemoryReactor();
        var factory = new RecordingClientFactory { RetryOnce = true };
        var connector = (MemoryConnector)reactor.ConnectTcp("192.0.2.1", 7000, factory);

        connector.Fail(new ConnectionRefusedException(connector.GetDestination()));

        factory.Events.Should().Equal("started", "failed ConnectionRefusedException", "started");
        (connector.State, connector.Attempts, factory.NumberOfPorts).Should().Be((ConnectorState.Connecting, 2, 1));
        connector.Fail(new ConnectTimeoutException(connector.GetDestination(), TimeSpan.FromSeconds(30)));
        (connector.State, factory.NumberOfPorts).Should().Be((ConnectorState.Disconnected, 0));
        connector.Invoking(c => c.Fail(new ConnectionRefusedException(null))).Should().Throw<InvalidOperationException>();
    }

    [Fact]
    public void StopConnecting_reports_the_cancellation_after_it_returns_on_the_reactor_s_next_pending_calls()
    {
        var reactor = new MemoryReactor();
        var factory = new RecordingClientFactory();
        var connector = (MemoryConnector)reactor.ConnectTcp("192.0.2.1", 7000, factory);

        connector.StopConnecting();
        factory.Events.Should().Equal("started");
        connector.Invoking(c => c.StopConnecting()).Should().Throw<InvalidOperationException>();
        connector.Invoking(c => c.Complete()).Should().Throw<InvalidOperationException>();

        reactor.RunPendingCalls().Should().Be(1);
        factory.Events.Should().Equal("started", "failed ConnectingCancelledException");
        (connector.State, factory.NumberOfPorts).Should().Be((ConnectorState.Disconnected, 0));
        connector.Invoking(c => c.StopConnecting()).Should().Throw<InvalidOperationException>();
    }

    [Fact]
    public void StopConnecting_from_StartedConnecting_is_reported_after_ConnectTcp_returns()
    {
        var reactor = new MemoryReactor();
        var factory = new RecordingClientFactory { StopAtStart = true };

        var connector = reactor.ConnectTcp("192.0.2.1", 7000, factory);

        factory.Events.Should().Equal("started");
        reactor.RunPendingCalls();
        factory.Events.Should().Equal("started", "failed ConnectingCancelledException");
        connector.State.Should().Be(ConnectorState.Disconnected);
    }

    [Fact]
    public void Disconnect_cancels_an_attempt_or_closes_the_connection_cleanly()
    {
        var reactor = new MemoryReactor();
        var factory = new RecordingClientFactory();
        var connector = (MemoryConnector)reactor.ConnectTcp("192.0.2.1", 7000, factory);
        connector.Disconnect();
        reactor.RunPendingCalls();
        factory.Events.Should().EndWith("failed ConnectingCancelledException");
        connector.Disconnect();

        connector.Connect();
        var transport = connector.Complete()!;
        connector.Disconnect();
        transport.Disconnecting.Should().BeTrue();
        reactor.Iterate(TimeSpan.Zero);
        factory.Events.Should().EndWith("connection lost ConnectionDoneException");
        connector.State.Should().Be(ConnectorState.Disconnected);
    }

    private sealed class CountingFactory : Factory
    {
        public List<EndPoint> Addresses { get; } = [];

        public bool Refuse { get; init; }

        public override Protocol? BuildProtocol(EndPoint address)
        {
            Addresses.Add(address);
            return Refuse ? null : new RecordingStreamProtocol();
        }
    }

    private sealed class RecordingClientFactory : ClientFactory
    {
        public List<string> Events { get; } = [];

        public bool Refuse { get; init; }

        public bool RetryOnce { get; set; }

        public bool StopAtStart { get; init; }

        public override void StartedConnecting(IConnector connector)
        {
            Events.Add("started");
            if (StopAtStart)
            {
                connector.StopConnecting();
            }
        }

        public override Protocol? BuildProtocol(EndPoint address)
        {
            Events.Add($"build {address}");
            return Refuse ? null : new RecordingStreamProtocol();
        }

        public override void ClientConnectionFailed(IConnector connector, Failure reason)
        {
            Events.Add($"failed {reason.Exception.GetType().Name}");
            if (RetryOnce)
            {
                RetryOnce = false;
                connector.Connect();
            }
        }

        public override void ClientConnectionLost(IConnector connector, Failure reason) =>
            Events.Add($"connection lost {reason.Exception.GetType().Name}");
    }
}
