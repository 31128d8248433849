using System.Net;
using System.Net.Sockets;
using Reactor.Tests.Support;

namespace Reactor.Tests.Tcp;

/// <summary>
/// Listening ports (twisted-tcp.md §9 A: Twisted's <c>test/test_tcp.py</c> and <c>internet/test/test_tcp.py</c>), over
/// real loopback sockets on every backend and both IP families.
/// </summary>
public class TcpListeningTests
{
    [Theory]
    [MemberData(nameof(TcpTestKit.BackendsAndLoopbacks), MemberType = typeof(TcpTestKit))]
    public void ListenTcp_returns_a_listening_port_with_the_real_port_number_and_address(ReactorBackend backend, string loopback)
    {
        using var reactor = TestBackends.Create(backend);
        var port = reactor.ListenTcp(0, new RecordingServerFactory(), @interface: loopback);

        var host = port.GetHost();
        host.Address.Should().Be(IPAddress.Parse(loopback));
        host.Port.Should().BePositive();
        using var client = TcpTestKit.RawClient(host);
        client.Connected.Should().BeTrue();
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void The_default_interface_listens_on_IPv4_any(ReactorBackend backend)
    {
        using var reactor = TestBackends.Create(backend);
        var port = reactor.ListenTcp(0, new RecordingServerFactory());
        port.GetHost().Address.Should().Be(IPAddress.Any);
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void The_IPv6_wildcard_is_dual_stack_and_shows_IPv4_peers_as_mapped_addresses(ReactorBackend backend)
    {
        using var reactor = TestBackends.Create(backend);
        var factory = new RecordingServerFactory();
        var port = reactor.ListenTcp(0, factory, @interface: "::");
        using var client = TcpTestKit.RawClient(new IPEndPoint(IPAddress.Loopback, port.GetHost().Port));

        reactor.RunUntil(() => factory.Protocols.Count == 1);
        var peer = (IPEndPoint)factory.Peers[0];
        peer.Address.IsIPv4MappedToIPv6.Should().BeTrue();
        peer.Address.MapToIPv4().Should().Be(IPAddress.Loopback);
    }

    [Theory]
    [MemberData(nameof(TcpTestKit.BackendsAndLoopbacks), MemberType = typeof(TcpTestKit))]
    public void After_the_StopListening_Deferred_fires_the_port_number_can_be_bound_again(ReactorBackend backend, string loopback)
    {
        using var reactor = TestBackends.Create(backend);
        var factory = new RecordingServerFactory();
        var port = reactor.ListenTcp(0, factory, @interface: loopback);
        var number = port.GetHost().Port;
        ITcpPort? again = null;
        port.StopListening().AddCallback(_ => again = reactor.ListenTcp(number, factory, @interface: loopback));

        reactor.RunUntil(() => again is not null);
        again!.GetHost().Port.Should().Be(number);
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void StopListening_is_idempotent_and_the_port_closes_on_a_later_iteration(ReactorBackend backend)
    {
        using var reactor = TestBackends.Create(backend);
        var factory = new RecordingServerFactory();
        var port = reactor.ListenTcp(0, factory, @interface: "127.0.0.1");

        var first = port.StopListening();
        var second = port.StopListening();
        second.Should().BeSameAs(first);
        first.Called.Should().BeFalse("the port closes on a later iteration, never inside StopListening");
        factory.Events.Should().NotContain("stopFactory");

        reactor.RunUntil(() => first.Called);
        factory.Events.Should().Equal("startFactory", "stopFactory");
        port.StopListening().Should().BeSameAs(first);
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void A_port_names_its_number_while_listening_and_not_after(ReactorBackend backend)
    {
        using var reactor = TestBackends.Create(backend);
        var port = reactor.ListenTcp(0, new RecordingServerFactory(), @interface: "127.0.0.1");
        var number = port.GetHost().Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        port.ToString().Should().Contain(number);

        var stopped = port.StopListening();
        reactor.RunUntil(() => stopped.Called);
        port.ToString().Should().NotContain(number);
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void An_accepted_transport_is_named_after_its_protocol_session_number_and_real_port(ReactorBackend backend)
    {
        using var reactor = TestBackends.Create(backend);
        var factory = new RecordingServerFactory();
        var port = reactor.ListenTcp(0, factory, @interface: "127.0.0.1");
        using var first = TcpTestKit.RawClient(port.GetHost());
        using var second = TcpTestKit.RawClient(port.GetHost());

        reactor.RunUntil(() => factory.Protocols.Count == 2);
        factory.Protocols[0].Transport!.ToString().Should().Be($"<RecordingStreamProtocol #0 on {port.GetHost().Port}>");
        factory.Protocols[1].Transport!.ToString().Should().Be($"<RecordingStreamProtocol #1 on {port.GetHost().Port}>");
    }

    [Theory]
    [MemberData(nameof(TcpTestKit.BackendsAndLoopbacks), MemberType = typeof(TcpTestKit))]
    public void A_second_listen_on_a_port_in_use_is_a_CannotListen_naming_the_address(ReactorBackend backend, string loopback)
    {
        using var reactor = TestBackends.Create(backend);
        var port = reactor.ListenTcp(0, new RecordingServerFactory(), @interface: loopback);
        var number = port.GetHost().Port;

        var error = reactor.Invoking(r => r.ListenTcp(number, new RecordingServerFactory(), @interface: loopback))
            .Should().Throw<CannotListenException>().Which;
        error.SocketErrorCode.Should().Be(SocketError.AddressAlreadyInUse);
        error.Message.Should().Be($"Couldn't listen on {loopback}:{number}: Address already in use.");
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void Bad_arguments_are_rejected_before_any_socket_exists(ReactorBackend backend)
    {
        using var reactor = TestBackends.Create(backend);
        var fakes = new FakeSockets();
        reactor.Internal().Sockets = fakes;
        var factory = new RecordingServerFactory();

        reactor.Invoking(r => r.ListenTcp(-1, factory)).Should().Throw<ArgumentOutOfRangeException>();
        reactor.Invoking(r => r.ListenTcp(65_536, factory)).Should().Throw<ArgumentOutOfRangeException>();
        reactor.Invoking(r => r.ListenTcp(0, factory, backlog: 0)).Should().Throw<ArgumentOutOfRangeException>();
        reactor.Invoking(r => r.ListenTcp(0, null!)).Should().Throw<ArgumentNullException>();
        reactor.Invoking(r => r.ListenTcp(0, factory, @interface: "localhost")).Should().Throw<InvalidAddressException>();
        reactor.Invoking(r => r.ListenTcp(0, factory, @interface: "[::1]")).Should().Throw<InvalidAddressException>();
        factory.Events.Should().BeEmpty("a factory only starts once its port listens");
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void Running_out_of_descriptors_is_a_CannotListen(ReactorBackend backend)
    {
        using var reactor = TestBackends.Create(backend);
        reactor.Internal().Sockets = new FakeSockets();
        reactor.Invoking(r => r.ListenTcp(0, new RecordingServerFactory(), @interface: "127.0.0.1"))
            .Should().Throw<CannotListenException>().Which.SocketErrorCode.Should().Be(SocketError.TooManyOpenSockets);
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void The_factory_starts_for_the_first_port_and_stops_after_the_last(ReactorBackend backend)
    {
        using var reactor = TestBackends.Create(backend);
        var factory = new RecordingServerFactory();
        var first = reactor.ListenTcp(0, factory, @interface: "127.0.0.1");
        var second = reactor.ListenTcp(0, factory, @interface: "127.0.0.1");
        factory.Events.Should().Equal("startFactory");
        factory.NumberOfPorts.Should().Be(2);

        var firstStopped = first.StopListening();
        reactor.RunUntil(() => firstStopped.Called);
        factory.Events.Should().Equal("startFactory");

        var secondStopped = second.StopListening();
        reactor.RunUntil(() => secondStopped.Called);
        factory.Events.Should().Equal("startFactory", "stopFactory");
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void A_StopFactory_that_throws_fails_the_StopListening_Deferred(ReactorBackend backend)
    {
        using var reactor = TestBackends.Create(backend);
        var factory = new ThrowingStopFactory();
        var port = reactor.ListenTcp(0, factory, @interface: "127.0.0.1");
        Failure? failure = null;
        var stopped = port.StopListening();
        stopped.AddErrback(f =>
        {
            failure = f;
            return (object?)null;
        });

        reactor.RunUntil(() => stopped.Called);
        failure!.Exception.Should().BeOfType<InvalidOperationException>().Which.Message.Should().Be("stop failed");
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void Starting_and_stopping_log_Twisted_s_lines_naming_the_factory_and_port(ReactorBackend backend)
    {
        var logs = new TestLoggerFactory();
        using var reactor = TestBackends.Create(backend, logs);
        var factory = new RecordingServerFactory();
        var port = reactor.ListenTcp(0, factory, @interface: "127.0.0.1");
        var number = port.GetHost().Port;
        var stopped = port.StopListening();
        reactor.RunUntil(() => stopped.Called);

        var lines = logs.Records.Where(r => r.Category == "Reactor.Tcp").Select(r => r.Message).ToList();
        lines.Should().ContainInOrder(
            "Starting factory <RecordingServerFactory>",
            $"RecordingServerFactory starting on {number}",
            $"(TCP Port {number} Closed)",
            "Stopping factory <RecordingServerFactory>");
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void The_port_can_be_closed_from_inside_its_factory_and_the_connection_it_accepted_still_works(ReactorBackend backend)
    {
        using var reactor = TestBackends.Create(backend);
        ITcpPort? port = null;
        Deferred<object?>? stopped = null;
        var factory = new RecordingServerFactory();
        factory.Build = _ =>
        {
            stopped = port!.StopListening();
            return new EchoProtocol();
        };
        port = reactor.ListenTcp(0, factory, @interface: "127.0.0.1");
        var pinger = new RecordingStreamProtocol { OnMade = p => p.Transport!.Write("ping"u8) };
        var client = new RecordingClientFactory { Build = _ => pinger };
        reactor.ConnectTcp("127.0.0.1", port.GetHost().Port, client);

        reactor.RunUntil(() => stopped is { Called: true } && pinger.Received.Length == 4);
        pinger.Received.Should().Equal("ping"u8.ToArray());
    }

    private sealed class ThrowingStopFactory : Factory
    {
        public override Protocol? BuildProtocol(EndPoint address) => new();

        public override void StopFactory() => throw new InvalidOperationException("stop failed");
    }

    private sealed class EchoProtocol : Protocol
    {
        public override void DataReceived(ReadOnlySpan<byte> data) => Transport!.Write(data);
    }
}
