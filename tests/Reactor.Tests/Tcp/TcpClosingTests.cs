using System.Net.Sockets;
using Reactor.Tests.Support;

namespace Reactor.Tests.Tcp;

/// <summary>
/// Close, abort, half-close, producers and the thread rule (twisted-tcp.md §9 D–G: Twisted's <c>test_tcp.py</c> and
/// <c>connectionmixins.py</c>), over real loopback sockets, one reactor serving both ends, every backend and family.
/// </summary>
public class TcpClosingTests
{
    /// <summary>Connects a client protocol to a server protocol on one reactor and iterates until both are connected.</summary>
    private static (IReactor Reactor, RecordingStreamProtocol Server, RecordingStreamProtocol Client) Pair(
        ReactorBackend backend, string loopback, RecordingStreamProtocol? server = null, RecordingStreamProtocol? client = null, TestLoggerFactory? logs = null)
    {
        var reactor = TestBackends.Create(backend, logs);
        server ??= new RecordingStreamProtocol();
        client ??= new RecordingStreamProtocol();
        var serverFactory = new RecordingServerFactory { Build = _ => server };
        var port = reactor.ListenTcp(0, serverFactory, @interface: loopback);
        var clientFactory = new RecordingClientFactory { Build = _ => client };
        reactor.ConnectTcp(loopback, port.GetHost().Port, clientFactory);
        var s = server;
        var c = client;
        reactor.RunUntil(() => s.Events.Contains("made") && c.Events.Contains("made"));
        return (reactor, server, client);
    }

    [Theory]
    [MemberData(nameof(TcpTestKit.BackendsAndLoopbacks), MemberType = typeof(TcpTestKit))]
    public void LoseConnection_sends_everything_written_before_it_then_both_sides_see_ConnectionDone(ReactorBackend backend, string loopback)
    {
        var payload = new byte[3 * 1024 * 1024];
        Random.Shared.NextBytes(payload);
        var (reactor, server, client) = Pair(backend, loopback);
        using var _ = reactor;

        server.Transport!.Write(payload);
        server.Transport.LoseConnection();
        server.Transport.Disconnecting.Should().BeTrue();
        server.Losses.Should().Be(0, "ConnectionLost never runs inside LoseConnection (D15)");

        reactor.RunUntil(() => server.Losses == 1 && client.Losses == 1);
        client.Received.Should().Equal(payload);
        server.LostReason!.Exception.Should().BeOfType<ConnectionDoneException>();
        client.LostReason!.Exception.Should().BeOfType<ConnectionDoneException>();
        server.Connected.Should().BeFalse();
    }

