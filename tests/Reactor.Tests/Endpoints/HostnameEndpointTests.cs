using System.Net;
using Reactor.Endpoints;
using Reactor.Testing;
using Reactor.Tests.Support;
using Reactor.Tests.Tcp;
using static Reactor.Tests.Endpoints.EndpointTestKit;

namespace Reactor.Tests.Endpoints;

/// <summary>
/// HostnameEndpoint's happy eyeballs (RFC 8305, decision D33) on a <see cref="MemoryReactor"/> with a
/// <see cref="FakeResolver"/> and the memory reactor's <see cref="Clock"/>: families interleaved, one attempt per 250 ms,
/// the next at once after a failure, the first connection wins and cancels the rest, one overall deadline, and an error
/// that lists every attempt (Twisted's HostnameEndpoint tests, twisted-tcp.md §9 L). Once more over real loopback with a
/// dead IPv6 and a live IPv4 address.
/// </summary>
public class HostnameEndpointTests
{
    private static readonly IPAddress V6a = IPAddress.Parse("2001:db8::1");
    private static readonly IPAddress V6b = IPAddress.Parse("2001:db8::2");
    private static readonly IPAddress V4a = IPAddress.Parse("192.0.2.1");
    private static readonly IPAddress V4b = IPAddress.Parse("192.0.2.2");

    private readonly MemoryReactor _reactor = new();
    private readonly FakeResolver _resolver = new();

    public HostnameEndpointTests() => _reactor.InstallResolver(_resolver);

    private Deferred<Protocol> Connect(params IPAddress[] addresses) => Connect(new RecordingServerFactory(), addresses);

    private Deferred<Protocol> Connect(Factory factory, params IPAddress[] addresses)
    {
        _resolver.Add("example.test", addresses);
        return new HostnameEndpoint(_reactor, "example.test", 443, TimeSpan.FromSeconds(10)).Connect(factory);
    }

    private List<string> Attempted() => [.. _reactor.TcpClients.Select(c => c.Host)];

    private MemoryConnector AttemptTo(IPAddress address) => _reactor.TcpClients.Single(c => c.Host == address.ToString()).Connector;

    private void Advance(double seconds) => _reactor.Clock.Advance(TimeSpan.FromSeconds(seconds));

    [Fact]
    public void Attempts_interleave_the_families_in_the_resolver_s_order_one_every_250_ms()
    {
        Connect(V6a, V6b, V4a, V4b);

        Attempted().Should().Equal(V6a.ToString());
        Advance(0.249);
        Attempted().Should().HaveCount(1, "the next attempt waits 250 ms");
        Advance(0.001);
        Attempted().Should().Equal(V6a.ToString(), V4a.ToString());
        Advance(0.25);
        Advance(0.25);
        Attempted().Should().Equal(V6a.ToString(), V4a.ToString(), V6b.ToString(), V4b.ToString());
        Advance(5);
        Attempted().Should().HaveCount(4, "every address is tried once");
    }

    [Fact]
    public void The_family_of_the_resolver_s_first_answer_goes_first()
    {
        // Twisted's test_IPv4IsFaster/test_IPv6IsFaster order by the resolver; so does RFC 8305 (the resolver sorts, RFC 6724).
        Connect(V4a, V4b, V6a);
        Advance(0.25);
        Advance(0.25);
        Attempted().Should().Equal(V4a.ToString(), V6a.ToString(), V4b.ToString());
    }

    [Fact]
    public void A_failed_attempt_starts_the_next_one_at_once()
    {
        Connect(V6a, V4a, V4b);
        Advance(0.1);

        AttemptTo(V6a).Fail(new ConnectionRefusedException(new IPEndPoint(V6a, 443)));

        Attempted().Should().Equal(V6a.ToString(), V4a.ToString());
        Advance(0.249);
        Attempted().Should().HaveCount(2, "the delay restarts from the attempt that just started");
        Advance(0.001);
        Attempted().Should().HaveCount(3);
    }

    [Fact]
    public void The_first_connection_wins_the_others_are_cancelled_and_only_one_protocol_is_built()
    {
        // Twisted's test_otherConnectionsCancelled.
        var factory = new RecordingServerFactory();
        var result = Connect(factory, V6a, V4a);
        Advance(0.25);

        var built = AttemptTo(V4a).Establish();
        _reactor.RunPendingCalls();

        AttemptTo(V6a).State.Should().Be(ConnectorState.Disconnected, "the IPv6 attempt was cancelled");
        factory.Peers.Should().Equal(new IPEndPoint(V4a, 443));
        Advance(0);
        ResultOf(result).Should().BeSameAs(built);
    }

