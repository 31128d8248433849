using System.Buffers;
using System.Net.Security;
using System.Security.Authentication;
using System.Text;
using Reactor.Tests.Support;
using Reactor.Tests.Tcp;
using RecordingStreamProtocol = Reactor.Tests.Tcp.RecordingStreamProtocol;
using Reactor.Tls;

namespace Reactor.Tests.Tls;

/// <summary>
/// TLS connections over real loopback TCP, every backend and family (twisted-tcp.md §7: Twisted's
/// <c>test_tls.py</c> and <c>test_ssl.py</c>): echo, what the handshake settled, D35's order, D36's record
/// aggregation, the reactor thread, back-pressure through the layer.
/// </summary>
public class TlsConnectionTests
{
    [Theory]
    [MemberData(nameof(TcpTestKit.BackendsAndLoopbacks), MemberType = typeof(TcpTestKit))]
    public void A_TLS_client_and_server_exchange_a_megabyte_both_ways(ReactorBackend backend, string loopback)
    {
        var payload = new byte[1024 * 1024];
        Random.Shared.NextBytes(payload);
        using var pair = TlsTestKit.Pair(backend, loopback, configureServer: s => s.OnData = (p, d) => p.Transport!.Write(d));

        pair.Client.Transport!.Write(payload);
        pair.Reactor.RunUntil(() => pair.Client.Received.Length >= payload.Length);

        pair.Client.Received.Should().Equal(payload);
        pair.Server.Received.Should().Equal(payload);
        pair.Server.Transport.Should().BeAssignableTo<ITlsTransport>();
        pair.Client.Tls.IsHandshakeComplete.Should().BeTrue();
        pair.Client.Tls.SslProtocol.Should().Be(SslProtocols.Tls13);
        pair.Server.Tls.SslProtocol.Should().Be(SslProtocols.Tls13);
        pair.Client.Tls.CipherSuite.Should().NotBeNull();
        pair.Client.Tls.RemoteCertificate!.Thumbprint.Should().Be(TestCertificates.Server.Thumbprint);
        pair.Server.Tls.RemoteCertificate.Should().BeNull("the client sent no certificate");
        pair.Client.Tls.ServerName.Should().Be(loopback, "an IP literal host is verified against the certificate's addresses");
        pair.Client.Transport!.GetPeer().Should().Be(pair.Server.Transport!.GetHost());
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void The_protocol_is_connected_after_the_handshake_and_hears_HandshakeCompleted_right_after_ConnectionMade(ReactorBackend backend)
    {
        bool? completeInMade = null;
        using var pair = TlsTestKit.Pair(backend, "127.0.0.1", configureClient: c => c.OnMade = p => completeInMade = ((ITlsTransport)p.Transport!).IsHandshakeComplete);

        completeInMade.Should().BeTrue("D35: the application's protocol is built and connected only once the peer was verified");
        pair.Client.Events.Take(2).Should().Equal("made", "handshake");
        pair.Server.Events.Take(2).Should().Equal("made", "handshake");
        pair.ClientFactory.Events.Should().ContainInOrder("startFactory", "started", "build");
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void Every_callback_runs_on_the_reactor_thread(ReactorBackend backend)
    {
        using var pair = TlsTestKit.Pair(backend, "127.0.0.1", configureServer: s => s.OnData = (p, d) => p.Transport!.Write(d));
        pair.Client.Transport!.Write(new byte[200_000]);
        pair.Reactor.RunUntil(() => pair.Client.Received.Length == 200_000);

        // The test iterates the reactor on its own thread: that is the reactor thread.
        pair.Client.Threads.Should().Equal([Environment.CurrentManagedThreadId]);
        pair.Server.Threads.Should().Equal([Environment.CurrentManagedThreadId]);
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void ALPN_settles_on_the_servers_preference_among_what_the_client_offers(ReactorBackend backend)
    {
        var server = TlsTestKit.ServerOptions();
        server.ApplicationProtocols.Add(SslApplicationProtocol.Http2);
        server.ApplicationProtocols.Add(SslApplicationProtocol.Http11);
        var client = TlsTestKit.ClientOptions();
        client.ApplicationProtocols.Add(new SslApplicationProtocol("reactor/1"));
        client.ApplicationProtocols.Add(SslApplicationProtocol.Http11);
        using var pair = TlsTestKit.Pair(backend, "127.0.0.1", server, client);

        pair.Client.Tls.NegotiatedApplicationProtocol.Should().Be(SslApplicationProtocol.Http11);
        pair.Server.Tls.NegotiatedApplicationProtocol.Should().Be(SslApplicationProtocol.Http11);
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void Without_ALPN_nothing_is_negotiated_and_a_name_is_verified_and_sent(ReactorBackend backend)
    {
        using var pair = TlsTestKit.Pair(backend, "127.0.0.1", clientOptions: TlsTestKit.ClientOptions("localhost"));

        pair.Client.Tls.NegotiatedApplicationProtocol.Should().Be(default(SslApplicationProtocol));
        pair.Client.Tls.ServerName.Should().Be("localhost");
        pair.Server.Tls.ServerName.Should().Be("localhost", "the client sent it with SNI");
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void A_server_picks_its_certificate_by_the_name_the_client_asks_for(ReactorBackend backend)
    {
        var asked = new List<string?>();
        var server = new TlsServerOptions(name =>
        {
            asked.Add(name);
            return name == "localhost" ? TestCertificates.Server : TestCertificates.WrongName;
        });
        using var pair = TlsTestKit.Pair(backend, "127.0.0.1", server, TlsTestKit.ClientOptions("localhost"));

        asked.Should().Equal("localhost");
        pair.Client.Tls.RemoteCertificate!.Thumbprint.Should().Be(TestCertificates.Server.Thumbprint);
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void Writes_of_one_dispatch_are_encrypted_together_into_few_records(ReactorBackend backend)
    {
        using var pair = TlsTestKit.Pair(backend, "127.0.0.1");
        var counters = pair.Reactor.Internal().Streams.Counters;
        var wireBefore = counters.BytesSent;
        var plainBefore = counters.TlsBytesSent;

        // 1,000 writes of 10 bytes in one callback: one record each would cost ≥ 22 bytes of overhead apiece.
        pair.Reactor.CallLater(TimeSpan.Zero, () =>
        {
            for (var i = 0; i < 1000; i++)
            {
                pair.Client.Transport!.Write("0123456789"u8);
            }
        });
        pair.Reactor.RunUntil(() => pair.Server.Received.Length == 10_000);

        (counters.TlsBytesSent - plainBefore).Should().Be(10_000);
        (counters.BytesSent - wireBefore).Should().BeLessThan(10_000 + 200, "D36: the 1,000 writes left as one record, not 1,000");
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void A_paused_reader_pauses_the_writers_producer_through_the_layer_and_nothing_is_lost(ReactorBackend backend)
    {
        const int total = 32 * 1024 * 1024;
        using var pair = TlsTestKit.Pair(backend, "127.0.0.1");
        var producer = new ChunkProducer(pair.Server.Transport!, total);
        pair.Client.Transport!.PauseProducing();
        pair.Server.Transport!.RegisterProducer(producer, streaming: true);
        producer.ResumeProducing();

        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (DateTime.UtcNow < deadline && !producer.Paused)
        {
            pair.Reactor.Iterate(TimeSpan.FromMilliseconds(5));
        }

        producer.Paused.Should().BeTrue("the server's buffer filled and the layer paused the producer");
        for (var i = 0; i < 200; i++)
        {
            pair.Reactor.Iterate(TimeSpan.FromMilliseconds(1));
        }

        producer.Written.Should().BeLessThan(total, "a paused producer writes nothing more");
        pair.Server.Transport.BufferedBytes.Should().BeLessThan(4 * 1024 * 1024, "what waits is bounded by the watermarks and the kernel");

        pair.Client.Transport.ResumeProducing();
        pair.Reactor.RunUntil(() => pair.Client.Received.Length == total, TimeSpan.FromSeconds(60));
        producer.Pauses.Should().BeGreaterThan(0);
        var received = pair.Client.Received;
        for (var i = 0; i < received.Length; i += 4093)
        {
            received[i].Should().Be((byte)(i % 251));
        }
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void An_exception_in_DataReceived_is_logged_closes_that_connection_and_the_server_keeps_serving(ReactorBackend backend)
    {
        var logs = new TestLoggerFactory();
        using var pair = TlsTestKit.Pair(backend, "127.0.0.1", logs: logs,
            configureServer: s => s.OnData = (_, d) => throw new InvalidOperationException("boom " + d.Length));
        pair.Client.Transport!.Write("x"u8);
        pair.Reactor.RunUntil(() => pair.Client.Losses == 1 && pair.Server.Losses == 1);

        logs.Records.Should().Contain(r => r.Exception is InvalidOperationException && r.Exception.Message == "boom 1");
        var clients = new List<TlsRecordingProtocol>();
        pair.Reactor.ConnectSsl("127.0.0.1", pair.Port.GetHost().Port, TlsTestKit.ClientFactory(clients), TlsTestKit.ClientOptions());
        pair.Reactor.RunUntil(() => clients.Count == 1 && clients[0].Events.Contains("handshake"));
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void A_factory_that_builds_no_protocol_closes_the_connection_after_the_handshake(ReactorBackend backend)
    {
        using var reactor = TestBackends.Create(backend);
        var port = reactor.ListenSsl(0, new RecordingServerFactory { Build = _ => null }, TlsTestKit.ServerOptions(), @interface: "127.0.0.1");
        var clients = new List<TlsRecordingProtocol>();
        reactor.ConnectSsl("127.0.0.1", port.GetHost().Port, TlsTestKit.ClientFactory(clients), TlsTestKit.ClientOptions());
        reactor.RunUntil(() => clients.Count == 1 && clients[0].Losses == 1);

        clients[0].Events.Should().StartWith("made");
        clients[0].LostReason!.Exception.Should().BeOfType<ConnectionDoneException>("the server closed with close_notify");
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void The_tls_counters_count_handshakes_and_plaintext(ReactorBackend backend)
    {
        using var pair = TlsTestKit.Pair(backend, "127.0.0.1", configureServer: s => s.OnData = (p, d) => p.Transport!.Write(d));
        pair.Client.Transport!.Write(Encoding.ASCII.GetBytes("hello"));
        pair.Reactor.RunUntil(() => pair.Client.Received.Length == 5);
        var counters = pair.Reactor.Internal().Streams.Counters;

        counters.TlsHandshakes.Should().Be(2, "one handshake each side");
        counters.TlsHandshakeFailures.Should().Be(0);
        counters.TlsBytesSent.Should().Be(10);
        counters.TlsBytesReceived.Should().Be(10);
    }

    /// <summary>A push producer writing a known pattern in 64 KiB chunks, one chunk per resume or per reactor turn while unpaused.</summary>
    private sealed class ChunkProducer(ITransport transport, int total) : IPushProducer
    {
        public bool Paused { get; private set; }

        public int Pauses { get; private set; }

        public int Written { get; private set; }

        public void PauseProducing()
        {
            Paused = true;
            Pauses++;
        }

        public void ResumeProducing()
        {
            Paused = false;
            var chunk = new byte[64 * 1024];
            while (!Paused && Written < total)
            {
                var n = Math.Min(chunk.Length, total - Written);
                for (var i = 0; i < n; i++)
                {
                    chunk[i] = (byte)((Written + i) % 251);
                }

                transport.Write(chunk.AsSpan(0, n));
                Written += n;
            }

            if (Written >= total)
            {
                transport.UnregisterProducer();
            }
        }

        public void StopProducing()
        {
        }
    }
}

/// <summary>A <see cref="PipeProtocol"/> over TLS: the pipe edge works on the TLS transport as on TCP.</summary>
public class TlsPipeTests
{
    private sealed class PipeEcho : PipeProtocol
    {
        protected override async Task ExecuteAsync(System.IO.Pipelines.IDuplexPipe pipe)
        {
            while (true)
            {
                var result = await pipe.Input.ReadAsync();
                foreach (var segment in result.Buffer)
                {
                    pipe.Output.Write(segment.Span);
                }

                pipe.Input.AdvanceTo(result.Buffer.End);
                var flush = await pipe.Output.FlushAsync();
                if (result.IsCompleted || flush.IsCompleted)
                {
                    return;
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(TcpTestKit.BackendsAndLoopbacks), MemberType = typeof(TcpTestKit))]
    public void A_pipe_protocol_echoes_four_megabytes_over_TLS(ReactorBackend backend, string loopback)
    {
        using var reactor = TestBackends.Create(backend);
        var port = reactor.ListenSsl(0, Factory.ForProtocol<PipeEcho>(), TlsTestKit.ServerOptions(), @interface: loopback);
        var clients = new List<TlsRecordingProtocol>();
        reactor.ConnectSsl(loopback, port.GetHost().Port, TlsTestKit.ClientFactory(clients), TlsTestKit.ClientOptions());
        reactor.RunUntil(() => clients.Count == 1 && clients[0].Events.Contains("handshake"));
        var payload = new byte[4 * 1024 * 1024];
        Random.Shared.NextBytes(payload);

        clients[0].Transport!.Write(payload);
        reactor.RunUntil(() => clients[0].Received.Length == payload.Length, TimeSpan.FromSeconds(60));
        clients[0].Received.Should().Equal(payload);

        clients[0].Transport!.LoseConnection();
        reactor.RunUntil(() => clients[0].Losses == 1);
        clients[0].LostReason!.Exception.Should().BeOfType<ConnectionDoneException>();
    }
}
