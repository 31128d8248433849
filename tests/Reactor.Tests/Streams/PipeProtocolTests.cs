using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;
using System.Text;
using Reactor.Internal.Streams;
using Reactor.Tests.Support;
using Reactor.Tests.Tcp;

namespace Reactor.Tests.Streams;

/// <summary>
/// <see cref="PipeProtocol"/> on a real reactor over a scripted transport: where the handler runs, how bytes move
/// both ways, back-pressure both ways, how the connection ends, and what it holds when idle. TCP over real loopback is in
/// <c>Tcp/PipeProtocolTcpTests.cs</c>.
/// </summary>
public class PipeProtocolTests
{
    private static (IReactor Reactor, ScriptedTransport Transport) Create()
    {
        var reactor = TestBackends.Create(ReactorBackend.Portable);
        return (reactor, new ScriptedTransport(reactor.Internal()));
    }

    private static void Settle(IReactor reactor)
    {
        for (var i = 0; i < 10; i++)
        {
            reactor.Iterate(TimeSpan.Zero);
        }
    }

    [Fact]
    public void The_handler_starts_inside_ConnectionMade_and_every_await_on_the_pipe_resumes_on_the_reactor_thread_after_the_callback()
    {
        var (reactor, transport) = Create();
        using var _ = reactor;
        var onReactorThread = new List<bool>();
        var received = new List<string>();
        var protocol = ScriptedPipeProtocol.Create(async pipe =>
        {
            onReactorThread.Add(reactor.IsInReactorThread);
            while (true)
            {
                var result = await pipe.Input.ReadAsync();
                onReactorThread.Add(reactor.IsInReactorThread);
                received.Add(Encoding.ASCII.GetString(result.Buffer));
                pipe.Input.AdvanceTo(result.Buffer.End);
                if (result.IsCompleted)
                {
                    return;
                }
            }
        });

        transport.Connect(protocol);
        onReactorThread.Should().Equal([true], "ExecuteAsync runs on the reactor thread from ConnectionMade up to its first await");
        transport.Receive("one"u8);
        received.Should().BeEmpty("the read's continuation runs after DataReceived has returned, never inside it");

        reactor.RunUntil(() => received.Count == 1);
        transport.Receive("two"u8);
        transport.Receive("three"u8);
        reactor.RunUntil(() => received.Count == 2);
        transport.PeerHalfCloses();
        reactor.RunUntil(() => transport.LoseConnectionCalled);

        received.Should().Equal("one", "twothree", "");
        onReactorThread.Should().HaveCount(4).And.AllSatisfy(b => b.Should().BeTrue());
    }

    [Fact]
    public void What_the_handler_flushes_is_written_to_the_transport_on_the_reactor_thread_in_order()
    {
        var (reactor, transport) = Create();
        using var _ = reactor;
        var protocol = ScriptedPipeProtocol.Create(async pipe =>
        {
            pipe.Output.Write("hello, "u8);
            await pipe.Output.FlushAsync();
            var result = await pipe.Input.ReadAsync();
            foreach (var segment in result.Buffer)
            {
                pipe.Output.Write(segment.Span);
            }

            pipe.Input.AdvanceTo(result.Buffer.End);
            await pipe.Output.FlushAsync();
            await pipe.Input.ReadAsync(); // until the connection ends
        });

        transport.Connect(protocol);
        transport.Written.Should().BeEmpty("the pump writes after ConnectionMade has returned");
        reactor.RunUntil(() => transport.Written.Length == 7);
        transport.Receive("world"u8);
        reactor.RunUntil(() => transport.Written.Length == 12);

        Encoding.ASCII.GetString(transport.Written).Should().Be("hello, world");
        transport.Producer.Should().NotBeNull("the pump is the transport's streaming producer while the output is open");
    }

