using System.Net;
using System.Net.Sockets;
using Reactor.Internal.Streams;
using Reactor.Tests.Support;

namespace Reactor.Tests.Tcp;

/// <summary>The hard bounds of D62 (a connection's write buffer) and D63 (a port's connections), over loopback on both backends.</summary>
public class TcpBoundsTests
{
    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void A_write_past_the_write_buffer_cap_aborts_the_connection_with_a_counted_and_logged_overflow(ReactorBackend backend)
    {
        var logs = new TestLoggerFactory();
        using var reactor = ReactorFactory.Create(new ReactorOptions
        {
            Backend = backend,
            LoggerFactory = logs,
            Tcp = { MaxWriteBuffer = 1024 * 1024 },
        });
        var counters = reactor.Internal().Streams.Counters;
        var writer = new Firehose();
        var port = reactor.ListenTcp(0, Factory.ForProtocol(() => writer), @interface: "127.0.0.1");

        // The client never reads: the firehose's writes (all inside ConnectionMade, one dispatch) pile up past the cap.
        using var client = TcpTestKit.RawClient(new IPEndPoint(IPAddress.Loopback, port.GetHost().Port));
        reactor.RunUntil(() => writer.Lost is not null);

        var overflow = writer.Lost!.Exception.Should().BeOfType<WriteBufferOverflowException>().Subject;
        overflow.Limit.Should().Be(1024 * 1024);
        (overflow.Buffered + overflow.WriteLength).Should().BeGreaterThan(1024 * 1024);
        overflow.Buffered.Should().BeLessThanOrEqualTo(1024 * 1024, "nothing past the cap was ever buffered");
        writer.WritesAccepted.Should().BeLessThan(Firehose.Writes, "writing stops being accepted at the overflow");
        counters.WriteBufferOverflows.Should().Be(1);
        counters.ClosedOverflow.Should().Be(1);
        counters.BufferedBytes.Should().Be(0, "the aborted connection's buffer is released and uncounted");
        logs.WithEventId(410).Should().ContainSingle().Which.Level.Should().Be(Microsoft.Extensions.Logging.LogLevel.Warning);

        // The peer sees a reset (the buffer was discarded), possibly after some of what the kernel had taken.
        var reset = false;
        client.ReceiveTimeout = 10_000;
        var buffer = new byte[64 * 1024];
        for (var i = 0; i < 10_000 && !reset; i++)
        {
            try
            {
                if (client.Receive(buffer) == 0)
                {
                    break;
                }
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset)
            {
                reset = true;
            }
        }

        reset.Should().BeTrue("an overflow aborts: the peer sees a reset, not a clean end");
    }

    [Fact]
    public void The_cap_must_be_at_least_the_high_watermark_and_a_port_cap_at_least_one()
    {
        var small = () => ReactorFactory.Create(new ReactorOptions { Tcp = { HighWatermark = 64 * 1024, MaxWriteBuffer = 1024 } });
        small.Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be("Tcp.MaxWriteBuffer");
        var zero = () => ReactorFactory.Create(new ReactorOptions { Tcp = { MaxConnectionsPerPort = 0 } });
        zero.Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be("Tcp.MaxConnectionsPerPort");
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void A_port_at_its_connection_cap_leaves_new_clients_waiting_and_accepts_them_when_one_closes(ReactorBackend backend)
    {
        var logs = new TestLoggerFactory();
        using var reactor = ReactorFactory.Create(new ReactorOptions
        {
            Backend = backend,
            LoggerFactory = logs,
            Tcp = { MaxConnectionsPerPort = 2 },
        });
        var made = 0;
        var port = reactor.ListenTcp(0, Factory.ForProtocol(() => new Counting(() => made++)), @interface: "127.0.0.1");
        var listener = (StreamListener)port;
        var endpoint = new IPEndPoint(IPAddress.Loopback, port.GetHost().Port);

        using var a = TcpTestKit.RawClient(endpoint);
        using var b = TcpTestKit.RawClient(endpoint);
        reactor.RunUntil(() => made == 2);

        // The third completes its handshake in the kernel's backlog but is not accepted while the port is full.
        using var c = TcpTestKit.RawClient(endpoint);
        for (var i = 0; i < 20; i++)
        {
            reactor.Iterate(TimeSpan.FromMilliseconds(5));
        }

        made.Should().Be(2);
        listener.AtConnectionCap.Should().BeTrue();
        listener.OpenConnections.Should().Be(2);
        logs.WithEventId(411).Should().ContainSingle();

        a.Close();
        reactor.RunUntil(() => made == 3);
        listener.OpenConnections.Should().Be(2);

        // c was waiting, not refused: it is served.
        c.Send("x"u8);
        reactor.RunUntil(() => listener.OpenConnections == 2 && made == 3);
        b.Close();
        c.Close();
        reactor.RunUntil(() => listener.OpenConnections == 0);
        listener.AtConnectionCap.Should().BeFalse();
    }

    /// <summary>Writes 64 KiB chunks in <see cref="ConnectionMade"/> until the transport stops taking them (64 MiB at most).</summary>
    private sealed class Firehose : Protocol
    {
        public const int Writes = 1024;

        public int WritesAccepted { get; private set; }

        public Failure? Lost { get; private set; }

        public override void ConnectionMade()
        {
            var chunk = new byte[64 * 1024];
            for (var i = 0; i < Writes && !Transport!.Disconnecting; i++)
            {
                Transport.Write(chunk);
                WritesAccepted++;
            }
        }

        public override void ConnectionLost(Failure reason) => Lost = reason;
    }

    private sealed class Counting(Action made) : Protocol
    {
        public override void ConnectionMade() => made();
    }
}