    [Theory]
    [MemberData(nameof(TcpTestKit.BackendsAndLoopbacks), MemberType = typeof(TcpTestKit))]
    public void AbortConnection_discards_the_buffer_resets_the_peer_and_reports_ConnectionAborted(ReactorBackend backend, string loopback)
    {
        var (reactor, server, client) = Pair(backend, loopback);
        using var _ = reactor;
        client.Transport!.PauseProducing(); // so the server's buffer cannot drain
        server.Transport!.Write(new byte[8 * 1024 * 1024]);

        server.Transport.AbortConnection();
        server.Transport.AbortConnection();
        server.Transport.LoseConnection();
        reactor.RunUntil(() => server.Losses == 1);
        client.Transport.ResumeProducing();
        reactor.RunUntil(() => client.Losses == 1);

        server.LostReason!.Exception.Should().BeOfType<ConnectionAbortedException>();
        client.LostReason!.Exception.Should().BeOfType<ConnectionLostException>().Which.SocketErrorCode.Should().Be(SocketError.ConnectionReset);
        client.Received.Length.Should().BeLessThan(8 * 1024 * 1024, "what was still buffered was discarded");
        server.Losses.Should().Be(1, "aborting twice, then losing, closes once");
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void Aborting_inside_DataReceived_closes_without_reentering_the_protocol(ReactorBackend backend)
    {
        var server = new RecordingStreamProtocol();
        server.OnData = (p, _) =>
        {
            p.Transport!.AbortConnection();
            p.Losses.Should().Be(0, "ConnectionLost is not called from inside AbortConnection");
        };
        var (reactor, _, client) = Pair(backend, "127.0.0.1", server);
        using var _ = reactor;
        client.Transport!.Write("x"u8);
        reactor.RunUntil(() => server.Losses == 1 && client.Losses == 1);
        server.LostReason!.Exception.Should().BeOfType<ConnectionAbortedException>();
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void A_DataReceived_that_aborts_then_throws_closes_with_the_exception_as_the_reason(ReactorBackend backend)
    {
        var logs = new TestLoggerFactory();
        var server = new RecordingStreamProtocol();
        server.OnData = (p, _) =>
        {
            p.Transport!.AbortConnection();
            throw new DivideByZeroException("boom");
        };
        var (reactor, _, client) = Pair(backend, "127.0.0.1", server, logs: logs);
        using var _ = reactor;
        client.Transport!.Write("x"u8);
        reactor.RunUntil(() => server.Losses == 1);
        server.LostReason!.Exception.Should().BeOfType<DivideByZeroException>("the raised exception wins over ConnectionAborted (Twisted's test_dataReceivedThrows)");
        logs.WithEventId(404).Should().ContainSingle().Which.Message.Should().StartWith("Unhandled Error in RecordingStreamProtocol,0,127.0.0.1 DataReceived");
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void A_DataReceived_that_throws_closes_the_connection_and_the_port_keeps_serving(ReactorBackend backend)
    {
        var server = new RecordingStreamProtocol { OnData = (_, _) => throw new InvalidOperationException("bad input") };
        var (reactor, _, client) = Pair(backend, "127.0.0.1", server);
        using var _ = reactor;
        client.Transport!.Write("x"u8);
        reactor.RunUntil(() => server.Losses == 1 && client.Losses == 1);
        server.LostReason!.Exception.Should().BeOfType<InvalidOperationException>();
        client.LostReason!.Exception.Should().BeAssignableTo<ConnectionClosedException>();
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void A_ConnectionMade_that_throws_aborts_the_connection_with_the_exception_as_the_reason(ReactorBackend backend)
    {
        var logs = new TestLoggerFactory();
        using var reactor = TestBackends.Create(backend, logs);
        var server = new RecordingStreamProtocol { OnMade = _ => throw new InvalidOperationException("not today") };
        var port = reactor.ListenTcp(0, new RecordingServerFactory { Build = _ => server }, @interface: "127.0.0.1");
        var client = new RecordingClientFactory();
        reactor.ConnectTcp("127.0.0.1", port.GetHost().Port, client);
        reactor.RunUntil(() => server.Losses == 1 && (client.LostReason ?? client.FailedReason) is not null);

        server.LostReason!.Exception.Should().BeOfType<InvalidOperationException>().Which.Message.Should().Be("not today");

        // The server reset it (D16): the client sees the reset on its first read, or already as its connect's result.
        var seen = (client.LostReason ?? client.FailedReason)!.Exception;
        (seen is ConnectionLostException { SocketErrorCode: SocketError.ConnectionReset } or ConnectException { SocketErrorCode: SocketError.ConnectionReset })
            .Should().BeTrue($"the client saw a reset, not {seen}");
        logs.WithEventId(404).Should().ContainSingle().Which.Message.Should().Contain("ConnectionMade");
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void Writes_after_LoseConnection_or_AbortConnection_are_dropped_and_counted_never_thrown(ReactorBackend backend)
    {
        var (reactor, server, client) = Pair(backend, "127.0.0.1");
        using var _ = reactor;
        var dropped = reactor.Internal().Streams.Counters.WritesDropped;
        server.Transport!.Write("kept"u8);
        server.Transport.LoseConnection();
        server.Transport.Write("dropped"u8);
        server.Transport.WriteSequence(["also"u8.ToArray(), "dropped"u8.ToArray()]);
        reactor.RunUntil(() => client.Losses == 1 && server.Losses == 1);
        server.Transport.Write("after close"u8);

        client.Received.Should().Equal("kept"u8.ToArray());
        reactor.Internal().Streams.Counters.WritesDropped.Should().Be(dropped + 4);
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void WriteSequence_outside_a_dispatch_never_runs_ConnectionLost_inside_the_call(ReactorBackend backend)
    {
        var (reactor, server, client) = Pair(backend, "127.0.0.1");
        using var _ = reactor;

        // From a timer, as from any callback that is not a dispatch: the close LoseConnection started must still wait
        // for the callback to return (D15), even when a WriteSequence comes next.
        var lossesInsideTheCall = -1;
        reactor.CallLater(TimeSpan.Zero, () =>
        {
            server.Transport!.LoseConnection();
            server.Transport.WriteSequence(["dropped"u8.ToArray()]);
            lossesInsideTheCall = server.Losses;
        });
        reactor.RunUntil(() => server.Losses == 1 && client.Losses == 1);
        lossesInsideTheCall.Should().Be(0, "ConnectionLost runs after the callback that closed the connection, never inside WriteSequence");
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void WriteSequence_outside_a_dispatch_still_leaves_with_the_parts_gathered(ReactorBackend backend)
    {
        var (reactor, server, client) = Pair(backend, "127.0.0.1");
        using var _ = reactor;
        server.Transport!.WriteSequence(["one "u8.ToArray(), "two "u8.ToArray(), "three"u8.ToArray()]);
        reactor.RunUntil(() => client.Received.Length == 13);
        client.Received.Should().Equal("one two three"u8.ToArray());
        client.DataCalls.Should().Be(1, "the parts leave with one send");
    }

    [Theory]
    [MemberData(nameof(TcpTestKit.BackendsAndLoopbacks), MemberType = typeof(TcpTestKit))]
    public void Write_and_WriteSequence_deliver_every_byte_in_order(ReactorBackend backend, string loopback)
    {
        var (reactor, server, client) = Pair(backend, loopback);
        using var _ = reactor;
        var expected = new List<byte>();
        for (var i = 0; i < 200; i++)
        {
            var part = new byte[i * 37 % 5000];
            Random.Shared.NextBytes(part);
            expected.AddRange(part);
            if (i % 3 == 0)
            {
                server.Transport!.WriteSequence([part, Array.Empty<byte>(), part.AsMemory(0, part.Length / 2)]);
                expected.AddRange(part.AsSpan(0, part.Length / 2).ToArray());
            }
            else
            {
                server.Transport!.Write(part);
            }
        }

        server.Transport!.LoseConnection();
        reactor.RunUntil(() => client.Losses == 1);
        client.Received.Should().Equal(expected);
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void WriteSequence_enumerates_its_buffers_once(ReactorBackend backend)
    {
        var (reactor, server, client) = Pair(backend, "127.0.0.1");
        using var _ = reactor;
        var enumerations = 0;
        IEnumerable<ReadOnlyMemory<byte>> Parts()
        {
            enumerations++;
            yield return "one "u8.ToArray();
            yield return "two"u8.ToArray();
        }

        server.Transport!.WriteSequence(Parts());
        reactor.RunUntil(() => client.Received.Length == 7);
        enumerations.Should().Be(1);
        client.Received.Should().Equal("one two"u8.ToArray());
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void NoDelay_is_on_by_default_and_both_options_round_trip_on_both_sides(ReactorBackend backend)
    {
        var (reactor, server, client) = Pair(backend, "127.0.0.1");
        using var _ = reactor;
        foreach (var transport in new[] { server.Tcp, client.Tcp })
        {
            transport.NoDelay.Should().BeTrue("TCP_NODELAY is on by default (D31)");
            transport.KeepAlive.Should().BeFalse();
            transport.NoDelay = false;
            transport.KeepAlive = true;
            transport.NoDelay.Should().BeFalse();
            transport.KeepAlive.Should().BeTrue();
        }
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void Transports_are_reactor_thread_only(ReactorBackend backend)
    {
        var (reactor, server, _) = Pair(backend, "127.0.0.1");
        using var _ = reactor;
        Exception? write = null;
        Exception? lose = null;
        var thread = new Thread(() =>
        {
            write = Record.Exception(() => server.Transport!.Write("x"u8));
            lose = Record.Exception(() => server.Transport!.LoseConnection());
        });
        thread.Start();
        thread.Join(TimeSpan.FromSeconds(5)).Should().BeTrue();
        write.Should().BeOfType<InvalidOperationException>();
        lose.Should().BeOfType<InvalidOperationException>();
    }

    [Theory]
    [MemberData(nameof(TcpTestKit.BackendsAndLoopbacks), MemberType = typeof(TcpTestKit))]
    public void LoseWriteConnection_sends_a_FIN_after_the_buffer_and_the_peer_s_half_closeable_protocol_hears_it(ReactorBackend backend, string loopback)
    {
        var server = new HalfCloser();
        var client = new HalfCloser();
        var (reactor, _, _) = Pair(backend, loopback, server, client);
        using var _ = reactor;

        server.Tcp.Write("before"u8);
        server.Tcp.LoseWriteConnection();
        server.Tcp.Write("after"u8);
        reactor.RunUntil(() => server.WriteLost == 1 && client.ReadLost == 1);

        client.Received.Should().Equal("before"u8.ToArray());
        server.Connected.Should().BeTrue("a half-closed connection stays open");
        client.Tcp.Write("reply"u8);
        client.Tcp.LoseConnection();
        reactor.RunUntil(() => server.Losses == 1 && client.Losses == 1);
        server.Received.Should().Equal("reply"u8.ToArray(), "data still flows the other way");
        server.LostReason!.Exception.Should().BeOfType<ConnectionDoneException>();
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void A_peer_s_half_close_to_a_protocol_that_is_not_half_closeable_closes_it_cleanly(ReactorBackend backend)
    {
        var server = new HalfCloser();
        var (reactor, _, client) = Pair(backend, "127.0.0.1", server);
        using var _ = reactor;
        server.Tcp.LoseWriteConnection();
        reactor.RunUntil(() => client.Losses == 1);
        client.LostReason!.Exception.Should().BeOfType<ConnectionDoneException>();
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void Both_sides_half_closing_close_the_connection(ReactorBackend backend)
    {
        var server = new HalfCloser { OnReadLost = p => p.Tcp.LoseWriteConnection() };
        var client = new HalfCloser();
        var (reactor, _, _) = Pair(backend, "127.0.0.1", server, client);
        using var _ = reactor;
        client.Tcp.LoseWriteConnection();
        reactor.RunUntil(() => server.Losses == 1 && client.Losses == 1);
        server.LostReason!.Exception.Should().BeOfType<ConnectionDoneException>();
        client.LostReason!.Exception.Should().BeOfType<ConnectionDoneException>();
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void A_half_close_notification_that_throws_is_logged_and_closes_the_connection(ReactorBackend backend)
    {
        var logs = new TestLoggerFactory();
        var server = new HalfCloser { OnReadLost = _ => throw new InvalidOperationException("read side") };
        var client = new HalfCloser();
        var (reactor, _, _) = Pair(backend, "127.0.0.1", server, client, logs);
        using var _ = reactor;
        client.Tcp.LoseWriteConnection();
        reactor.RunUntil(() => server.Losses == 1);
        server.LostReason!.Exception.Message.Should().Be("read side");
        logs.WithEventId(404).Should().ContainSingle().Which.Message.Should().Contain("ReadConnectionLost");
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void LoseWriteConnection_after_the_peer_closed_passes_silently(ReactorBackend backend)
    {
        var (reactor, server, client) = Pair(backend, "127.0.0.1");
        using var _ = reactor;
        client.Transport!.LoseConnection();
        reactor.RunUntil(() => server.Losses == 1);
        server.Tcp.Invoking(t => t.LoseWriteConnection()).Should().NotThrow();
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void A_peer_s_close_while_paused_is_reported_after_resume_and_after_the_data(ReactorBackend backend)
    {
        var (reactor, server, client) = Pair(backend, "127.0.0.1");
        using var _ = reactor;
        server.Transport!.PauseProducing();
        client.Transport!.Write("last words"u8);
        client.Transport.LoseConnection();
        reactor.RunUntil(() => client.Losses == 1);
        for (var i = 0; i < 10; i++)
        {
            reactor.Iterate(TimeSpan.FromMilliseconds(2));
        }

        server.Losses.Should().Be(0, "a paused transport does not read, so it does not see the FIN either");
        server.Transport.ResumeProducing();
        reactor.RunUntil(() => server.Losses == 1);
        server.Received.Should().Equal("last words"u8.ToArray());
        server.Events.Should().EndWith("lost:ConnectionDoneException");
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void ResumeProducing_while_closing_does_not_start_reading_again(ReactorBackend backend)
    {
        var (reactor, server, client) = Pair(backend, "127.0.0.1");
        using var _ = reactor;
        server.Transport!.PauseProducing();
        server.Transport.LoseConnection();
        server.Transport.ResumeProducing();
        client.Transport!.Write("ignored"u8);
        reactor.RunUntil(() => server.Losses == 1);
        server.Received.Should().BeEmpty();
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void A_streaming_producer_is_paused_above_the_high_watermark_and_resumed_at_the_low_one_once_each(ReactorBackend backend)
    {
        var (reactor, server, client) = Pair(backend, "127.0.0.1");
        using var _ = reactor;
        var producer = new CountingProducer();
        client.Transport!.PauseProducing();
        server.Transport!.HighWatermark = 100_000;
        server.Transport.LowWatermark = 10_000;
        server.Transport.RegisterProducer(producer, streaming: true);

        // Fill the kernel's buffers (the peer is not reading), then cross the high watermark.
        for (var i = 0; i < 4096 && server.Transport.BufferedBytes == 0; i++)
        {
            server.Transport.Write(new byte[16 * 1024]);
        }

        while (server.Transport.BufferedBytes <= 100_000)
        {
            producer.Pauses.Should().Be(0);
            server.Transport.Write(new byte[16 * 1024]);
        }

        producer.Pauses.Should().Be(1);
        server.Transport.Write(new byte[16 * 1024]);
        producer.Pauses.Should().Be(1, "once per crossing");

        client.Transport.ResumeProducing();
        reactor.RunUntil(() => producer.Resumes == 1);
        server.Transport.BufferedBytes.Should().BeLessThanOrEqualTo(10_000);
        producer.Pauses.Should().Be(1);
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void A_pull_producer_is_asked_at_registration_and_whenever_the_buffer_drains_and_never_paused(ReactorBackend backend)
    {
        var (reactor, server, client) = Pair(backend, "127.0.0.1");
        using var _ = reactor;
        var chunks = 0;
        var producer = new PullProducer(() =>
        {
            if (++chunks <= 5)
            {
                server.Transport!.Write(new byte[100_000]);
            }
            else
            {
                server.Transport!.UnregisterProducer();
                server.Transport.LoseConnection();
            }
        });
        server.Transport!.RegisterProducer(producer, streaming: false);
        chunks.Should().Be(1, "a pull producer is asked for its first chunk inside RegisterProducer");

        reactor.RunUntil(() => client.Losses == 1);
        client.Received.Length.Should().Be(500_000);
        chunks.Should().Be(6);
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void LoseConnection_with_a_producer_registered_waits_for_it_to_unregister(ReactorBackend backend)
    {
        var (reactor, server, client) = Pair(backend, "127.0.0.1");
        using var _ = reactor;
        var producer = new CountingProducer();
        server.Transport!.RegisterProducer(producer, streaming: true);
        server.Transport.Write("data"u8);
        server.Transport.LoseConnection();
        for (var i = 0; i < 20; i++)
        {
            reactor.Iterate(TimeSpan.FromMilliseconds(2));
        }

        server.Losses.Should().Be(0, "D27: the close waits for UnregisterProducer");
        server.Transport.UnregisterProducer();
        reactor.RunUntil(() => server.Losses == 1 && client.Losses == 1);
        client.Received.Should().Equal("data"u8.ToArray());
        producer.Stops.Should().Be(0, "an unregistered producer is not told to stop");
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void A_registered_producer_is_told_to_stop_when_the_connection_is_lost_and_registering_after_close_stops_it_at_once(ReactorBackend backend)
    {
        var (reactor, server, client) = Pair(backend, "127.0.0.1");
        using var _ = reactor;
        var producer = new CountingProducer();
        server.Transport!.RegisterProducer(producer, streaming: true);
        server.Transport.Invoking(t => t.RegisterProducer(new CountingProducer(), streaming: true))
            .Should().Throw<InvalidOperationException>("a second producer needs the first unregistered");
        client.Transport!.AbortConnection();
        reactor.RunUntil(() => server.Losses == 1);
        producer.Stops.Should().Be(1);

        var late = new CountingProducer();
        server.Transport.RegisterProducer(late, streaming: true);
        late.Stops.Should().Be(1);
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void RegisterProducer_checks_the_producer_kind(ReactorBackend backend)
    {
        var (reactor, server, _) = Pair(backend, "127.0.0.1");
        using var _ = reactor;
        server.Transport!.Invoking(t => t.RegisterProducer(new PullProducer(() => { }), streaming: true)).Should().Throw<ArgumentException>();
        server.Transport!.Invoking(t => t.RegisterProducer(new CountingProducer(), streaming: false)).Should().Throw<ArgumentException>();
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void Closing_releases_the_protocol_and_every_write_block(ReactorBackend backend)
    {
        using var reactor = TestBackends.Create(backend);
        var port = reactor.ListenTcp(0, Factory.ForProtocol(() => new RecordingStreamProtocol { OnMade = p => p.Transport!.Write(new byte[1 << 20]) }), @interface: "127.0.0.1");
        var weak = ConnectAndClose(reactor, port);
        reactor.RunUntil(() => reactor.Internal().OpenResourceCount == 1);
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        weak.IsAlive.Should().BeFalse("the reactor drops every reference to a closed connection's protocol");
        reactor.Internal().Streams.Blocks.Rented.Should().Be(0);
    }

    private static WeakReference ConnectAndClose(IReactor reactor, ITcpPort port)
    {
        var protocol = new RecordingStreamProtocol { OnData = (p, _) => p.Transport!.LoseConnection() };
        var factory = new RecordingClientFactory { Build = _ => protocol };
        reactor.ConnectTcp("127.0.0.1", port.GetHost().Port, factory);
        reactor.RunUntil(() => protocol.Losses == 1);
        return new WeakReference(protocol);
    }

    private sealed class HalfCloser : RecordingStreamProtocol, IHalfCloseableProtocol
    {
        public int ReadLost { get; private set; }

        public int WriteLost { get; private set; }

        public Action<HalfCloser>? OnReadLost { get; set; }

        public void ReadConnectionLost()
        {
            ReadLost++;
            OnReadLost?.Invoke(this);
        }

        public void WriteConnectionLost() => WriteLost++;
    }

    private sealed class CountingProducer : IPushProducer
    {
        public int Pauses { get; private set; }

        public int Resumes { get; private set; }

        public int Stops { get; private set; }

        public void PauseProducing() => Pauses++;

        public void ResumeProducing() => Resumes++;

        public void StopProducing() => Stops++;
    }

    private sealed class PullProducer(Action next) : IPullProducer
    {
        public void ResumeProducing() => next();

        public void StopProducing()
        {
        }
    }
}