    [Fact]
    public void A_handler_that_stops_reading_pauses_the_transport_at_the_threshold_and_resumes_it_when_it_has_read_half()
    {
        var (reactor, transport) = Create();
        using var _ = reactor;
        var protocol = ScriptedPipeProtocol.Create(_ => new TaskCompletionSource().Task);
        transport.Connect(protocol);
        var chunk = new byte[64 * 1024];
        Random.Shared.NextBytes(chunk);
        var delivered = 0;
        while (!transport.Paused)
        {
            transport.Receive(chunk);
            delivered += chunk.Length;
            delivered.Should().BeLessThanOrEqualTo(PipePump.InputPauseThreshold, "the transport is paused once the threshold is reached");
        }

        delivered.Should().Be(PipePump.InputPauseThreshold);
        var input = protocol.Pipe!.Input;
        input.TryRead(out var result).Should().BeTrue();
        result.Buffer.Length.Should().Be(delivered);
        result.Buffer.Slice(0, chunk.Length).ToArray().Should().Equal(chunk);

        input.AdvanceTo(result.Buffer.GetPosition(delivered - PipePump.InputResumeThreshold));
        Settle(reactor);
        transport.Paused.Should().BeTrue("a reader that is still at the resume threshold keeps the transport paused");

        input.TryRead(out result).Should().BeTrue();
        input.AdvanceTo(result.Buffer.GetPosition(1));
        reactor.RunUntil(() => !transport.Paused);
        transport.Pauses.Should().Be(1);
    }

    [Fact]
    public void A_paused_transport_stops_the_pump_and_the_handler_s_FlushAsync_waits_until_the_transport_drains()
    {
        var (reactor, transport) = Create();
        using var _ = reactor;
        var chunk = new byte[8 * 1024];
        long written = 0;
        var waiting = false;
        var protocol = ScriptedPipeProtocol.Create(async pipe =>
        {
            while (written < 4 * 1024 * 1024)
            {
                pipe.Output.Write(chunk);
                written += chunk.Length;
                var flush = pipe.Output.FlushAsync();
                waiting = !flush.IsCompleted;
                await flush;
                waiting = false;
            }
        });

        transport.Connect(protocol);
        reactor.RunUntil(() => waiting && transport.ProducerPaused);
        Settle(reactor);
        var writtenWhilePaused = written;
        Settle(reactor);

        written.Should().Be(writtenWhilePaused, "the handler waits in FlushAsync while the transport is paused");
        waiting.Should().BeTrue();
        transport.BufferedBytes.Should().BeLessThanOrEqualTo(transport.HighWatermark + PipePump.SegmentSize,
            "the pump stops after the segment that crossed the watermark");
        (written - transport.BufferedBytes).Should().BeLessThanOrEqualTo(transport.HighWatermark + chunk.Length, "the output pipe holds at most its pause threshold and one write");

        while (transport.Written.Length < 4 * 1024 * 1024 || !transport.LoseConnectionCalled)
        {
            transport.Drain();
            Settle(reactor);
        }

        transport.Written.Length.Should().Be(4 * 1024 * 1024);
    }

    [Fact]
    public void One_large_flush_reaches_the_transport_a_watermark_at_a_time_and_the_rest_waits_in_the_pipe()
    {
        var (reactor, transport) = Create();
        using var _ = reactor;
        var payload = new byte[1024 * 1024];
        Random.Shared.NextBytes(payload);
        var protocol = ScriptedPipeProtocol.Create(async pipe => await pipe.Output.WriteAsync(payload));

        transport.Connect(protocol);
        reactor.RunUntil(() => transport.ProducerPaused);
        Settle(reactor);
        transport.BufferedBytes.Should().BeLessThanOrEqualTo(transport.HighWatermark + PipePump.SegmentSize,
            "the pump stops at the segment that took the transport over its watermark, even inside one read");

        while (!transport.LoseConnectionCalled)
        {
            transport.Drain();
            Settle(reactor);
            transport.BufferedBytes.Should().BeLessThanOrEqualTo(transport.HighWatermark + PipePump.SegmentSize);
        }

        transport.Written.Should().Equal(payload);
    }

    [Fact]
    public void The_peer_s_FIN_completes_the_reader_and_the_handler_may_still_answer_before_the_connection_closes()
    {
        var (reactor, transport) = Create();
        using var _ = reactor;
        var protocol = new ByteCounter();

        transport.Connect(protocol);
        transport.Receive("abc"u8);
        transport.Receive("de"u8);
        transport.PeerHalfCloses();
        reactor.RunUntil(() => transport.LoseConnectionCalled);

        Encoding.ASCII.GetString(transport.Written).Should().Be("5 bytes\n");
        transport.Events.Should().Equal("write:8", "unregister", "lose");
    }

