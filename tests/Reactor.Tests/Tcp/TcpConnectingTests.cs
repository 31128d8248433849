using System.Net;
using System.Net.Sockets;
using Reactor.Tests.Support;

namespace Reactor.Tests.Tcp;

/// <summary>
/// Connecting and the connector (twisted-tcp.md §9 B and C: Twisted's <c>test_tcp.py</c> and
/// <c>connectionmixins.py</c>), over real loopback sockets on every backend and both IP families.
/// </summary>
public class TcpConnectingTests
{
    [Theory]
    [MemberData(nameof(TcpTestKit.BackendsAndLoopbacks), MemberType = typeof(TcpTestKit))]
    public void A_connection_runs_the_callbacks_in_Twisted_s_order_on_both_sides(ReactorBackend backend, string loopback)
    {
        using var reactor = TestBackends.Create(backend);
        var server = new RecordingServerFactory();
        var port = reactor.ListenTcp(0, server, @interface: loopback);
        var client = new RecordingClientFactory();
        client.Build = _ =>
        {
            var protocol = new RecordingStreamProtocol { OnMade = p => p.Transport!.LoseConnection() };
            client.Protocols.Add(protocol);
            return protocol;
        };

        var connector = reactor.ConnectTcp(loopback, port.GetHost().Port, client);
        client.Events.Should().Equal("startFactory", "started");
        connector.State.Should().Be(ConnectorState.Connecting);

        reactor.RunUntil(() => client.Events.Contains("stopFactory") && server.Protocols is [{ Losses: 1 }]);
        client.Events.Should().Equal("startFactory", "started", "build", "lost:ConnectionDoneException", "stopFactory");
        client.Protocols.Single().Events.Should().Equal("made", "lost:ConnectionDoneException");
        server.Protocols.Single().Events.Should().Equal("made", "lost:ConnectionDoneException");
        connector.State.Should().Be(ConnectorState.Disconnected);
        connector.Transport.Should().BeNull();
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void The_same_connector_reaches_StartedConnecting_and_ClientConnectionLost_and_GetDestination_is_the_address_given(ReactorBackend backend)
    {
        using var reactor = TestBackends.Create(backend);
        var port = reactor.ListenTcp(0, new RecordingServerFactory(), @interface: "127.0.0.1");
        IConnector? lostConnector = null;
        var client = new RecordingClientFactory { OnLost = (c, _) => lostConnector = c };
        client.Build = _ => new RecordingStreamProtocol { OnMade = p => p.Transport!.LoseConnection() };

        var connector = reactor.ConnectTcp("127.0.0.1", port.GetHost().Port, client);
        reactor.RunUntil(() => lostConnector is not null);

        client.Connectors.Single().Should().BeSameAs(connector);
        lostConnector.Should().BeSameAs(connector);
        connector.GetDestination().Should().Be(new IPEndPoint(IPAddress.Loopback, port.GetHost().Port));
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void A_host_name_is_resolved_and_GetDestination_keeps_the_name_unresolved(ReactorBackend backend)
    {
        using var reactor = TestBackends.Create(backend);
        var server = new RecordingServerFactory();
        var port = reactor.ListenTcp(0, server, @interface: "127.0.0.1");
        var client = new RecordingClientFactory();

        var connector = reactor.ConnectTcp("localhost", port.GetHost().Port, client);
        connector.GetDestination().Should().Be(new DnsEndPoint("localhost", port.GetHost().Port));
        reactor.RunUntil(() => client.Protocols is [{ Connected: true }] && server.Protocols.Count == 1);

        // The peer is the address connected to, not the name (Twisted's test_addresses).
        client.Protocols[0].Tcp.GetPeer().Should().Be(new IPEndPoint(IPAddress.Loopback, port.GetHost().Port));
    }

    [Theory]
    [MemberData(nameof(TcpTestKit.BackendsAndLoopbacks), MemberType = typeof(TcpTestKit))]
    public void Both_ends_see_each_other_s_addresses_and_BuildProtocol_gets_the_peer(ReactorBackend backend, string loopback)
    {
        using var reactor = TestBackends.Create(backend);
        var server = new RecordingServerFactory();
        var port = reactor.ListenTcp(0, server, @interface: loopback);
        var client = new RecordingClientFactory();
        reactor.ConnectTcp(loopback, port.GetHost().Port, client);
        reactor.RunUntil(() => client.Protocols is [{ Connected: true }] && server.Protocols is [{ Connected: true }]);

        var clientTransport = client.Protocols[0].Tcp;
        var serverTransport = server.Protocols[0].Tcp;
        clientTransport.GetPeer().Should().Be(port.GetHost(), "the client's peer is the port (test_hostAddress)");
        client.BuiltFor.Should().Be(port.GetHost(), "the client factory builds for the server's address (test_buildProtocolClient)");
        serverTransport.GetHost().Should().Be(clientTransport.GetPeer());
        serverTransport.GetPeer().Should().Be(clientTransport.GetHost());
        server.Peers.Single().Should().Be(clientTransport.GetHost(), "the server factory builds for the client's address");
        clientTransport.GetHost().Address.Should().Be(IPAddress.Parse(loopback));
    }

    [Theory]
    [MemberData(nameof(TcpTestKit.BackendsAndLoopbacks), MemberType = typeof(TcpTestKit))]
    public void Addresses_stay_readable_after_the_connection_closed(ReactorBackend backend, string loopback)
    {
        using var reactor = TestBackends.Create(backend);
        var server = new RecordingServerFactory { Configure = p => p.OnMade = q => q.Transport!.LoseConnection() };
        var port = reactor.ListenTcp(0, server, @interface: loopback);
        var client = new RecordingClientFactory();
        reactor.ConnectTcp(loopback, port.GetHost().Port, client);
        reactor.RunUntil(() => client.Protocols is [{ Losses: 1 }] && server.Protocols is [{ Losses: 1 }]);

        client.Protocols[0].Tcp.GetPeer().Should().Be(port.GetHost());
        server.Protocols[0].Tcp.GetHost().Should().Be(port.GetHost());
    }

    [Theory]
    [MemberData(nameof(TcpTestKit.BackendsAndLoopbacks), MemberType = typeof(TcpTestKit))]
    public void A_refused_connection_is_a_ConnectionRefused_with_the_OS_error_reported_after_ConnectTcp_returns(ReactorBackend backend, string loopback)
    {
        using var reactor = TestBackends.Create(backend);
        var closed = ClosedPort(loopback);
        var client = new RecordingClientFactory();

        var connector = reactor.ConnectTcp(loopback, closed, client);
        client.Events.Should().Equal("startFactory", "started");

        reactor.RunUntil(() => client.FailedReason is not null && client.Events.Contains("stopFactory"));
        var refused = client.FailedReason!.Exception.Should().BeOfType<ConnectionRefusedException>().Which;
        refused.SocketErrorCode.Should().Be(SocketError.ConnectionRefused);
        refused.Destination.Should().Be(new IPEndPoint(IPAddress.Parse(loopback), closed));
        client.Events.Should().Equal("startFactory", "started", "failed:ConnectionRefusedException", "stopFactory");
        connector.State.Should().Be(ConnectorState.Disconnected);
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void StopConnecting_inside_StartedConnecting_fails_the_attempt_with_ConnectingCancelled_after_the_call(ReactorBackend backend)
    {
        using var reactor = TestBackends.Create(backend);
        var port = reactor.ListenTcp(0, new RecordingServerFactory(), @interface: "127.0.0.1");
        var client = new RecordingClientFactory();
        client.OnStarted = c =>
        {
            c.StopConnecting();
            client.Events.Should().NotContain(e => e.StartsWith("failed", StringComparison.Ordinal), "a failure is never reported from inside the call");
        };

        reactor.ConnectTcp("127.0.0.1", port.GetHost().Port, client);
        reactor.RunUntil(() => client.FailedReason is not null);
        client.FailedReason!.Exception.Should().BeOfType<ConnectingCancelledException>();
        client.Protocols.Should().BeEmpty();
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void StopConnecting_when_not_connecting_throws(ReactorBackend backend)
    {
        using var reactor = TestBackends.Create(backend);
        var client = new RecordingClientFactory();
        var connector = reactor.ConnectTcp("127.0.0.1", ClosedPort("127.0.0.1"), client);
        reactor.RunUntil(() => client.FailedReason is not null);

        connector.Invoking(c => c.StopConnecting()).Should().Throw<InvalidOperationException>();
        connector.Disconnect(); // nothing to do, and no exception
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void Connect_inside_ClientConnectionLost_reconnects_and_the_factory_stays_started(ReactorBackend backend)
    {
        using var reactor = TestBackends.Create(backend);
        var server = new RecordingServerFactory { Configure = p => p.OnMade = q => q.Transport!.LoseConnection() };
        var port = reactor.ListenTcp(0, server, @interface: "127.0.0.1");
        var client = new RecordingClientFactory();
        var losses = 0;
        client.OnLost = (connector, _) =>
        {
            if (++losses < 3)
            {
                connector.Connect();
            }
        };

        reactor.ConnectTcp("127.0.0.1", port.GetHost().Port, client);
        reactor.RunUntil(() => client.Events.Contains("stopFactory"));
        losses.Should().Be(3);
        server.Protocols.Should().HaveCount(3);
        client.Events.Count(e => e == "startFactory").Should().Be(1);
        client.Events.Count(e => e == "stopFactory").Should().Be(1);
        client.Events.Count(e => e == "started").Should().Be(3);
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void Connect_while_connecting_throws(ReactorBackend backend)
    {
        using var reactor = TestBackends.Create(backend);
        var port = reactor.ListenTcp(0, new RecordingServerFactory(), @interface: "127.0.0.1");
        var connector = reactor.ConnectTcp("127.0.0.1", port.GetHost().Port, new RecordingClientFactory());
        connector.Invoking(c => c.Connect()).Should().Throw<InvalidOperationException>().WithMessage("*Connecting*");
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void Stopping_the_reactor_from_ClientConnectionFailed_works(ReactorBackend backend)
    {
        using var reactor = TestBackends.Create(backend);
        var client = new RecordingClientFactory { OnFailed = (_, _) => reactor.Stop() };
        reactor.CallWhenRunning(() => reactor.ConnectTcp("127.0.0.1", ClosedPort("127.0.0.1"), client));
        reactor.RunWithTimeout();
        client.FailedReason!.Exception.Should().BeOfType<ConnectionRefusedException>();
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void A_bind_address_in_use_fails_the_attempt_with_ConnectBind(ReactorBackend backend)
    {
        using var reactor = TestBackends.Create(backend);
        var port = reactor.ListenTcp(0, new RecordingServerFactory(), @interface: "127.0.0.1");
        using var holder = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        holder.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        holder.Listen();
        var taken = (IPEndPoint)holder.LocalEndPoint!;
        var client = new RecordingClientFactory();

        reactor.ConnectTcp("127.0.0.1", port.GetHost().Port, client, bindAddress: taken);
        reactor.RunUntil(() => client.FailedReason is not null);
        var error = client.FailedReason!.Exception.Should().BeOfType<ConnectBindException>().Which;
        error.SocketErrorCode.Should().Be(SocketError.AddressAlreadyInUse);
        error.BindAddress.Should().Be(taken);
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void A_bind_address_is_the_connection_s_local_address(ReactorBackend backend)
    {
        using var reactor = TestBackends.Create(backend);
        var port = reactor.ListenTcp(0, new RecordingServerFactory(), @interface: "127.0.0.1");
        var free = ClosedPort("127.0.0.1");
        var client = new RecordingClientFactory();
        reactor.ConnectTcp("127.0.0.1", port.GetHost().Port, client, bindAddress: new IPEndPoint(IPAddress.Loopback, free));
        reactor.RunUntil(() => client.Protocols is [{ Connected: true }]);
        client.Protocols[0].Tcp.GetHost().Should().Be(new IPEndPoint(IPAddress.Loopback, free));
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void An_attempt_that_outlasts_its_timeout_fails_with_ConnectTimeout(ReactorBackend backend)
    {
        using var reactor = TestBackends.Create(backend);

        // A listener that never accepts, with its queue filled: further SYNs are dropped and the connect hangs.
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(0);
        var address = (IPEndPoint)listener.LocalEndPoint!;
        var fillers = new List<Socket>();
        try
        {
            for (var i = 0; i < 4; i++)
            {
                var filler = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { Blocking = false };
                try
                {
                    filler.Connect(address);
                }
                catch (SocketException)
                {
                }

                fillers.Add(filler);
            }

            var client = new RecordingClientFactory();
            var started = DateTime.UtcNow;
            reactor.ConnectTcp("127.0.0.1", address.Port, client, timeout: TimeSpan.FromMilliseconds(500));
            reactor.RunUntil(() => client.FailedReason is not null);

            var elapsed = DateTime.UtcNow - started;
            var timedOut = client.FailedReason!.Exception.Should().BeOfType<ConnectTimeoutException>().Which;
            timedOut.Timeout.Should().Be(TimeSpan.FromMilliseconds(500));
            timedOut.Message.Should().StartWith("User timeout caused connection failure");
            elapsed.Should().BeGreaterThanOrEqualTo(TimeSpan.FromMilliseconds(450));
        }
        finally
        {
            foreach (var filler in fillers)
            {
                filler.Dispose();
            }
        }
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void A_socket_the_OS_refuses_fails_the_attempt_after_ConnectTcp_returns(ReactorBackend backend)
    {
        using var reactor = TestBackends.Create(backend);
        reactor.Internal().Sockets = new FakeSockets();
        var client = new RecordingClientFactory();

        reactor.ConnectTcp("127.0.0.1", 9, client);
        client.FailedReason.Should().BeNull("failures are reported on a later turn of the loop (D26)");
        reactor.RunUntil(() => client.FailedReason is not null);
        client.FailedReason!.Exception.Should().BeOfType<ConnectException>().Which.SocketErrorCode.Should().Be(SocketError.TooManyOpenSockets);
    }

    [Fact]
    public void An_unresolvable_host_fails_the_attempt_with_DnsLookup()
    {
        using var reactor = TestBackends.Create(ReactorBackend.Portable);
        var resolver = new Reactor.Testing.FakeResolver();
        reactor.InstallResolver(resolver);
        var client = new RecordingClientFactory();
        reactor.ConnectTcp("nowhere.example.test", 80, client);
        reactor.RunUntil(() => client.FailedReason is not null);
        client.FailedReason!.Exception.Should().BeOfType<DnsLookupException>().Which.Name.Should().Be("nowhere.example.test");
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void A_client_factory_that_builds_no_protocol_gets_a_clean_close_and_ClientConnectionLost(ReactorBackend backend)
    {
        using var reactor = TestBackends.Create(backend);
        var server = new RecordingServerFactory();
        var port = reactor.ListenTcp(0, server, @interface: "127.0.0.1");
        var client = new RecordingClientFactory { Build = _ => null };
        reactor.ConnectTcp("127.0.0.1", port.GetHost().Port, client);

        reactor.RunUntil(() => client.LostReason is not null && server.Protocols is [{ Losses: 1 }]);
        client.LostReason!.Exception.Should().BeOfType<ConnectionDoneException>();
        client.FailedReason.Should().BeNull();
        server.Protocols[0].LostReason!.Exception.Should().BeOfType<ConnectionDoneException>();
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void A_server_factory_that_builds_no_protocol_closes_the_connection_and_the_port_keeps_accepting(ReactorBackend backend)
    {
        using var reactor = TestBackends.Create(backend);
        var refuse = true;
        var server = new RecordingServerFactory();
        server.Build = _ =>
        {
            if (refuse)
            {
                refuse = false;
                return null;
            }

            var protocol = new RecordingStreamProtocol();
            server.Protocols.Add(protocol);
            return protocol;
        };
        var port = reactor.ListenTcp(0, server, @interface: "127.0.0.1");
        var refused = new RecordingClientFactory();
        reactor.ConnectTcp("127.0.0.1", port.GetHost().Port, refused);
        reactor.RunUntil(() => refused.LostReason is not null);
        refused.Protocols.Single().Events.Should().Equal("made", "lost:ConnectionDoneException");

        var accepted = new RecordingClientFactory();
        reactor.ConnectTcp("127.0.0.1", port.GetHost().Port, accepted);
        reactor.RunUntil(() => server.Protocols.Count == 1);
        server.Protocols[0].Transport!.ToString().Should().Contain("#0", "a refused connection does not use up a session number");
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void A_BuildProtocol_that_throws_resets_that_connection_and_the_port_keeps_accepting(ReactorBackend backend)
    {
        var logs = new TestLoggerFactory();
        using var reactor = TestBackends.Create(backend, logs);
        var fail = true;
        var server = new RecordingServerFactory();
        server.Build = _ =>
        {
            if (fail)
            {
                fail = false;
                throw new InvalidOperationException("no protocol for you");
            }

            var protocol = new RecordingStreamProtocol();
            server.Protocols.Add(protocol);
            return protocol;
        };
        var port = reactor.ListenTcp(0, server, @interface: "127.0.0.1");
        var first = new RecordingClientFactory();
        reactor.ConnectTcp("127.0.0.1", port.GetHost().Port, first);
        reactor.RunUntil(() => first.LostReason is not null || first.FailedReason is not null);

        // The server resets it (D16): the client sees the reset on its first read, or already as the connect's result.
        var reason = first.LostReason ?? first.FailedReason!;
        reason.Exception.Should().Match(e => e is ConnectionLostException || e is ConnectException);
        ((int?)(reason.Exception as ConnectionLostException)?.SocketErrorCode ?? (int)((ConnectException)reason.Exception).SocketErrorCode)
            .Should().Be((int)SocketError.ConnectionReset);
        logs.WithEventId(405).Should().ContainSingle().Which.Exception!.Message.Should().Be("no protocol for you");

        var second = new RecordingClientFactory();
        reactor.ConnectTcp("127.0.0.1", port.GetHost().Port, second);
        reactor.RunUntil(() => server.Protocols is [{ Connected: true }]);
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void Bad_ConnectTcp_arguments_are_rejected_before_anything_starts(ReactorBackend backend)
    {
        using var reactor = TestBackends.Create(backend);
        var client = new RecordingClientFactory();
        reactor.Invoking(r => r.ConnectTcp(null!, 80, client)).Should().Throw<ArgumentNullException>();
        reactor.Invoking(r => r.ConnectTcp("", 80, client)).Should().Throw<ArgumentException>();
        reactor.Invoking(r => r.ConnectTcp("127.0.0.1", 0, client)).Should().Throw<ArgumentOutOfRangeException>();
        reactor.Invoking(r => r.ConnectTcp("127.0.0.1", 65_536, client)).Should().Throw<ArgumentOutOfRangeException>();
        reactor.Invoking(r => r.ConnectTcp("127.0.0.1", 80, client, timeout: TimeSpan.Zero)).Should().Throw<ArgumentOutOfRangeException>();
        reactor.Invoking(r => r.ConnectTcp("127.0.0.1", 80, null!)).Should().Throw<ArgumentNullException>();
        client.Events.Should().BeEmpty();
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void PauseProducing_in_a_client_s_ConnectionMade_holds_the_data_until_resumed(ReactorBackend backend)
    {
        using var reactor = TestBackends.Create(backend);
        var server = new RecordingServerFactory { Configure = p => p.OnMade = q => q.Transport!.Write("early"u8) };
        var port = reactor.ListenTcp(0, server, @interface: "127.0.0.1");
        var client = new RecordingClientFactory();
        client.Build = _ =>
        {
            var protocol = new RecordingStreamProtocol { OnMade = p => p.Transport!.PauseProducing() };
            client.Protocols.Add(protocol);
            return protocol;
        };
        reactor.ConnectTcp("127.0.0.1", port.GetHost().Port, client);
        reactor.RunUntil(() => server.Protocols is [{ Connected: true }] && client.Protocols is [{ Connected: true }]);

        for (var i = 0; i < 20; i++)
        {
            reactor.Iterate(TimeSpan.FromMilliseconds(2));
        }

        client.Protocols[0].Received.Should().BeEmpty("a paused transport does not read");
        client.Protocols[0].Transport!.ResumeProducing();
        reactor.RunUntil(() => client.Protocols[0].Received.Length == 5);
    }

    /// <summary>A port on <paramref name="loopback"/> that nothing listens on (bound and released).</summary>
    internal static int ClosedPort(string loopback)
    {
        using var socket = new Socket(IPAddress.Parse(loopback).AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Parse(loopback), 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }
}
