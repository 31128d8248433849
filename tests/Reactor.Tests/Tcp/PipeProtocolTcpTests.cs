using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;
using System.Text;
using Reactor.Internal.Streams;
using Reactor.Tests.Docs;
using Reactor.Tests.Streams;
using Reactor.Tests.Support;
using Xunit.Abstractions;

namespace Reactor.Tests.Tcp;

/// <summary>
/// <see cref="PipeProtocol"/> over real loopback, one reactor serving both ends, every backend and family: echo
/// transfers, a <see cref="SequenceReader{T}"/> parser, back-pressure both ways, FIN and reset, a failing handler, and
/// what the steady state allocates beside the span path.
/// </summary>
public class PipeProtocolTcpTests(ITestOutputHelper output)
{
    public static TheoryData<ReactorBackend, string, int> BackendsLoopbacksAndSizes
    {
        get
        {
            var data = new TheoryData<ReactorBackend, string, int>();
            foreach (var (backend, loopback) in Families.BackendsAndLoopbacks.Select(row => ((ReactorBackend)row[0], (string)row[1])))
            {
                foreach (var size in new[] { 1, 1000, (64 * 1024) + 1, 1024 * 1024, 16 * 1024 * 1024 })
                {
                    data.Add(backend, loopback, size);
                }
            }

            return data;
        }
    }

    /// <summary>Listens with <paramref name="server"/> and connects <paramref name="client"/>; iterates until both are connected.</summary>
    private static IReactor Connect(ReactorBackend backend, string loopback, Protocol server, Protocol client, TestLoggerFactory? logs = null) =>
        Connect(TestBackends.Create(backend, logs), loopback, server, client);

    private static IReactor Connect(IReactor reactor, string loopback, Protocol server, Protocol client)
    {
        var port = reactor.ListenTcp(0, new RecordingServerFactory { Build = _ => server }, @interface: loopback);
        reactor.ConnectTcp(loopback, port.GetHost().Port, new RecordingClientFactory { Build = _ => client });
        reactor.RunUntil(() => server.Connected && client.Connected);
        return reactor;
    }

    private static byte[] Payload(int size)
    {
        var payload = new byte[size];
        Random.Shared.NextBytes(payload);
        return payload;
    }

