using System.Net;
using System.Net.Sockets;
using Reactor.Protocols;
using Reactor.Testing;
using Reactor.Tests.Support;
using Reactor.Tests.Tcp;

namespace Reactor.Tests.Protocols;

/// <summary>Twisted's <c>ThrottlingTests</c> on a <see cref="Clock"/>, the pause bookkeeping of D60, and one loopback run.</summary>
public class ThrottlingFactoryTests
{
    private static readonly IPEndPoint Peer = PolicyPeers.Peer("192.0.2.1");
    private static readonly TimeSpan Second = TimeSpan.FromSeconds(1);

    [Fact]
    public void Reading_past_the_limit_pauses_every_connection_for_the_excess_then_resumes()
    {
        var clock = new Clock();
        var factory = new ThrottlingFactory(clock, Factory.ForProtocol(() => new EchoRecorder { Echo = false }), readLimit: 100);
        var busy = new FakeStreamTransport().Attach(factory.BuildProtocol(Peer)!);
        var quiet = new FakeStreamTransport().Attach(factory.BuildProtocol(Peer)!);

        busy.Receive(new byte[300]);
        factory.ReadThisSecond.Should().Be(300);
        clock.Advance(Second);

        factory.ReadsThrottled.Should().BeTrue();
        busy.Paused.Should().BeTrue();
        quiet.Paused.Should().BeTrue("the limit is for the factory's connections together");
        factory.ReadThisSecond.Should().Be(0, "each second starts from zero");

        clock.Advance(TimeSpan.FromSeconds(1.9));
        busy.Paused.Should().BeTrue("300 bytes at 100/s take 3 s: paused for the 2 s beyond the first");
        clock.Advance(TimeSpan.FromSeconds(0.1));
        factory.ReadsThrottled.Should().BeFalse();
        busy.Paused.Should().BeFalse();
        quiet.Paused.Should().BeFalse();
    }

    [Fact]
    public void Reading_within_the_limit_never_pauses()
    {
        var clock = new Clock();
        var factory = new ThrottlingFactory(clock, Factory.ForProtocol(() => new EchoRecorder { Echo = false }), readLimit: 100);
        var transport = new FakeStreamTransport().Attach(factory.BuildProtocol(Peer)!);
        for (var i = 0; i < 10; i++)
        {
            transport.Receive(new byte[100]);
            clock.Advance(Second);
            transport.Paused.Should().BeFalse();
        }
    }

    [Fact]
    public void A_protocol_that_paused_itself_stays_paused_when_the_throttle_ends()
    {
        var clock = new Clock();
        var inner = new EchoRecorder { Echo = false };
        var factory = new ThrottlingFactory(clock, Factory.ForProtocol(() => inner), readLimit: 100);
        var transport = new FakeStreamTransport().Attach(factory.BuildProtocol(Peer)!);
        transport.Receive(new byte[200]);
        clock.Advance(Second);
        transport.Paused.Should().BeTrue();

        inner.Transport!.PauseProducing();
        clock.Advance(Second);

        factory.ReadsThrottled.Should().BeFalse();
        transport.Paused.Should().BeTrue("D60: the protocol's own pause is not lifted by the throttle's end");
        inner.Transport.ResumeProducing();
        transport.Paused.Should().BeFalse();
    }

    [Fact]
    public void Writing_past_the_limit_pauses_the_registered_push_producer_and_resumes_it_after()
    {
        var clock = new Clock();
        var producer = new CountingPush();
        var inner = new WritesWithProducer(producer);
        var factory = new ThrottlingFactory(clock, Factory.ForProtocol(() => inner), writeLimit: 1000);
        var transport = new FakeStreamTransport().Attach(factory.BuildProtocol(Peer)!);

        inner.Transport!.Write(new byte[3000]);
        factory.WrittenThisSecond.Should().Be(3000);
        transport.Written.Should().HaveCount(3000, "writes are counted, not held");
        clock.Advance(Second);

        factory.WritesThrottled.Should().BeTrue();
        producer.Pauses.Should().Be(1);
        clock.Advance(TimeSpan.FromSeconds(2));
        producer.Resumes.Should().Be(1);
    }

    [Fact]
    public void A_producer_paused_by_the_watermark_is_not_resumed_by_the_throttle_ending()
    {
        var clock = new Clock();
        var producer = new CountingPush();
        var inner = new WritesWithProducer(producer);
        var factory = new ThrottlingFactory(clock, Factory.ForProtocol(() => inner), writeLimit: 100);
        var transport = new FakeStreamTransport().Attach(factory.BuildProtocol(Peer)!);
        transport.LowWatermark = 0;
        transport.HighWatermark = 10;
        transport.FillSendBuffer();

        inner.Transport!.Write(new byte[200]);
        producer.Pauses.Should().Be(1, "the transport's buffer passed its high watermark");
        clock.Advance(Second);
        clock.Advance(Second);

        factory.WritesThrottled.Should().BeFalse();
        producer.Resumes.Should().Be(0, "D60: the watermark still holds it");
        producer.Pauses.Should().Be(1, "already paused: the throttle does not pause it twice");
        transport.DrainSendBuffer();
        producer.Resumes.Should().Be(1);
    }

