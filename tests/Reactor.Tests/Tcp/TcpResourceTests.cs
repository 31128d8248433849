using System.Net.Sockets;
using Reactor.Tests.Support;
using Reactor.Tests.Loop;

namespace Reactor.Tests.Tcp;

/// <summary>
/// TCP's resource guarantees (issue 12): connections and ports release their descriptors, and a peer that stops reading
/// cannot make the server buffer more than the high watermark plus one write.
/// </summary>
[Collection(DescriptorCountingCollection.Name)]
[Trait("kind", "resources")]
public class TcpResourceTests
{
    [LinuxTheory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void Ten_thousand_connect_echo_close_cycles_leave_no_descriptor_behind(ReactorBackend backend)
    {
        const int Cycles = 10_000;
        using var reactor = TestBackends.Create(backend);
        var port = reactor.ListenTcp(0, Factory.ForProtocol<Echo>(), @interface: "127.0.0.1");
        var completed = 0;
        var failures = 0;
        var before = -1;
        var client = new RecordingClientFactory { Build = _ => new PingOnce() };
        client.OnLost = (_, reason) =>
        {
            if (!reason.Check<ConnectionDoneException>())
            {
                failures++;
            }

            // Counted after a warm-up: the runtime opens a few descriptors of its own on first use (.NET's socket engine).
            if (++completed == 100)
            {
                before = Descriptors.Count();
            }

            if (completed < Cycles + 1)
            {
                reactor.ConnectTcp("127.0.0.1", port.GetHost().Port, client);
            }
        };
        client.OnFailed = (_, _) => failures++;

        reactor.ConnectTcp("127.0.0.1", port.GetHost().Port, client);
        reactor.RunUntil(() => completed == Cycles + 1 || failures > 0, TimeSpan.FromSeconds(120));
        failures.Should().Be(0);

        // The server closes its side when it reads the client's FIN, a few iterations later.
        reactor.RunUntil(() => reactor.Internal().OpenResourceCount == 1);
        Descriptors.Count().Should().BeLessThanOrEqualTo(before + 2, "every closed connection must have closed its socket (a leak would show thousands)");
    }

    [LinuxTheory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void Ten_thousand_ListenTcp_StopListening_cycles_leave_no_descriptor_behind(ReactorBackend backend)
    {
        const int Cycles = 10_000;
        using var reactor = TestBackends.Create(backend);
        var factory = new RecordingServerFactory();
        var warmUp = reactor.ListenTcp(0, factory, @interface: "127.0.0.1").StopListening();
        reactor.RunUntil(() => warmUp.Called);
        var before = Descriptors.Count();
        var completed = 0;
        Exception? failure = null;

        void Cycle()
        {
            try
            {
                var port = reactor.ListenTcp(0, factory, @interface: "127.0.0.1");
                port.StopListening().AddCallback(_ =>
                {
                    if (++completed < Cycles)
                    {
                        Cycle();
                    }
                });
            }
            catch (Exception e)
            {
                failure = e;
            }
        }

        Cycle();
        reactor.RunUntil(() => completed == Cycles || failure is not null, TimeSpan.FromSeconds(120));
        failure.Should().BeNull();
        factory.Events.Count(e => e == "startFactory").Should().Be(Cycles + 1);
        factory.Events.Count(e => e == "stopFactory").Should().Be(Cycles + 1);
        Descriptors.Count().Should().BeLessThanOrEqualTo(before + 2, "every closed port must have closed its socket (a leak would show thousands)");
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void A_peer_that_stops_reading_while_the_server_writes_a_gigabyte_keeps_the_server_within_the_watermark(ReactorBackend backend)
    {
        const long Total = 1L << 30;
        const int Chunk = 64 * 1024;
        using var reactor = TestBackends.Create(backend);
        var producer = new BulkProducer(Total, Chunk);
        var port = reactor.ListenTcp(0, Factory.ForProtocol(() => producer), @interface: "127.0.0.1");
        long received = 0;
        var reader = new Thread(() =>
        {
            using var socket = TcpTestKit.RawClient(port.GetHost());
            socket.ReceiveBufferSize = 64 * 1024;

            // Stop reading for a while: the kernel's buffers fill and the server must pause its producer.
            var started = DateTime.UtcNow;
            while (Volatile.Read(ref producer.Pauses) == 0 && DateTime.UtcNow - started < TimeSpan.FromSeconds(10))
            {
                Thread.Yield();
            }

            var buffer = new byte[256 * 1024];
            socket.ReceiveTimeout = 20_000;
            int n;
            while ((n = socket.Receive(buffer)) > 0)
            {
                Interlocked.Add(ref received, n);
            }
        })
        { IsBackground = true };
        reader.Start();
        var heapBefore = GC.GetTotalMemory(forceFullCollection: true);

        reactor.RunUntil(() => producer.Lost is not null, TimeSpan.FromSeconds(120));
        reader.Join(TimeSpan.FromSeconds(20)).Should().BeTrue();

        producer.Lost!.Exception.Should().BeOfType<ConnectionDoneException>();
        Interlocked.Read(ref received).Should().Be(Total);
        producer.Pauses.Should().BeGreaterThan(0);
        producer.Resumes.Should().Be(producer.Pauses, "every pause is followed by one resume (D19: once per crossing)");
        producer.MaxBuffered.Should().BeLessThanOrEqualTo(producer.HighWatermark + Chunk, "the producer stops once over the watermark");
        var pool = reactor.Internal().Streams.Blocks;
        pool.Rented.Should().Be(0);
        (GC.GetTotalMemory(forceFullCollection: true) - heapBefore).Should().BeLessThan(16 * 1024 * 1024);
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void An_echo_whose_transport_is_its_own_producer_never_buffers_past_the_watermark_and_still_closes_on_the_peer_s_FIN(ReactorBackend backend)
    {
        const int Total = 64 * 1024 * 1024;
        using var reactor = TestBackends.Create(backend);
        var echo = new FlowControlledEcho();
        var port = reactor.ListenTcp(0, Factory.ForProtocol(() => echo), @interface: "127.0.0.1");
        using var client = TcpTestKit.RawClient(port.GetHost());
        client.ReceiveBufferSize = 64 * 1024;
        long received = 0;
        var writer = new Thread(() =>
        {
            // Send everything before reading anything: without flow control the server would buffer it all.
            var chunk = new byte[256 * 1024];
            for (var sent = 0; sent < Total; sent += chunk.Length)
            {
                client.Send(chunk);
            }

            client.Shutdown(SocketShutdown.Send);
        })
        { IsBackground = true };
        var reader = new Thread(() =>
        {
            while (Volatile.Read(ref echo.Pauses) == 0)
            {
                Thread.Yield();
            }

            received = TcpTestKit.ReadToEnd(client, timeoutMilliseconds: 30_000).LongLength;
        })
        { IsBackground = true };
        writer.Start();
        reader.Start();

        reactor.RunUntil(() => echo.Lost is not null && !reader.IsAlive, TimeSpan.FromSeconds(120));
        received.Should().Be(Total);
        echo.Lost!.Exception.Should().BeOfType<ConnectionDoneException>("the client's FIN closes the connection once the echo is out, producer or not");
        echo.Pauses.Should().BeGreaterThan(0, "reading paused while the client did not read");
        echo.MaxBuffered.Should().BeLessThanOrEqualTo(echo.HighWatermark + StreamLoopReadSize, "at most one read's echo past the watermark");
    }

    private const int StreamLoopReadSize = 64 * 1024;

    private sealed class FlowControlledEcho : Protocol, IPushProducer
    {
        public int Pauses;

        public long MaxBuffered { get; private set; }

        public int HighWatermark { get; private set; }

        public Failure? Lost { get; private set; }

        public override void ConnectionMade()
        {
            HighWatermark = Transport!.HighWatermark;

            // As the TcpEcho sample does, through a thin wrapper that counts the pauses.
            Transport.RegisterProducer(this, streaming: true);
        }

        public override void DataReceived(ReadOnlySpan<byte> data)
        {
            Transport!.Write(data);
            MaxBuffered = Math.Max(MaxBuffered, Transport.BufferedBytes);
        }

        public void PauseProducing()
        {
            Interlocked.Increment(ref Pauses);
            Transport!.PauseProducing();
        }

        public void ResumeProducing() => Transport!.ResumeProducing();

        public void StopProducing() => Transport!.StopProducing();

        public override void ConnectionLost(Failure reason) => Lost = reason;
    }

    private sealed class Echo : Protocol
    {
        public override void DataReceived(ReadOnlySpan<byte> data) => Transport!.Write(data);
    }

    private sealed class PingOnce : Protocol
    {
        private int _received;

        public override void ConnectionMade() => Transport!.Write(new byte[64]);

        public override void DataReceived(ReadOnlySpan<byte> data)
        {
            _received += data.Length;
            if (_received == 64)
            {
                Transport!.LoseConnection();
            }
        }
    }

    /// <summary>Writes <c>total</c> bytes as a streaming producer: as fast as it may, never while paused.</summary>
    private sealed class BulkProducer(long total, int chunk) : Protocol, IPushProducer
    {
        private readonly byte[] _data = new byte[chunk];
        private long _written;
        private bool _paused;

        public int Pauses;

        public int Resumes { get; private set; }

        public long MaxBuffered { get; private set; }

        public int HighWatermark { get; private set; }

        public Failure? Lost { get; private set; }

        public override void ConnectionMade()
        {
            HighWatermark = Transport!.HighWatermark;
            Transport.RegisterProducer(this, streaming: true);
            Produce();
        }

        public void PauseProducing()
        {
            _paused = true;
            Interlocked.Increment(ref Pauses);
        }

        public void ResumeProducing()
        {
            _paused = false;
            Resumes++;
            Produce();
        }

        public void StopProducing() => _paused = true;

        public override void ConnectionLost(Failure reason) => Lost = reason;

        private void Produce()
        {
            while (!_paused && _written < total)
            {
                var length = (int)Math.Min(chunk, total - _written);
                Transport!.Write(_data.AsSpan(0, length));
                _written += length;
                MaxBuffered = Math.Max(MaxBuffered, Transport.BufferedBytes);
            }

            if (_written == total && !_paused)
            {
                Transport!.UnregisterProducer();
                Transport.LoseConnection();
            }
        }
    }
}