    [Fact]
    public void A_connection_that_completes_after_the_winner_is_closed_unused()
    {
        var factory = new RecordingServerFactory();
        var result = Connect(factory, V6a, V4a);
        Advance(0.25);
        var losers = _reactor.TcpClients.Select(c => c.Factory).ToList();
        AttemptTo(V4a).Establish();

        losers[0].BuildProtocol(new IPEndPoint(V6a, 443)).Should().BeNull("a second connection gets no protocol of the factory's");

        factory.Protocols.Should().ContainSingle();
        Advance(0);
        result.Called.Should().BeTrue();
    }

    [Fact]
    public void When_every_attempt_fails_the_error_lists_them_all_in_order()
    {
        var result = Connect(V6a, V4a);
        AttemptTo(V6a).Fail(new ConnectionRefusedException(new IPEndPoint(V6a, 443)));
        AttemptTo(V4a).Fail(new NoRouteException(new IPEndPoint(V4a, 443), System.Net.Sockets.SocketError.HostUnreachable));

        var error = FailureOf(result).Should().BeOfType<ConnectAttemptsFailedException>().Subject;
        error.Attempts.Select(a => a.Destination).Should().Equal(new IPEndPoint(V6a, 443), new IPEndPoint(V4a, 443));
        error.Attempts[0].Should().BeOfType<ConnectionRefusedException>();
        error.TimedOut.Should().BeFalse();
        error.Destination.Should().Be(new DnsEndPoint("example.test", 443));
        error.InnerException.Should().BeSameAs(error.Attempts[1], "the last failure, which is all Twisted reports");
        error.Message.Should().StartWith("Could not connect to example.test:443 (2 addresses tried): [2001:db8::1]:443: ")
            .And.Contain("; 192.0.2.1:443: ");
    }

    [Fact]
    public void One_deadline_covers_every_attempt_and_lists_the_unfinished_ones_as_timed_out()
    {
        var result = Connect(V6a, V4a);
        AttemptTo(V6a).Fail(new ConnectionRefusedException(new IPEndPoint(V6a, 443)));
        Advance(9.999);
        result.Called.Should().BeFalse();

        Advance(0.001);

        var error = FailureOf(result).Should().BeOfType<ConnectAttemptsFailedException>().Subject;
        error.TimedOut.Should().BeTrue();
        error.Attempts[0].Should().BeOfType<ConnectionRefusedException>();
        error.Attempts[1].Should().BeOfType<ConnectTimeoutException>().Which.Destination.Should().Be(new IPEndPoint(V4a, 443));
        error.Message.Should().Contain("before the timeout").And.Contain("192.0.2.1:443: timed out after 10 s");
        _reactor.RunPendingCalls();
        AttemptTo(V4a).State.Should().Be(ConnectorState.Disconnected, "the attempt still under way was stopped");
        _reactor.Clock.GetDelayedCalls().Should().BeEmpty("no timer outlives the connect");
    }

    [Fact]
    public void Each_attempt_may_take_only_what_is_left_of_the_deadline()
    {
        Connect(V6a, V4a);
        Advance(0.25);
        _reactor.TcpClients[0].Timeout.Should().Be(TimeSpan.FromSeconds(10));
        _reactor.TcpClients[1].Timeout.Should().Be(TimeSpan.FromSeconds(9.75));
    }

    [Fact]
    public void A_lookup_that_outlasts_the_deadline_fails_with_ConnectTimeoutException()
    {
        _resolver.HoldLookups = true;
        var result = new HostnameEndpoint(_reactor, "slow.test", 443, TimeSpan.FromSeconds(2)).Connect(new RecordingServerFactory());
        Advance(2);
        FailureOf(result).Should().BeOfType<ConnectTimeoutException>().Which.Destination.Should().Be(new DnsEndPoint("slow.test", 443));
        _resolver.Complete("slow.test", V4a);
        _reactor.TcpClients.Should().BeEmpty("an answer after the deadline starts nothing");
    }

    [Fact]
    public void A_name_that_does_not_resolve_or_has_no_address_fails_with_DnsLookupException()
    {
        // Twisted's test_failure.
        var missing = new HostnameEndpoint(_reactor, "nowhere.test", 443).Connect(new RecordingServerFactory());
        FailureOf(missing).Should().BeOfType<DnsLookupException>();
        _resolver.Fail("broken.test", new InvalidOperationException("SERVFAIL"));
        var broken = new HostnameEndpoint(_reactor, "broken.test", 443).Connect(new RecordingServerFactory());
        FailureOf(broken).Should().BeOfType<DnsLookupException>();
        _reactor.TcpClients.Should().BeEmpty();
    }