    [Theory]
    [MemberData(nameof(BackendsLoopbacksAndSizes))]
    public void An_echo_handler_written_with_PipeReader_and_PipeWriter_returns_every_byte_in_order(ReactorBackend backend, string loopback, int size)
    {
        var payload = Payload(size);
        var client = new CollectingClient { OnMade = c => c.Tcp.Write(payload) };
        using var reactor = TestBackends.Create(backend);
        var server = new CheckedPipeEcho(reactor);
        Connect(reactor, loopback, server, client);

        reactor.RunUntil(() => client.Received.Length == size, TimeSpan.FromSeconds(60));
        client.Tcp.LoseWriteConnection();
        reactor.RunUntil(() => client.Lost is not null && !server.Connected);

        client.Received.ToArray().AsSpan().SequenceEqual(payload).Should().BeTrue("the echo is byte-identical");
        client.Lost!.Exception.Should().BeOfType<ConnectionDoneException>("the handler returned at the FIN and the connection closed cleanly");
        server.ReadFailure.Should().BeNull();
        server.Awaits.Should().BeGreaterThan(0);
        server.AwaitsOffTheReactorThread.Should().Be(0, "every await on the pipe resumes on the reactor thread");
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void Under_Run_with_the_reactor_s_synchronization_context_the_handler_still_resumes_only_on_the_reactor_thread(ReactorBackend backend)
    {
        var payload = Payload(2 * 1024 * 1024);
        using var reactor = TestBackends.Create(backend);
        var server = new CheckedPipeEcho(reactor);
        var client = new CollectingClient { OnMade = c => c.Tcp.Write(payload) };
        client.OnData = c =>
        {
            if (c.Received.Length == payload.Length)
            {
                c.Tcp.LoseWriteConnection();
            }
        };
        client.OnLost = _ => reactor.Stop();
        var port = reactor.ListenTcp(0, new RecordingServerFactory { Build = _ => server }, @interface: "127.0.0.1");
        reactor.ConnectTcp("127.0.0.1", port.GetHost().Port, new RecordingClientFactory { Build = _ => client });

        reactor.RunWithTimeout();
        client.Received.ToArray().AsSpan().SequenceEqual(payload).Should().BeTrue();
        client.Lost!.Exception.Should().BeOfType<ConnectionDoneException>();
        server.AwaitsOffTheReactorThread.Should().Be(0);
        server.Awaits.Should().BeGreaterThan(1);
    }

    [Theory]
    [MemberData(nameof(TcpTestKit.BackendsAndLoopbacks), MemberType = typeof(TcpTestKit))]
    public void A_SequenceReader_line_parser_answers_lines_that_arrive_split_across_reads(ReactorBackend backend, string loopback)
    {
        var client = new CollectingClient();
        using var reactor = Connect(backend, loopback, new ShoutingLines(), client);
        var counters = reactor.Internal().Streams.Counters;

        foreach (var piece in new[] { "hel", "lo\nwor", "ld\n\nsplit ", "in three\n" })
        {
            var before = counters.BytesReceived;
            client.Tcp.Write(Encoding.ASCII.GetBytes(piece));
            reactor.RunUntil(() => counters.BytesReceived >= before + piece.Length); // the server has read this piece alone
        }

        client.Tcp.Write("quit\n"u8);
        reactor.RunUntil(() => client.Lost is not null);
        Encoding.ASCII.GetString(client.Received.ToArray()).Should().Be("HELLO\nWORLD\n\nSPLIT IN THREE\nBYE\n");
    }

    [Theory]
    [MemberData(nameof(TcpTestKit.BackendsAndLoopbacks), MemberType = typeof(TcpTestKit))]
    public void A_peer_that_stops_reading_makes_the_handler_s_FlushAsync_wait_and_keeps_the_server_s_buffer_bounded(ReactorBackend backend, string loopback)
    {
        const long total = 32L * 1024 * 1024;
        var server = new PatternWriter(total);
        var client = new CollectingClient { OnMade = c => c.Tcp.PauseProducing() };
        using var reactor = Connect(backend, loopback, server, client);

        // Stalled: the kernel's buffers are full, so the transport's is above its watermark and the pump stopped.
        reactor.RunUntil(() => server.WaitingOnFlush && server.Transport!.BufferedBytes > server.Transport.HighWatermark);
        var stalledAt = server.Written;
        for (var i = 0; i < 50; i++)
        {
            reactor.Iterate(TimeSpan.FromMilliseconds(2));
            server.Transport!.BufferedBytes.Should().BeLessThanOrEqualTo(
                server.Transport.HighWatermark + PipePump.SegmentSize,
                "the transport's buffer stays within its watermark plus the segment that crossed it");
        }

        server.Written.Should().Be(stalledAt, "the handler waits in FlushAsync while the peer does not read");
        server.WaitingOnFlush.Should().BeTrue();
        server.Written.Should().BeLessThan(total);

        client.Tcp.ResumeProducing();
        reactor.RunUntil(() => client.Lost is not null, TimeSpan.FromSeconds(60));
        client.Received.Length.Should().Be(total);
        PatternWriter.Check(client.Received.ToArray()).Should().BeTrue();
    }

    [Theory]
    [MemberData(nameof(TcpTestKit.BackendsAndLoopbacks), MemberType = typeof(TcpTestKit))]
    public void A_handler_that_stops_reading_pauses_the_transport_so_the_server_buffers_no_more_than_the_pipe_s_threshold(ReactorBackend backend, string loopback)
    {
        const int total = 16 * 1024 * 1024;
        var payload = Payload(total);
        var server = ScriptedPipeProtocol.Create(_ => new TaskCompletionSource().Task); // never reads by itself
        var client = new CollectingClient { OnMade = c => c.Tcp.Write(payload) };
        using var reactor = Connect(backend, loopback, server, client);
        var input = server.Pipe!.Input;

        long Unread()
        {
            if (!input.TryRead(out var result))
            {
                return 0;
            }

            var length = result.Buffer.Length;
            input.AdvanceTo(result.Buffer.Start); // looked at nothing: the back-pressure stays
            return length;
        }

        reactor.RunUntil(() => Unread() >= PipePump.InputPauseThreshold);
        for (var i = 0; i < 50; i++)
        {
            reactor.Iterate(TimeSpan.FromMilliseconds(2));
            Unread().Should().BeLessThan(PipePump.InputPauseThreshold + StreamLoop.ReadSize, "the transport stopped reading after the read that crossed the threshold");
        }

        client.Transport!.BufferedBytes.Should().BeGreaterThan(0, "the peer is held back by TCP flow control, not by the server's memory");

        var received = new MemoryStream();
        reactor.RunUntil(
            () =>
            {
                if (input.TryRead(out var result))
                {
                    foreach (var segment in result.Buffer)
                    {
                        received.Write(segment.Span);
                    }

                    input.AdvanceTo(result.Buffer.End);
                }

                return received.Length == total;
            },
            TimeSpan.FromSeconds(60));
        received.ToArray().AsSpan().SequenceEqual(payload).Should().BeTrue();
    }

    [Theory]
    [MemberData(nameof(TcpTestKit.BackendsAndLoopbacks), MemberType = typeof(TcpTestKit))]
    public void The_peer_s_FIN_completes_the_reader_and_the_answer_written_after_it_reaches_the_peer(ReactorBackend backend, string loopback)
    {
        var client = new CollectingClient
        {
            OnMade = c =>
            {
                c.Tcp.Write("abc"u8);
                c.Tcp.LoseWriteConnection();
            },
        };
        using var reactor = Connect(backend, loopback, new ByteCounter(), client);
        var closedDone = reactor.Internal().Streams.Counters.ClosedDone;

        reactor.RunUntil(() => client.Lost is not null && reactor.Internal().Streams.Counters.ClosedDone == closedDone + 2);
        Encoding.ASCII.GetString(client.Received.ToArray()).Should().Be("3 bytes\n");
        client.Lost!.Exception.Should().BeOfType<ConnectionDoneException>();
    }

    [Theory]
    [MemberData(nameof(TcpTestKit.BackendsAndLoopbacks), MemberType = typeof(TcpTestKit))]
    public void A_reset_fails_the_handler_s_pending_read_with_ConnectionLostException(ReactorBackend backend, string loopback)
    {
        var logs = new TestLoggerFactory();
        using var reactor = TestBackends.Create(backend, logs);
        var server = new CheckedPipeEcho(reactor);
        var client = new CollectingClient();
        Connect(reactor, loopback, server, client);

        client.Tcp.Write("ping"u8);
        reactor.RunUntil(() => client.Received.Length == 4);
        client.Tcp.AbortConnection();
        reactor.RunUntil(() => server.ReadFailure is not null && !server.Connected);

        server.ReadFailure.Should().BeOfType<ConnectionLostException>().Which.SocketErrorCode.Should().Be(SocketError.ConnectionReset);
        logs.WithEventId(404).Should().BeEmpty("a handler that fails because the connection was lost is not reported as an error of its own");
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void An_exception_from_the_handler_is_logged_and_closes_the_connection_with_it_as_the_reason(ReactorBackend backend)
    {
        var logs = new TestLoggerFactory();
        var server = ScriptedPipeProtocol.Create(async pipe =>
        {
            await pipe.Input.ReadAsync();
            throw new InvalidDataException("not a frame");
        });
        var client = new CollectingClient();
        using var reactor = Connect(backend, "127.0.0.1", server, client, logs);
        var closedError = reactor.Internal().Streams.Counters.ClosedError;

        client.Tcp.Write("garbage"u8);
        reactor.RunUntil(() => client.Lost is not null && !server.Connected);

        reactor.Internal().Streams.Counters.ClosedError.Should().Be(closedError + 1, "the close reason is the handler's exception");
        var record = logs.WithEventId(404).Should().ContainSingle().Subject;
        record.Message.Should().Be("Unhandled Error in ScriptedPipeProtocol,0,127.0.0.1 ExecuteAsync; the connection is closed");
        record.Exception.Should().BeOfType<InvalidDataException>();
        client.Lost!.Exception.Should().BeAssignableTo<ConnectionClosedException>();
    }

    [LinuxFact]
    public void The_pipe_echo_s_steady_state_allocates_nothing_per_message_like_the_span_echo()
    {
        var (span, spanTime) = AllocatedPerMessage(new SpanEcho());
        var (pipe, pipeTime) = AllocatedPerMessage(new PipeEcho());
        output.WriteLine($"per 64-byte echo on the reactor thread: span path {span:F2} B, {spanTime:F1} us; pipe path {pipe:F2} B, {pipeTime:F1} us (a round trip, both ends on one loop; not a benchmark)");

        // Measured: 0.00 B on both. Anything allocated per message is at least one object (24 B or more) per message;
        // below 1 B per message leaves room only for a one-off, such as the array pool refilling one bucket after a GC.
        span.Should().BeLessThan(1);
        pipe.Should().BeLessThan(1, "the pipes reuse their segments, the pool's arrays and the awaitables; the scheduler's queue is a reused list");
    }

    /// <summary>
    /// Bytes allocated on the reactor thread per 64-byte ping-pong through <paramref name="server"/>, after a warm-up
    /// (epoll backend, so all I/O runs on this thread; the client is a reactor protocol that sends the next message
    /// when the echo of the last one is complete).
    /// </summary>
    private static (double Bytes, double Microseconds) AllocatedPerMessage(Protocol server)
    {
        const int warmUp = 2_000;
        const int measured = 20_000;
        var client = new PingPongClient(64);
        using var reactor = Connect(ReactorBackend.Epoll, "127.0.0.1", server, client);
        client.Start();
        while (client.Completed < warmUp)
        {
            reactor.Iterate(TimeSpan.FromMilliseconds(5));
        }

        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var before = GC.GetAllocatedBytesForCurrentThread();
        var target = client.Completed + measured;
        var deadline = Environment.TickCount64 + 60_000;
        while (client.Completed < target && Environment.TickCount64 < deadline)
        {
            reactor.Iterate(TimeSpan.FromMilliseconds(5));
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        var elapsed = System.Diagnostics.Stopwatch.GetElapsedTime(started);
        client.Completed.Should().BeGreaterThanOrEqualTo(target);
        return ((double)allocated / measured, elapsed.TotalMicroseconds / measured);
    }

    /// <summary>A client that keeps what it receives (in a stream, for large transfers) and how its connection ended.</summary>
    private sealed class CollectingClient : Protocol
    {
        public MemoryStream Received { get; } = new();

        public Failure? Lost { get; private set; }

        public Action<CollectingClient>? OnMade { get; init; }

        public Action<CollectingClient>? OnData { get; set; }

        public Action<CollectingClient>? OnLost { get; set; }

        public ITcpTransport Tcp => (ITcpTransport)Transport!;

        public override void ConnectionMade() => OnMade?.Invoke(this);

        public override void DataReceived(ReadOnlySpan<byte> data)
        {
            Received.Write(data);
            OnData?.Invoke(this);
        }

        public override void ConnectionLost(Failure reason)
        {
            Lost = reason;
            OnLost?.Invoke(this);
        }
    }

    /// <summary>Sends a message, waits for all of its echo, sends the next; allocates nothing per message.</summary>
    private sealed class PingPongClient(int size) : Protocol
    {
        private readonly byte[] _message = new byte[size];
        private int _pending;

        public long Completed { get; private set; }

        public void Start()
        {
            _pending = _message.Length;
            Transport!.Write(_message);
        }

        public override void DataReceived(ReadOnlySpan<byte> data)
        {
            _pending -= data.Length;
            if (_pending == 0)
            {
                Completed++;
                _pending = _message.Length;
                Transport!.Write(_message);
            }
        }
    }

    private sealed class SpanEcho : Protocol
    {
        public override void DataReceived(ReadOnlySpan<byte> data) => Transport!.Write(data);
    }

    /// <summary>Writes <c>total</c> bytes of a known pattern as fast as the pipe lets it, then returns.</summary>
    private sealed class PatternWriter(long total) : PipeProtocol
    {
        public const int ChunkSize = 16 * 1024;

        public long Written { get; private set; }

        public bool WaitingOnFlush { get; private set; }

        public static bool Check(byte[] received)
        {
            for (var i = 0; i < received.Length; i++)
            {
                if (received[i] != (byte)(i % 251))
                {
                    return false;
                }
            }

            return true;
        }

        protected override async Task ExecuteAsync(IDuplexPipe pipe)
        {
            while (Written < total)
            {
                var span = pipe.Output.GetSpan(ChunkSize)[..ChunkSize];
                for (var i = 0; i < span.Length; i++)
                {
                    span[i] = (byte)((Written + i) % 251);
                }

                pipe.Output.Advance(ChunkSize);
                Written += ChunkSize;
                var flush = pipe.Output.FlushAsync();
                WaitingOnFlush = !flush.IsCompleted;
                await flush;
                WaitingOnFlush = false;
            }
        }
    }
}
