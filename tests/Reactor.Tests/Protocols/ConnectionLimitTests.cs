using System.Net;
using System.Net.Sockets;
using Reactor.Protocols;
using Reactor.Testing;
using Reactor.Tests.Support;
using Reactor.Tests.Tcp;

namespace Reactor.Tests.Protocols;

/// <summary>Twisted's <c>LimitTotalConnectionsFactoryTests</c> and <c>LimitConnectionsByPeer</c>, over fakes and loopback.</summary>
public class ConnectionLimitTests
{
    private static readonly IPEndPoint Peer = PolicyPeers.Peer("192.0.2.1");

    [Fact]
    public void Connections_past_the_total_limit_are_refused_until_one_closes()
    {
        var factory = new LimitTotalConnectionsFactory(Factory.ForProtocol(() => new EchoRecorder()), connectionLimit: 2);

        var first = new FakeStreamTransport().Attach(factory.BuildProtocol(Peer)!);
        var second = new FakeStreamTransport().Attach(factory.BuildProtocol(Peer)!);
        factory.ConnectionCount.Should().Be(2);
        factory.BuildProtocol(Peer).Should().BeNull("the third is past the limit and has no overflow protocol");

        first.ReceiveFin();
        factory.ConnectionCount.Should().Be(1);
        factory.BuildProtocol(Peer).Should().NotBeNull();
        second.Closed.Should().BeFalse();
    }

    [Fact]
    public void The_wrapped_protocol_sees_the_real_transport_and_every_callback()
    {
        var inner = new EchoRecorder();
        var factory = new LimitTotalConnectionsFactory(Factory.ForProtocol(() => inner), connectionLimit: 1);
        var transport = new FakeStreamTransport().Attach(factory.BuildProtocol(Peer)!);

        transport.Receive("hello");
        transport.ReceiveFin();

        inner.Transport.Should().BeSameAs(transport, "TCP and TLS casts keep working under a limit");
        transport.WrittenText.Should().Be("hello");
        inner.Events.Should().Equal("made", "lost");
        inner.Connected.Should().BeFalse();
        inner.Factory.Should().NotBeSameAs(factory, "the inner factory stays the protocol's own");
    }

    [Fact]
    public void The_overflow_protocol_serves_connections_past_the_limit_and_they_count_too()
    {
        var factory = new LimitTotalConnectionsFactory(Factory.ForProtocol(() => new EchoRecorder()), connectionLimit: 1, overflowProtocol: () => new Busy());
        var held = new FakeStreamTransport().Attach(factory.BuildProtocol(Peer)!);

        var overflow = new FakeStreamTransport().Attach(factory.BuildProtocol(Peer)!);

        overflow.WrittenText.Should().Be("busy\r\n");
        overflow.Closed.Should().BeTrue("Busy closes at once");
        factory.ConnectionCount.Should().Be(1, "as in Twisted, an overflow connection counts until it has closed");
        held.Closed.Should().BeFalse();
    }

    [Fact]
    public void An_exception_from_the_wrapped_protocols_ConnectionLost_still_releases_its_place()
    {
        var factory = new LimitTotalConnectionsFactory(Factory.ForProtocol(() => new ThrowsOnLost()), connectionLimit: 1);
        var transport = new FakeStreamTransport().Attach(factory.BuildProtocol(Peer)!);

        transport.ReceiveFin();

        factory.ConnectionCount.Should().Be(0);
    }

    [Fact]
    public void A_wrapped_half_closeable_protocol_still_hears_the_half_close()
    {
        var inner = new HalfCloser();
        var factory = new LimitTotalConnectionsFactory(Factory.ForProtocol(() => inner), connectionLimit: 1);
        var transport = new FakeStreamTransport().Attach(factory.BuildProtocol(Peer)!);

        transport.ReceiveFin();

        inner.ReadLost.Should().BeTrue();
        transport.Closed.Should().BeFalse("a half-closeable protocol keeps writing after the peer's FIN");
    }

    [Fact]
    public void A_null_limit_means_no_limit_and_a_new_limit_applies_to_the_next_connection()
    {
        var factory = new LimitTotalConnectionsFactory(Factory.ForProtocol(() => new EchoRecorder()), connectionLimit: null);
        for (var i = 0; i < 100; i++)
        {
            new FakeStreamTransport().Attach(factory.BuildProtocol(Peer)!);
        }

        factory.ConnectionLimit = 100;
        factory.BuildProtocol(Peer).Should().BeNull();
    }

    [Fact]
    public void Each_peer_address_is_limited_on_its_own_whatever_its_port()
    {
        var factory = new LimitConnectionsByPeer(Factory.ForProtocol(() => new EchoRecorder()), maxConnectionsPerPeer: 2);
        var a1 = new FakeStreamTransport().Attach(factory.BuildProtocol(PolicyPeers.Peer("192.0.2.1", 1))!);
        new FakeStreamTransport().Attach(factory.BuildProtocol(PolicyPeers.Peer("192.0.2.1", 2))!);

        factory.BuildProtocol(PolicyPeers.Peer("192.0.2.1", 3)).Should().BeNull();
        factory.BuildProtocol(PolicyPeers.Peer("::ffff:192.0.2.1", 4)).Should().BeNull("an IPv4-mapped address is the same peer");
        factory.BuildProtocol(PolicyPeers.Peer("192.0.2.2", 1)).Should().NotBeNull("another address has its own allowance");

        a1.ReceiveFin();
        factory.ConnectionsFrom(IPAddress.Parse("192.0.2.1")).Should().Be(1);
        factory.BuildProtocol(PolicyPeers.Peer("192.0.2.1", 5)).Should().NotBeNull();
    }

