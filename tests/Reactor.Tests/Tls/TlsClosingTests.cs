using System.Net;
using System.Net.Sockets;
using Reactor.Tests.Support;
using Reactor.Tests.Tcp;
using RecordingStreamProtocol = Reactor.Tests.Tcp.RecordingStreamProtocol;
using Reactor.Tls;

namespace Reactor.Tests.Tls;

/// <summary>
/// Closing a TLS connection (D34): LoseConnection flushes, sends close_notify and waits a bounded time for the peer's;
/// the peer's close_notify is answered; a close without one is a truncation, reported as a lost connection; an abort
/// is immediate. Against a reactor peer and a raw .NET <see cref="System.Net.Security.SslStream"/> peer.
/// </summary>
public class TlsClosingTests
{
    [Theory]
    [MemberData(nameof(TcpTestKit.BackendsAndLoopbacks), MemberType = typeof(TcpTestKit))]
    public void LoseConnection_delivers_everything_written_then_both_sides_see_ConnectionDone(ReactorBackend backend, string loopback)
    {
        var payload = new byte[3 * 1024 * 1024];
        Random.Shared.NextBytes(payload);
        using var pair = TlsTestKit.Pair(backend, loopback);

        pair.Server.Transport!.Write(payload);
        pair.Server.Transport.LoseConnection();
        pair.Server.Transport.Disconnecting.Should().BeTrue();
        pair.Server.Losses.Should().Be(0, "ConnectionLost never runs inside LoseConnection");
        pair.Reactor.RunUntil(() => pair.Server.Losses == 1 && pair.Client.Losses == 1);

        pair.Client.Received.Should().Equal(payload);
        pair.Server.LostReason!.Exception.Should().BeOfType<ConnectionDoneException>();
        pair.Client.LostReason!.Exception.Should().BeOfType<ConnectionDoneException>();
        pair.ClientFactory.Events.Should().Contain("lost:ConnectionDoneException");
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public async Task The_peers_close_notify_is_answered_and_the_connection_is_done(ReactorBackend backend)
    {
        using var reactor = TestBackends.Create(backend);
        var servers = new List<TlsRecordingProtocol>();
        var port = reactor.ListenSsl(0, TlsTestKit.ServerFactory(servers), TlsTestKit.ServerOptions(), @interface: "127.0.0.1");
        var endpoint = new IPEndPoint(IPAddress.Loopback, port.GetHost().Port);
        var peer = Task.Run(() =>
        {
            var (socket, ssl) = TlsTestKit.RawTlsClient(endpoint);
            using (socket)
            using (ssl)
            {
                ssl.Write("last words"u8);
                ssl.ShutdownAsync().GetAwaiter().GetResult();
                var answered = ssl.Read(new byte[16]) == 0; // the server's close_notify
                var closed = socket.Receive(new byte[16]) == 0; // then its FIN
                return (answered, closed);
            }
        });
        reactor.RunUntil(() => peer.IsCompleted && servers.Count == 1 && servers[0].Losses == 1);

        (await peer).Should().Be((true, true));
        servers[0].Received.Should().Equal("last words"u8.ToArray());
        servers[0].LostReason!.Exception.Should().BeOfType<ConnectionDoneException>();
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public async Task A_reply_to_the_data_that_came_with_the_peers_close_notify_is_sent_before_the_answer(ReactorBackend backend)
    {
        // openssl s_client does this at the end of its input: the last data and its close_notify arrive in one read, and
        // the echo written in DataReceived must leave before this side's close_notify, not fail after it.
        using var reactor = TestBackends.Create(backend);
        var servers = new List<TlsRecordingProtocol>();
        var port = reactor.ListenSsl(0, TlsTestKit.ServerFactory(servers, s => s.OnData = (p, d) => p.Transport!.Write(d)), TlsTestKit.ServerOptions(), @interface: "127.0.0.1");
        var endpoint = new IPEndPoint(IPAddress.Loopback, port.GetHost().Port);
        using var connected = new ManualResetEventSlim();
        using var go = new ManualResetEventSlim();
        using var written = new ManualResetEventSlim();
        var peer = Task.Run(() =>
        {
            var (socket, ssl) = TlsTestKit.RawTlsClient(endpoint);
            using (socket)
            using (ssl)
            {
                connected.Set();
                go.Wait(TimeSpan.FromSeconds(10)).Should().BeTrue();
                ssl.Write("last words"u8);
                ssl.ShutdownAsync().GetAwaiter().GetResult();
                written.Set();
                var echo = System.Text.Encoding.ASCII.GetString(TlsTestKit.ReadExactly(ssl, 10));
                var answered = ssl.Read(new byte[16]) == 0;
                return (echo, answered);
            }
        });
        reactor.RunUntil(() => connected.IsSet && servers.Count == 1);

        // The reactor stands still while the peer writes, so its data and close_notify wait in the kernel together.
        go.Set();
        written.Wait(TimeSpan.FromSeconds(10)).Should().BeTrue();
        reactor.RunUntil(() => peer.IsCompleted && servers[0].Losses == 1);

        (await peer).Should().Be(("last words", true));
        servers[0].LostReason!.Exception.Should().BeOfType<ConnectionDoneException>();
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public async Task A_peer_that_never_answers_close_notify_is_closed_after_the_close_timeout(ReactorBackend backend)
    {
        var logs = new TestLoggerFactory();
        using var reactor = TestBackends.Create(backend, logs);
        var servers = new List<TlsRecordingProtocol>();
        var options = TlsTestKit.ServerOptions();
        options.CloseTimeout = TimeSpan.FromMilliseconds(300);
        var port = reactor.ListenSsl(0, TlsTestKit.ServerFactory(servers, s => s.OnHandshake = p =>
        {
            p.Transport!.Write("bye"u8);
            p.Transport.LoseConnection();
        }), options, @interface: "127.0.0.1");
        var endpoint = new IPEndPoint(IPAddress.Loopback, port.GetHost().Port);
        var peer = Task.Run(() =>
        {
            var (socket, ssl) = TlsTestKit.RawTlsClient(endpoint);
            using (socket)
            using (ssl)
            {
                var bye = TlsTestKit.ReadExactly(ssl, 3);
                var notified = ssl.Read(new byte[16]) == 0; // close_notify: this peer does not answer it
                var closed = socket.Receive(new byte[16]) == 0; // the server's FIN, after its timeout
                return (System.Text.Encoding.ASCII.GetString(bye), notified, closed);
            }
        });
        reactor.RunUntil(() => peer.IsCompleted && servers.Count == 1 && servers[0].Losses == 1);

        (await peer).Should().Be(("bye", true, true));
        logs.WithEventId(502).Should().ContainSingle("the server gave up waiting for the peer's close_notify");
        servers[0].LostReason!.Exception.Should().BeOfType<ConnectionDoneException>("this side closed cleanly");
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void A_peer_that_closes_without_close_notify_is_a_truncation(ReactorBackend backend)
    {
        using var reactor = TestBackends.Create(backend);
        var servers = new List<TlsRecordingProtocol>();
        var port = reactor.ListenSsl(0, TlsTestKit.ServerFactory(servers, s => s.OnHandshake = p => p.Transport!.Write("hello"u8)), TlsTestKit.ServerOptions(), @interface: "127.0.0.1");
        var endpoint = new IPEndPoint(IPAddress.Loopback, port.GetHost().Port);
        var peer = Task.Run(() =>
        {
            var (socket, ssl) = TlsTestKit.RawTlsClient(endpoint);
            using (socket)
            {
                TlsTestKit.ReadExactly(ssl, 5); // the server's handshake is done
                ssl.Write("partial"u8);
                socket.Shutdown(SocketShutdown.Send); // a FIN with no close_notify before it
                try
                {
                    while (socket.Receive(new byte[1024]) > 0)
                    {
                    }
                }
                catch (SocketException)
                {
                }
            }
        });
        reactor.RunUntil(() => peer.IsCompleted && servers.Count == 1 && servers[0].Losses == 1);

        servers[0].Received.Should().Equal("partial"u8.ToArray(), "what arrived before the truncation is delivered");
        servers[0].LostReason!.Exception.Should().BeOfType<ConnectionLostException>().Which.Message.Should().Contain("truncated");
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void A_paused_protocol_reads_what_came_before_a_clean_close_when_it_resumes(ReactorBackend backend)
    {
        var options = TlsTestKit.ServerOptions();
        options.CloseTimeout = TimeSpan.FromMilliseconds(200); // the paused client cannot answer the close_notify
        using var pair = TlsTestKit.Pair(backend, "127.0.0.1", options);
        var payload = new byte[20_000];
        Random.Shared.NextBytes(payload);
        pair.Client.Transport!.PauseProducing();

        pair.Server.Transport!.Write(payload);
        pair.Server.Transport.LoseConnection();
        pair.Reactor.RunUntil(() => pair.Server.Losses == 1);
        var until = DateTime.UtcNow.AddMilliseconds(300);
        while (DateTime.UtcNow < until)
        {
            pair.Reactor.Iterate(TimeSpan.FromMilliseconds(5));
        }

        pair.Client.Received.Should().BeEmpty("the client is paused");
        pair.Client.Losses.Should().Be(0, "the records before the close wait for the paused protocol");
        pair.Client.Transport.ResumeProducing();
        pair.Reactor.RunUntil(() => pair.Client.Losses == 1);

        pair.Client.Received.Should().Equal(payload);
        pair.Client.LostReason!.Exception.Should().BeOfType<ConnectionDoneException>("the server's close_notify was among them");
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void AbortConnection_closes_at_once_and_the_peer_loses_the_connection(ReactorBackend backend)
    {
        using var pair = TlsTestKit.Pair(backend, "127.0.0.1");
        pair.Client.Transport!.PauseProducing();
        pair.Server.Transport!.Write(new byte[4 * 1024 * 1024]);

        pair.Server.Transport.AbortConnection();
        pair.Server.Transport.AbortConnection();
        pair.Server.Transport.LoseConnection();
        pair.Reactor.RunUntil(() => pair.Server.Losses == 1);
        pair.Client.Transport.ResumeProducing();
        pair.Reactor.RunUntil(() => pair.Client.Losses == 1);

        pair.Server.LostReason!.Exception.Should().BeOfType<ConnectionAbortedException>();
        pair.Client.LostReason!.Exception.Should().BeOfType<ConnectionLostException>();
        pair.Server.Losses.Should().Be(1);
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void Nothing_is_delivered_after_LoseConnection_and_later_writes_are_dropped(ReactorBackend backend)
    {
        using var pair = TlsTestKit.Pair(backend, "127.0.0.1", configureServer: s => s.OnData = (p, _) => p.Transport!.Write("echo"u8));
        pair.Client.Transport!.LoseConnection();
        pair.Client.Transport.Write("dropped"u8);
        pair.Reactor.RunUntil(() => pair.Client.Losses == 1 && pair.Server.Losses == 1);

        pair.Server.Received.Should().BeEmpty("a write after LoseConnection is dropped (D20)");
        pair.Client.Received.Should().BeEmpty();
        pair.Reactor.Internal().Streams.Counters.WritesDropped.Should().BeGreaterThan(0);
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void A_registered_producer_finishes_before_close_notify(ReactorBackend backend)
    {
        using var pair = TlsTestKit.Pair(backend, "127.0.0.1");
        var producer = new CountingPullProducer(pair.Server.Transport!, chunks: 50, size: 10_000);
        pair.Server.Transport!.RegisterProducer(producer, streaming: false);
        pair.Server.Transport.LoseConnection();
        pair.Reactor.RunUntil(() => pair.Client.Losses == 1 && pair.Server.Losses == 1);

        pair.Client.Received.Length.Should().Be(500_000, "D27: LoseConnection waits for the producer to unregister");
        pair.Client.LostReason!.Exception.Should().BeOfType<ConnectionDoneException>();
    }

    /// <summary>A pull producer writing <c>chunks</c> chunks, one per ResumeProducing, then unregistering.</summary>
    private sealed class CountingPullProducer(ITransport transport, int chunks, int size) : IPullProducer
    {
        private int _written;

        public void ResumeProducing()
        {
            if (_written == chunks)
            {
                return;
            }

            transport.Write(new byte[size]);
            if (++_written == chunks)
            {
                transport.UnregisterProducer();
            }
        }

        public void StopProducing()
        {
        }
    }
}