    [Fact]
    public void A_lost_connection_fails_a_pending_read_with_the_reason()
    {
        var (reactor, transport) = Create();
        using var _ = reactor;
        Exception? failure = null;
        var protocol = ScriptedPipeProtocol.Create(async pipe =>
        {
            try
            {
                await pipe.Input.ReadAsync();
            }
            catch (Exception e)
            {
                failure = e;
            }
        });

        transport.Connect(protocol);
        Settle(reactor);
        var reset = new ConnectionLostException(SocketError.ConnectionReset);
        transport.Close(reset);
        reactor.RunUntil(() => failure is not null);
        failure.Should().BeSameAs(reset);
    }

    [Fact]
    public void A_clean_close_completes_a_pending_read_and_a_waiting_flush_reports_IsCompleted()
    {
        var (reactor, transport) = Create();
        using var _ = reactor;
        ReadResult? read = null;
        FlushResult? flush = null;
        var protocol = ScriptedPipeProtocol.Create(async pipe =>
        {
            var reading = ReadOnce(pipe.Input);
            while (true)
            {
                pipe.Output.Write(new byte[8 * 1024]);
                var result = await pipe.Output.FlushAsync();
                if (result.IsCompleted)
                {
                    flush = result;
                    break;
                }
            }

            read = await reading;
        });

        transport.Connect(protocol);
        reactor.RunUntil(() => transport.ProducerPaused);
        Settle(reactor);
        flush.Should().BeNull("the flush waits for the paused transport");

        transport.Close(new ConnectionDoneException());
        reactor.RunUntil(() => read is not null);
        flush!.Value.IsCompleted.Should().BeTrue();
        read!.Value.IsCompleted.Should().BeTrue();
        read.Value.Buffer.IsEmpty.Should().BeTrue();

        static async Task<ReadResult> ReadOnce(PipeReader input)
        {
            var result = await input.ReadAsync();
            input.AdvanceTo(result.Buffer.End);
            return result;
        }
    }

    [Fact]
    public void Completing_the_output_sends_what_was_written_then_unregisters_and_loses_the_connection()
    {
        var (reactor, transport) = Create();
        using var _ = reactor;
        var protocol = ScriptedPipeProtocol.Create(async pipe =>
        {
            pipe.Output.Write("bye"u8);
            await pipe.Output.CompleteAsync();
            await Task.Yield();
        });

        transport.Connect(protocol);
        reactor.RunUntil(() => transport.LoseConnectionCalled);
        transport.Events.Should().Equal("write:3", "unregister", "lose");
    }

    [Fact]
    public void Returning_from_ExecuteAsync_sends_what_was_written_even_unflushed_and_closes_cleanly()
    {
        var (reactor, transport) = Create();
        using var _ = reactor;
        var protocol = ScriptedPipeProtocol.Create(pipe =>
        {
            pipe.Output.Write("unflushed"u8);
            return Task.CompletedTask;
        });

        transport.Connect(protocol);
        transport.Events.Should().BeEmpty("the end of a handler that returned at once is handled after ConnectionMade");
        reactor.RunUntil(() => transport.LoseConnectionCalled);
        Encoding.ASCII.GetString(transport.Written).Should().Be("unflushed");
        transport.Failure.Should().BeNull();
    }

    [Fact]
    public void An_exception_from_ExecuteAsync_closes_the_connection_with_it_as_the_reason()
    {
        var (reactor, transport) = Create();
        using var _ = reactor;
        var boom = new InvalidDataException("bad frame");
        var protocol = ScriptedPipeProtocol.Create(async pipe =>
        {
            await pipe.Input.ReadAsync();
            throw boom;
        });

        transport.Connect(protocol);
        transport.Receive("x"u8);
        reactor.RunUntil(() => transport.Failure is not null);
        transport.Failure!.Value.Callback.Should().Be("ExecuteAsync");
        transport.Failure.Value.Exception.Should().BeSameAs(boom);
    }