    [Fact]
    public void A_pull_producer_is_not_asked_for_more_while_writes_are_throttled()
    {
        var clock = new Clock();
        var producer = new CountingPull();
        var inner = new WritesWithProducer(producer, streaming: false);
        var factory = new ThrottlingFactory(clock, Factory.ForProtocol(() => inner), writeLimit: 100);
        var transport = new FakeStreamTransport().Attach(factory.BuildProtocol(Peer)!);
        var askedAtRegister = producer.Asked;

        inner.Transport!.Write(new byte[300]);
        clock.Advance(Second);
        factory.WritesThrottled.Should().BeTrue();
        transport.Pump();
        producer.Asked.Should().Be(askedAtRegister, "the transport's request waits for the throttle to end");

        clock.Advance(TimeSpan.FromSeconds(2));
        producer.Asked.Should().Be(askedAtRegister + 1);
    }

    [Fact]
    public void A_connection_made_while_reads_are_throttled_starts_paused()
    {
        var clock = new Clock();
        var factory = new ThrottlingFactory(clock, Factory.ForProtocol(() => new EchoRecorder { Echo = false }), readLimit: 10);
        var first = new FakeStreamTransport().Attach(factory.BuildProtocol(Peer)!);
        first.Receive(new byte[100]);
        clock.Advance(Second);

        var late = new FakeStreamTransport().Attach(factory.BuildProtocol(Peer)!);

        late.Paused.Should().BeTrue();
    }

    [Fact]
    public void Connections_past_the_maximum_are_refused_and_the_checks_stop_with_the_last_connection()
    {
        var clock = new Clock();
        var factory = new ThrottlingFactory(clock, Factory.ForProtocol(() => new EchoRecorder()), maxConnectionCount: 1, readLimit: 10, writeLimit: 10);
        clock.GetDelayedCalls().Should().BeEmpty("nothing runs before the first connection");
        var transport = new FakeStreamTransport().Attach(factory.BuildProtocol(Peer)!);
        factory.BuildProtocol(Peer).Should().BeNull();
        clock.GetDelayedCalls().Should().HaveCount(2);

        transport.Receive(new byte[100]);
        clock.Advance(Second);
        transport.LoseConnection(); // a paused transport would not see the peer's FIN
        transport.Pump();

        factory.ConnectionCount.Should().Be(0);
        clock.GetDelayedCalls().Should().BeEmpty("Twisted cancels the checks and the unthrottles with the last connection");
        factory.BuildProtocol(Peer).Should().NotBeNull();
    }

    [Fact]
    public void The_transport_registered_as_its_own_producer_pauses_reading_when_writes_are_throttled()
    {
        // TcpEcho's shape: Transport.RegisterProducer(Transport, streaming: true).
        var clock = new Clock();
        var inner = new SelfProducingEcho();
        var factory = new ThrottlingFactory(clock, Factory.ForProtocol(() => inner), writeLimit: 100);
        var transport = new FakeStreamTransport().Attach(factory.BuildProtocol(Peer)!);

        transport.Receive(new byte[300]);
        transport.TakeWritten().Should().HaveCount(300);
        clock.Advance(Second);
        transport.Paused.Should().BeTrue();
        clock.Advance(TimeSpan.FromSeconds(2));
        transport.Paused.Should().BeFalse();
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void Over_loopback_a_fast_sender_is_throttled_and_every_byte_still_arrives(ReactorBackend backend)
    {
        using var reactor = TestBackends.Create(backend);
        var inner = new EchoRecorder { Echo = false };
        var factory = new ThrottlingFactory(reactor, Factory.ForProtocol(() => inner), readLimit: 16 * 1024);
        var port = reactor.ListenTcp(0, factory, @interface: "127.0.0.1");
        using var client = TcpTestKit.RawClient(new IPEndPoint(IPAddress.Loopback, port.GetHost().Port));
        client.Send(new byte[48 * 1024]);
        var throttledSeen = false;

        reactor.RunUntil(() =>
        {
            throttledSeen |= factory.ReadsThrottled;
            return inner.Received.Length == 48 * 1024 && throttledSeen;
        }, TimeSpan.FromSeconds(20));

        client.Shutdown(SocketShutdown.Send);
        reactor.RunUntil(() => factory.ConnectionCount == 0);
    }

    private sealed class WritesWithProducer(IProducer producer, bool streaming = true) : Protocol
    {
        public override void ConnectionMade() => Transport!.RegisterProducer(producer, streaming);
    }

    private sealed class SelfProducingEcho : Protocol
    {
        public override void ConnectionMade() => Transport!.RegisterProducer(Transport, streaming: true);

        public override void DataReceived(ReadOnlySpan<byte> data) => Transport!.Write(data);
    }

    private sealed class CountingPush : IPushProducer
    {
        public int Pauses { get; private set; }

        public int Resumes { get; private set; }

        public void PauseProducing() => Pauses++;

        public void ResumeProducing() => Resumes++;

        public void StopProducing()
        {
        }
    }

    private sealed class CountingPull : IPullProducer
    {
        public int Asked { get; private set; }

        public void ResumeProducing() => Asked++;

        public void StopProducing()
        {
        }
    }
}
