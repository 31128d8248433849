using System.Net.Sockets;
using Reactor.Tests.Support;
using Reactor.Tests.Tcp;
using RecordingStreamProtocol = Reactor.Tests.Tcp.RecordingStreamProtocol;

namespace Reactor.Tests.Unix;

/// <summary>
/// The stream behaviour over UNIX sockets — connection made, data in order, LoseConnection flushes, Abort does not,
/// half-close, ConnectionLost once with the right reason — on every backend: the TCP tests of
/// <c>Tcp/TcpClosingTests.cs</c> on the same stream core (twisted-tcp.md §9 D–F; Twisted runs its connection mixins over
/// UNIX sockets too).
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public class UnixClosingTests
{
    [LinuxTheory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void Both_ends_are_connected_with_path_addresses_and_each_other_s_credentials(ReactorBackend backend)
    {
        using var directory = new SocketDirectory();
        var path = directory.Socket();
        var (reactor, port, server, client) = UnixTestKit.Pair(backend, path);
        using var _ = reactor;

        port.GetHost().ToString().Should().Be(path);
        server.Unix().GetHost().ToString().Should().Be(path, "a server connection's address is the port's path");
        server.Unix().GetPeer().ToString().Should().BeEmpty("the client did not bind a path: it is unnamed, as in Twisted");
        client.Unix().GetPeer().ToString().Should().Be(path);
        client.Unix().GetHost().ToString().Should().BeEmpty();
        var expected = new UnixCredentials(Environment.ProcessId, GetUid(), GetGid());
        server.Unix().PeerCredentials.Should().Be(expected, "SO_PEERCRED names the connecting process");
        client.Unix().PeerCredentials.Should().Be(expected, "and the listening one");
        server.Transport!.Should().NotBeAssignableTo<ITcpTransport>();
    }

    [LinuxTheory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void LoseConnection_sends_everything_written_before_it_then_both_sides_see_ConnectionDone_once(ReactorBackend backend)
    {
        using var directory = new SocketDirectory();
        var payload = new byte[3 * 1024 * 1024];
        Random.Shared.NextBytes(payload);
        var (reactor, _, server, client) = UnixTestKit.Pair(backend, directory.Socket());
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

    [LinuxTheory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void Write_and_WriteSequence_deliver_every_byte_in_order(ReactorBackend backend)
    {
        using var directory = new SocketDirectory();
        var (reactor, _, server, client) = UnixTestKit.Pair(backend, directory.Socket());
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

    [LinuxTheory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void AbortConnection_discards_the_buffer_and_reports_ConnectionAborted_while_the_peer_sees_the_end_of_the_stream(ReactorBackend backend)
    {
        using var directory = new SocketDirectory();
        var (reactor, _, server, client) = UnixTestKit.Pair(backend, directory.Socket());
        using var _ = reactor;
        client.Transport!.PauseProducing(); // so the server's buffer cannot drain
        server.Transport!.Write(new byte[8 * 1024 * 1024]);
        server.Transport.BufferedBytes.Should().BeGreaterThan(0);

        server.Transport.AbortConnection();
        server.Transport.AbortConnection();
        server.Transport.LoseConnection();
        reactor.RunUntil(() => server.Losses == 1);
        client.Transport.ResumeProducing();
        reactor.RunUntil(() => client.Losses == 1);

        server.LostReason!.Exception.Should().BeOfType<ConnectionAbortedException>();
        client.Received.Length.Should().BeLessThan(8 * 1024 * 1024, "what was still buffered was discarded");

        // UNIX sockets have no reset: the peer reads what the kernel already holds, then the end of the stream.
        client.LostReason!.Exception.Should().BeOfType<ConnectionDoneException>();
        server.Losses.Should().Be(1, "aborting twice, then losing, closes once");
    }

    [LinuxTheory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void Closing_with_data_still_unread_resets_the_peer(ReactorBackend backend)
    {
        using var directory = new SocketDirectory();
        var (reactor, _, server, client) = UnixTestKit.Pair(backend, directory.Socket());
        using var _ = reactor;
        server.Transport!.PauseProducing();
        client.Transport!.Write("never read"u8);
        reactor.Iterate(TimeSpan.FromMilliseconds(10));

        server.Transport.AbortConnection();
        reactor.RunUntil(() => client.Losses == 1);

        // The kernel's rule for UNIX sockets: closing one with bytes unread makes the peer's next read ECONNRESET.
        client.LostReason!.Exception.Should().BeOfType<ConnectionLostException>().Which.SocketErrorCode.Should().Be(SocketError.ConnectionReset);
    }

    [LinuxTheory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void Aborting_inside_DataReceived_closes_without_reentering_the_protocol(ReactorBackend backend)
    {
        using var directory = new SocketDirectory();
        var server = new RecordingStreamProtocol();
        server.OnData = (p, _) =>
        {
            p.Transport!.AbortConnection();
            p.Losses.Should().Be(0, "ConnectionLost is not called from inside AbortConnection");
        };
        var (reactor, _, _, client) = UnixTestKit.Pair(backend, directory.Socket(), server);
        using var _ = reactor;
        client.Transport!.Write("x"u8);
        reactor.RunUntil(() => server.Losses == 1 && client.Losses == 1);
        server.LostReason!.Exception.Should().BeOfType<ConnectionAbortedException>();
    }

    [LinuxTheory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void A_DataReceived_that_throws_closes_the_connection_with_it_logged_and_the_port_keeps_serving(ReactorBackend backend)
    {
        using var directory = new SocketDirectory();
        var logs = new TestLoggerFactory();
        var server = new RecordingStreamProtocol { OnData = (_, _) => throw new InvalidOperationException("bad input") };
        var (reactor, port, _, client) = UnixTestKit.Pair(backend, directory.Socket(), server, logs: logs);
        using var _ = reactor;
        client.Transport!.Write("x"u8);
        reactor.RunUntil(() => server.Losses == 1 && client.Losses == 1);
        server.LostReason!.Exception.Should().BeOfType<InvalidOperationException>();
        logs.WithEventId(404).Should().ContainSingle().Which.Message.Should().StartWith($"Unhandled Error in RecordingStreamProtocol,0,{port.GetHost()} DataReceived");

        var second = new RecordingStreamProtocol();
        reactor.ConnectUnix(port.GetHost().ToString(), new RecordingClientFactory { Build = _ => second });
        reactor.RunUntil(() => second.Events.Contains("made"));
    }

    [LinuxTheory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void Writes_after_LoseConnection_are_dropped_and_counted_never_thrown(ReactorBackend backend)
    {
        using var directory = new SocketDirectory();
        var (reactor, _, server, client) = UnixTestKit.Pair(backend, directory.Socket());
        using var _ = reactor;
        var dropped = reactor.Internal().Streams.Counters.WritesDropped;
        server.Transport!.Write("kept"u8);
        server.Transport.LoseConnection();
        server.Transport.Write("dropped"u8);
        reactor.RunUntil(() => client.Losses == 1 && server.Losses == 1);

        client.Received.Should().Equal("kept"u8.ToArray());
        reactor.Internal().Streams.Counters.WritesDropped.Should().Be(dropped + 1);
    }

    [LinuxTheory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void LoseWriteConnection_ends_the_stream_after_the_buffer_and_the_peer_s_half_closeable_protocol_hears_it(ReactorBackend backend)
    {
        using var directory = new SocketDirectory();
        var server = new HalfCloser();
        var client = new HalfCloser();
        var (reactor, _, _, _) = UnixTestKit.Pair(backend, directory.Socket(), server, client);
        using var _ = reactor;

        server.Unix().Write("before"u8);
        server.Unix().LoseWriteConnection();
        server.Unix().Write("after"u8);
        reactor.RunUntil(() => server.WriteLost == 1 && client.ReadLost == 1);

        client.Received.Should().Equal("before"u8.ToArray());
        server.Connected.Should().BeTrue("a half-closed connection stays open");
        client.Unix().Write("reply"u8);
        client.Unix().LoseConnection();
        reactor.RunUntil(() => server.Losses == 1 && client.Losses == 1);
        server.Received.Should().Equal("reply"u8.ToArray(), "data still flows the other way");
        server.LostReason!.Exception.Should().BeOfType<ConnectionDoneException>();
    }

    [LinuxTheory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void A_peer_s_half_close_to_a_protocol_that_is_not_half_closeable_closes_it_cleanly(ReactorBackend backend)
    {
        using var directory = new SocketDirectory();
        var server = new HalfCloser();
        var (reactor, _, _, client) = UnixTestKit.Pair(backend, directory.Socket(), server);
        using var _ = reactor;
        server.Unix().LoseWriteConnection();
        reactor.RunUntil(() => client.Losses == 1);
        client.LostReason!.Exception.Should().BeOfType<ConnectionDoneException>();
    }

    [LinuxTheory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void A_streaming_producer_is_paused_above_the_high_watermark_and_resumed_once_drained(ReactorBackend backend)
    {
        using var directory = new SocketDirectory();
        var (reactor, _, server, client) = UnixTestKit.Pair(backend, directory.Socket());
        using var _ = reactor;
        var producer = new CountingProducer();
        client.Transport!.PauseProducing();
        server.Transport!.HighWatermark = 100_000;
        server.Transport.LowWatermark = 10_000;
        server.Transport.RegisterProducer(producer, streaming: true);
        for (var i = 0; i < 4096 && producer.Pauses == 0; i++)
        {
            server.Transport.Write(new byte[16 * 1024]);
        }

        producer.Pauses.Should().Be(1);
        client.Transport.ResumeProducing();
        reactor.RunUntil(() => producer.Resumes == 1);
        server.Transport.BufferedBytes.Should().BeLessThanOrEqualTo(10_000);
    }

    [LinuxTheory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void Connecting_where_nobody_listens_is_refused_and_to_a_missing_path_fails_as_not_available(ReactorBackend backend)
    {
        using var directory = new SocketDirectory();
        using var reactor = TestBackends.Create(backend);
        var stale = directory.Socket("stale.sock");
        UnixTestKit.LeaveStaleSocketFile(stale);

        var refused = new RecordingClientFactory();
        var missing = new RecordingClientFactory();
        reactor.ConnectUnix(stale, refused);
        reactor.ConnectUnix(directory.Socket("nothing-here.sock"), missing);
        reactor.RunUntil(() => refused.FailedReason is not null && missing.FailedReason is not null);

        refused.FailedReason!.Exception.Should().BeOfType<ConnectionRefusedException>();
        missing.FailedReason!.Exception.Should().BeOfType<ConnectException>().Which.SocketErrorCode.Should().Be(SocketError.AddressNotAvailable);
        refused.Events.Should().Equal("startFactory", "started", "failed:ConnectionRefusedException", "stopFactory");
    }

    private static uint GetUid() => UnixTestKit.getuid();

    private static uint GetGid() => UnixTestKit.getgid();

    private sealed class HalfCloser : RecordingStreamProtocol, IHalfCloseableProtocol
    {
        public int ReadLost { get; private set; }

        public int WriteLost { get; private set; }

        public void ReadConnectionLost() => ReadLost++;

        public void WriteConnectionLost() => WriteLost++;
    }

    private sealed class CountingProducer : IPushProducer
    {
        public int Pauses { get; private set; }

        public int Resumes { get; private set; }

        public void PauseProducing() => Pauses++;

        public void ResumeProducing() => Resumes++;

        public void StopProducing()
        {
        }
    }
}