    [Fact]
    public void Cancelling_stops_the_lookup_or_every_attempt_and_fails_with_ConnectingCancelledException()
    {
        // Twisted's test_endpointConnectingCancelled and …AfterAllAttemptsStarted.
        var result = Connect(V6a, V4a);
        Advance(0.25);

        result.Cancel();

        FailureOf(result).Should().BeOfType<ConnectingCancelledException>().Which.Destination.Should().Be(new DnsEndPoint("example.test", 443));
        _reactor.RunPendingCalls();
        _reactor.TcpClients.Should().OnlyContain(c => c.Connector.State == ConnectorState.Disconnected);
        Advance(1);
        Attempted().Should().HaveCount(2);

        _resolver.HoldLookups = true;
        var resolving = new HostnameEndpoint(_reactor, "held.test", 443).Connect(new RecordingServerFactory());
        resolving.Cancel();
        FailureOf(resolving).Should().BeOfType<ConnectingCancelledException>();
        _resolver.Complete("held.test", V4a);
        Attempted().Should().HaveCount(2, "an answer after the cancel starts nothing");
    }

    [Fact]
    public void A_success_after_every_address_was_tried_still_wins()
    {
        // Twisted's test_endpointConnectSuccessAfterIteration and …FailureAfterIteration.
        var result = Connect(V6a, V4a);
        Advance(0.25);
        AttemptTo(V4a).Fail(new ConnectionRefusedException(new IPEndPoint(V4a, 443)));
        result.Called.Should().BeFalse("the IPv6 attempt is still under way");

        AttemptTo(V6a).Establish();
        Advance(0);

        ResultOf(result).Should().NotBeNull();
    }

    [Fact]
    public void The_winner_s_own_outcome_is_reported_NoProtocol_when_the_factory_builds_none()
    {
        var result = Connect(new RecordingServerFactory { Build = _ => null }, V4a, V6a);
        AttemptTo(V4a).Establish();
        Advance(0);
        FailureOf(result).Should().BeOfType<NoProtocolException>();
    }

    [Fact]
    public void An_IP_literal_is_connected_to_without_a_lookup_and_a_bind_address_keeps_to_its_family()
    {
        new HostnameEndpoint(_reactor, "::1", 443).Connect(new RecordingServerFactory());
        _resolver.Lookups.Should().BeEmpty();
        Attempted().Should().Equal("::1");

        _resolver.Add("both.test", V6a, V4a);
        new HostnameEndpoint(_reactor, "both.test", 443, bindAddress: new IPEndPoint(IPAddress.Parse("192.0.2.99"), 0)).Connect(new RecordingServerFactory());
        Advance(1);
        Attempted().Should().Equal("::1", V4a.ToString());
    }

    [Fact]
    public void Host_names_are_converted_to_IDNA_and_a_bad_one_fails_the_connect()
    {
        // Twisted's test_idnaHostnameText and test_deferBadEncodingToConnect.
        _resolver.Add("xn--bcher-kva.example", V4a);
        new HostnameEndpoint(_reactor, "bücher.example", 443).Connect(new RecordingServerFactory());
        _resolver.Lookups.Should().ContainSingle().Which.Name.Should().Be("xn--bcher-kva.example");

        var bad = new HostnameEndpoint(_reactor, "bad\u0000name.ü", 443).Connect(new RecordingServerFactory());
        FailureOf(bad).Should().BeOfType<InvalidAddressException>();
    }

    [Fact]
    public void The_endpoint_describes_itself_as_Twisted_does()
    {
        new HostnameEndpoint(_reactor, "example.com", 80).ToString().Should().Be("<HostnameEndpoint example.com:80>");
        new HostnameEndpoint(_reactor, "::1", 80).ToString().Should().Be("<HostnameEndpoint [::1]:80>");
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void Over_loopback_a_dead_IPv6_address_fails_fast_and_the_live_IPv4_one_connects(ReactorBackend backend)
    {
        using var reactor = TestBackends.Create(backend);
        var port = reactor.ListenTcp(0, new RecordingServerFactory(), @interface: "127.0.0.1").GetHost().Port;
        var resolver = new FakeResolver();
        resolver.Add("dual.test", IPAddress.IPv6Loopback, IPAddress.Loopback); // nothing listens on [::1]:port
        reactor.InstallResolver(resolver);

        // A 10 s attempt delay: only the failover on the refusal can start the IPv4 attempt within the test's bound.
        var result = new HostnameEndpoint(reactor, "dual.test", port, TimeSpan.FromSeconds(20), attemptDelay: TimeSpan.FromSeconds(10))
            .Connect(new RecordingServerFactory());

        reactor.RunUntilFired(result, TimeSpan.FromSeconds(5));
        var protocol = ResultOf(result);
        ((ITcpTransport)protocol.Transport!).GetPeer().Should().Be(new IPEndPoint(IPAddress.Loopback, port));
        protocol.Connected.Should().BeTrue();
    }
}