    [Fact]
    public void An_ExecuteAsync_that_throws_before_returning_a_task_closes_the_connection_after_ConnectionMade()
    {
        var (reactor, transport) = Create();
        using var _ = reactor;
        var boom = new InvalidOperationException("not async");
        var protocol = ScriptedPipeProtocol.Create(_ => throw boom);

        transport.Connect(protocol);
        transport.Failure.Should().BeNull("nothing closes from inside ConnectionMade");
        reactor.RunUntil(() => transport.Failure is not null);
        transport.Failure!.Value.Exception.Should().BeSameAs(boom);
    }

    [Fact]
    public void A_handler_that_moved_off_the_reactor_thread_still_has_its_output_written_on_it_and_its_reads_resume_on_it()
    {
        var (reactor, transport) = Create();
        using var _ = reactor;
        bool? resumedOnReactorThread = null;
        var protocol = ScriptedPipeProtocol.Create(async pipe =>
        {
            await Task.Yield(); // no synchronization context under Iterate: this resumes on the thread pool
            pipe.Output.Write("from a worker"u8);
            await pipe.Output.FlushAsync();
            var result = await pipe.Input.ReadAsync();
            resumedOnReactorThread = reactor.IsInReactorThread;
            pipe.Input.AdvanceTo(result.Buffer.End);
        });

        transport.Connect(protocol);
        reactor.RunUntil(() => transport.Written.Length == 13);
        transport.Receive("x"u8);
        reactor.RunUntil(() => resumedOnReactorThread is not null);
        resumedOnReactorThread.Should().BeTrue("the read was woken by DataReceived on the reactor thread, through the loop's scheduler");
        Encoding.ASCII.GetString(transport.Written).Should().Be("from a worker");
    }

    [Fact]
    public void A_drained_connection_holds_no_buffer_and_a_closed_one_returns_them_all()
    {
        var (reactor, transport) = Create();
        using var _ = reactor;
        var pool = new CountingMemoryPool();
        var protocol = new CheckedPipeEcho(reactor) { MemoryPool = pool };

        transport.Connect(protocol);
        transport.Receive(new byte[100_000]);
        reactor.RunUntil(() =>
        {
            transport.Drain();
            return transport.Written.Length == 100_000;
        });
        Settle(reactor);
        pool.Rented.Should().BeGreaterThan(0);
        pool.Outstanding.Should().Be(0, "an idle connection whose pipes are drained holds no buffer");

        transport.Receive(new byte[10]);
        transport.Close(new ConnectionLostException(SocketError.ConnectionReset));
        Settle(reactor);
        pool.Outstanding.Should().Be(0);
    }

    [Fact]
    public void A_pipe_protocol_needs_a_reactor_s_transport()
    {
        var protocol = ScriptedPipeProtocol.Create(_ => Task.CompletedTask);
        protocol.Invoking(p => p.MakeConnection(new NotAReactorTransport())).Should().Throw<InvalidOperationException>();
    }

    private sealed class NotAReactorTransport : ITransport
    {
        public bool Disconnecting => false;

        public long BufferedBytes => 0;

        public int HighWatermark { get; set; } = 64 * 1024;

        public int LowWatermark { get; set; } = 16 * 1024;

        public void WriteSequence(IEnumerable<ReadOnlyMemory<byte>> data) => throw new NotSupportedException();

        public void LoseConnection() => throw new NotSupportedException();

        public void AbortConnection() => throw new NotSupportedException();

        public System.Net.EndPoint GetHost() => throw new NotSupportedException();

        public System.Net.EndPoint GetPeer() => throw new NotSupportedException();

        public void RegisterProducer(IProducer producer, bool streaming) => throw new NotSupportedException();

        public void UnregisterProducer() => throw new NotSupportedException();

        public void Write(ReadOnlySpan<byte> data) => throw new NotSupportedException();

        public void PauseProducing() => throw new NotSupportedException();

        public void ResumeProducing() => throw new NotSupportedException();

        public void StopProducing() => throw new NotSupportedException();
    }
}