    [Fact]
    public void A_peer_whose_connections_all_closed_leaves_no_entry()
    {
        var factory = new LimitConnectionsByPeer(Factory.ForProtocol(() => new EchoRecorder()));
        var transports = Enumerable.Range(1, 5).Select(i => new FakeStreamTransport().Attach(factory.BuildProtocol(PolicyPeers.Peer("192.0.2.9", i))!)).ToList();
        factory.PeerCount.Should().Be(1);

        transports.ForEach(t => t.ReceiveReset());

        factory.PeerCount.Should().Be(0, "the table holds only peers with open connections");
    }

    [Fact]
    public void Limits_stack()
    {
        var total = new LimitTotalConnectionsFactory(Factory.ForProtocol(() => new EchoRecorder()), connectionLimit: 3);
        var byPeer = new LimitConnectionsByPeer(total, maxConnectionsPerPeer: 2);

        byPeer.BuildProtocol(PolicyPeers.Peer("192.0.2.1")).Should().NotBeNull();
        byPeer.BuildProtocol(PolicyPeers.Peer("192.0.2.1")).Should().NotBeNull();
        byPeer.BuildProtocol(PolicyPeers.Peer("192.0.2.1")).Should().BeNull("per peer");
        byPeer.BuildProtocol(PolicyPeers.Peer("192.0.2.2")).Should().NotBeNull();
        byPeer.BuildProtocol(PolicyPeers.Peer("192.0.2.3")).Should().BeNull("in total");
        byPeer.ConnectionsFrom(IPAddress.Parse("192.0.2.3")).Should().Be(0, "a refusal further in is not counted");
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void Over_loopback_the_connection_past_the_limit_is_closed_and_the_others_are_served(ReactorBackend backend)
    {
        using var reactor = TestBackends.Create(backend);
        var factory = new LimitTotalConnectionsFactory(Factory.ForProtocol(() => new EchoRecorder()), connectionLimit: 2);
        var port = reactor.ListenTcp(0, factory, @interface: "127.0.0.1");
        var endpoint = new IPEndPoint(IPAddress.Loopback, port.GetHost().Port);
        using var a = TcpTestKit.RawClient(endpoint);
        using var b = TcpTestKit.RawClient(endpoint);
        reactor.RunUntil(() => factory.ConnectionCount == 2);

        using var c = TcpTestKit.RawClient(endpoint);
        var refused = ReadOnIterations(reactor, c);
        refused.Should().Be(0, "the third connection is closed at once");

        a.Send("ping"u8);
        var echoed = new byte[4];
        a.ReceiveTimeout = 100;
        var got = 0;
        reactor.RunUntil(() =>
        {
            try
            {
                got += a.Receive(echoed, got, 4 - got, SocketFlags.None);
            }
            catch (SocketException)
            {
            }

            return got == 4;
        });
        echoed.Should().Equal("ping"u8.ToArray());

        a.Close();
        reactor.RunUntil(() => factory.ConnectionCount == 1);
        using var d = TcpTestKit.RawClient(endpoint);
        reactor.RunUntil(() => factory.ConnectionCount == 2, TimeSpan.FromSeconds(10));
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void Over_loopback_a_peer_address_past_its_allowance_is_closed_and_another_address_is_served(ReactorBackend backend)
    {
        using var reactor = TestBackends.Create(backend);
        var factory = new LimitConnectionsByPeer(Factory.ForProtocol(() => new EchoRecorder()), maxConnectionsPerPeer: 1);
        var port = reactor.ListenTcp(0, factory, @interface: "0.0.0.0");
        var portNumber = port.GetHost().Port;
        using var first = FromSource("127.0.0.1", portNumber);
        reactor.RunUntil(() => factory.PeerCount == 1);

        using var second = FromSource("127.0.0.1", portNumber);
        ReadOnIterations(reactor, second).Should().Be(0, "127.0.0.1 already holds its one connection");

        using var other = FromSource("127.0.0.2", portNumber);
        reactor.RunUntil(() => factory.PeerCount == 2);
        factory.ConnectionsFrom(IPAddress.Parse("127.0.0.2")).Should().Be(1);
    }

    private static Socket FromSource(string source, int port)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Parse(source), 0));
        socket.Connect(new IPEndPoint(IPAddress.Loopback, port));
        return socket;
    }

    /// <summary>Iterates the reactor until <paramref name="socket"/> reads end of stream (0) or an error (-1).</summary>
    private static int ReadOnIterations(IReactor reactor, Socket socket)
    {
        socket.Blocking = false;
        var result = int.MaxValue;
        var buffer = new byte[16];
        reactor.RunUntil(() =>
        {
            try
            {
                var n = socket.Receive(buffer);
                result = n == 0 ? 0 : result;
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.WouldBlock)
            {
            }
            catch (SocketException)
            {
                result = -1;
            }

            return result != int.MaxValue;
        }, TimeSpan.FromSeconds(10));
        return result;
    }

    private sealed class ThrowsOnLost : Protocol
    {
        public override void ConnectionLost(Failure reason) => throw new InvalidOperationException("boom");
    }

    private sealed class HalfCloser : Protocol, IHalfCloseableProtocol
    {
        public bool ReadLost { get; private set; }

        public void ReadConnectionLost() => ReadLost = true;

        public void WriteConnectionLost()
        {
        }
    }
}
