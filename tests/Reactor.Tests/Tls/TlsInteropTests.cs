using System.Globalization;
using System.Net.Security;
using System.Security.Authentication;
using System.Text;
using Reactor.Tests.Samples;
using Reactor.Tests.Support;
using Reactor.Tests.Tcp;
using Reactor.Tls;
using RecordingStreamProtocol = Reactor.Tests.Tcp.RecordingStreamProtocol;
using Xunit.Abstractions;

namespace Reactor.Tests.Tls;

/// <summary>
/// ListenSsl, ConnectSsl and StartTls against TLS stacks nobody here wrote, over loopback: openssl's s_client (ALPN, a
/// TLS 1.0-only client) and s_server (TLS 1.2, TLS 1.3, ALPN), and a Twisted server that upgrades with startTLS.
/// Each skips, saying why, when its peer is not installed.
/// </summary>
[Collection(SampleCollection.Name)]
public sealed class TlsInteropTests(ITestOutputHelper output) : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly TlsFiles _files = new();

    public void Dispose() => _files.Dispose();

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);

    [RequiresProgramFact("openssl", "openssl")]
    [Trait("kind", "interop")]
    public void Openssl_s_client_and_ListenSsl_settle_on_the_servers_ALPN_preference_among_what_it_offers()
    {
        using var reactor = TestBackends.Create(ReactorBackend.Epoll);
        var servers = new List<TlsRecordingProtocol>();
        var options = TlsTestKit.ServerOptions();
        options.ApplicationProtocols.Add(SslApplicationProtocol.Http2);
        options.ApplicationProtocols.Add(SslApplicationProtocol.Http11);
        var port = reactor.ListenSsl(0, TlsTestKit.ServerFactory(servers, s => s.OnData = (p, d) => p.Transport!.Write(d)), options, @interface: "127.0.0.1");

        using var client = SampleProcess.Start("openssl",
            ["s_client", "-connect", $"127.0.0.1:{port.GetHost().Port}", "-alpn", "http/1.1,h2", "-CAfile", _files.Ca, "-verify_return_error", "-servername", "localhost"],
            keepInputOpen: true);
        reactor.RunUntil(() => servers.Count == 1 && servers[0].Events.Contains("handshake"), Timeout);
        client.WaitForLine(l => l.StartsWith("ALPN protocol:", StringComparison.Ordinal)).Should().Be("ALPN protocol: h2");
        servers[0].Tls.NegotiatedApplicationProtocol.Should().Be(SslApplicationProtocol.Http2);
        servers[0].Tls.ServerName.Should().Be("localhost", "s_client sent it with SNI");

        client.WriteInput("ping\n");
        reactor.RunUntil(() => servers[0].Received.Length == 5, Timeout);
        client.WaitForLine(l => l == "ping").Should().Be("ping");
        client.CloseInput();
        reactor.RunUntil(() => servers[0].Losses == 1, Timeout);
        servers[0].LostReason!.Exception.Should().BeOfType<ConnectionDoneException>("s_client sends close_notify at the end of its input");
        client.WaitForExit(Timeout).Should().Be(0);
    }

    [RequiresOpenSslTls10Fact]
    [Trait("kind", "interop")]
    public void A_TLS_1_0_only_openssl_s_client_fails_the_servers_handshake_with_ProtocolVersion_and_it_goes_on_serving()
    {
        var logs = new TestLoggerFactory();
        using var reactor = TestBackends.Create(ReactorBackend.Epoll, logs);
        var servers = new List<TlsRecordingProtocol>();
        var port = reactor.ListenSsl(0, TlsTestKit.ServerFactory(servers), TlsTestKit.ServerOptions(), @interface: "127.0.0.1");

        using var client = SampleProcess.Start("openssl", ["s_client", "-connect", $"127.0.0.1:{port.GetHost().Port}", "-tls1", "-cipher", OpenSsl.Tls10Ciphers], keepInputOpen: true);
        reactor.RunUntil(() => logs.WithEventId(500).Any(), Timeout);
        client.WaitForExit(Timeout).Should().NotBe(0);

        var failure = logs.WithEventId(500).Single().Message;
        output.WriteLine(failure);
        failure.Should().Contain($"({TlsFailureReason.ProtocolVersion})");
        servers.Should().BeEmpty("D35: no protocol for a peer whose handshake failed");
        reactor.Internal().Streams.Counters.TlsHandshakeFailures.Should().Be(1);

        var clients = new List<TlsRecordingProtocol>();
        reactor.ConnectSsl("127.0.0.1", port.GetHost().Port, TlsTestKit.ClientFactory(clients), TlsTestKit.ClientOptions());
        reactor.RunUntil(() => clients.Count == 1 && clients[0].Events.Contains("handshake") && servers.Count == 1, Timeout);
    }

    [RequiresProgramFact("openssl", "openssl")]
    [Trait("kind", "interop")]
    public void ConnectSsl_talks_TLS_1_2_to_openssl_s_server() => AgainstSServer("-tls1_2", SslProtocols.Tls12);

    [RequiresProgramFact("openssl", "openssl")]
    [Trait("kind", "interop")]
    public void ConnectSsl_talks_TLS_1_3_to_openssl_s_server() => AgainstSServer("-tls1_3", SslProtocols.Tls13);

    /// <summary>
    /// openssl s_server -rev answers each line reversed: ConnectSsl verifies it (test CA, localhost), negotiates
    /// <paramref name="version"/> and http/1.1 by ALPN, and gets "olleh" for "hello".
    /// </summary>
    private void AgainstSServer(string version, SslProtocols expected)
    {
        using var server = SampleProcess.Start("openssl",
            ["s_server", "-accept", "127.0.0.1:0", "-naccept", "1", "-rev", version, "-alpn", "http/1.1", "-cert", _files.Server.Certificate, "-key", _files.Server.Key],
            keepInputOpen: true);
        var port = TlsEchoSampleTests.OpenSslServerPort(server);

        using var reactor = TestBackends.Create(ReactorBackend.Epoll);
        var clients = new List<TlsRecordingProtocol>();
        var options = TlsTestKit.ClientOptions("localhost");
        options.ApplicationProtocols.Add(SslApplicationProtocol.Http2);
        options.ApplicationProtocols.Add(SslApplicationProtocol.Http11);
        var factory = TlsTestKit.ClientFactory(clients, c => c.OnHandshake = p => p.Transport!.Write("hello\n"u8));
        reactor.ConnectSsl("127.0.0.1", port, factory, options);
        reactor.RunUntil(() => factory.FailedReason is not null || (clients.Count == 1 && clients[0].Received.Length >= 6), Timeout);

        factory.FailedReason.Should().BeNull();
        var client = clients[0];
        Encoding.ASCII.GetString(client.Received).Should().Be("olleh\n");
        client.Tls.SslProtocol.Should().Be(expected);
        client.Tls.NegotiatedApplicationProtocol.Should().Be(SslApplicationProtocol.Http11, "the only one s_server accepts");
        client.Tls.ServerName.Should().Be("localhost");
        client.Tls.RemoteCertificate!.Thumbprint.Should().Be(TestCertificates.Server.Thumbprint);
        output.WriteLine($"{client.Tls.SslProtocol} {client.Tls.CipherSuite} ALPN {client.Tls.NegotiatedApplicationProtocol}");

        client.Transport!.LoseConnection();
        reactor.RunUntil(() => client.Losses == 1, Timeout);
        client.LostReason!.Exception.Should().BeOfType<ConnectionDoneException>("s_server answers close_notify");
        server.WaitForLine(l => l.StartsWith("ALPN protocols selected:", StringComparison.Ordinal)).Should().Be("ALPN protocols selected: http/1.1");
        server.CloseInput();
        server.WaitForExit(Timeout).Should().Be(0);
        server.Stderr.Should().Contain($"Protocol version: {(expected == SslProtocols.Tls12 ? "TLSv1.2" : "TLSv1.3")}");
    }

    /// <summary>
    /// A plaintext exchange, then StartTls, then the same connection inside TLS: the client writes "STARTTLS\r\n", the
    /// Twisted server answers "OK\r\n" and calls <c>transport.startTLS</c>; the client calls StartTls on reading "OK" and
    /// what it writes after is echoed inside TLS.
    /// </summary>
    private sealed class StartTlsClient(TlsClientOptions options) : RecordingStreamProtocol, IHandshakeListener
    {
        private string _clear = "";

        public bool Upgraded { get; private set; }

        public bool Handshaken { get; private set; }

        public string Secure { get; private set; } = "";

        public override void ConnectionMade()
        {
            base.ConnectionMade();
            Transport!.Write("STARTTLS\r\n"u8);
        }

        public override void DataReceived(ReadOnlySpan<byte> data)
        {
            base.DataReceived(data);
            if (Upgraded)
            {
                Secure += Encoding.ASCII.GetString(data);
                return;
            }

            _clear += Encoding.ASCII.GetString(data);
            if (_clear == "OK\r\n")
            {
                Upgraded = true;
                Transport!.StartTls(options);
                Transport!.Write("inside TLS"u8);
            }
        }

        public void HandshakeCompleted() => Handshaken = true;
    }

    [RequiresTwistedFact]
    [Trait("kind", "interop")]
    public void StartTls_after_a_plaintext_exchange_upgrades_the_connection_to_a_Twisted_server_that_calls_startTLS()
    {
        using var server = SampleProcess.Start(ExternalProgram.TwistedPython!,
            [EchoSampleTests.PeerScript("twisted_tls_echo_server.py"), "127.0.0.1", "0", _files.Server.Certificate, _files.Server.Key, "--starttls"]);
        var port = int.Parse(server.WaitForLine(l => l.StartsWith("Echo starting on ", StringComparison.Ordinal))["Echo starting on ".Length..], CultureInfo.InvariantCulture);

        using var reactor = TestBackends.Create(ReactorBackend.Epoll);
        var client = new StartTlsClient(TlsTestKit.ClientOptions("localhost"));
        reactor.ConnectTcp("127.0.0.1", port, new RecordingClientFactory { Build = _ => client });
        reactor.RunUntil(() => client.Secure == "inside TLS" || client.Losses > 0, Timeout);

        client.Secure.Should().Be("inside TLS");
        client.Handshaken.Should().BeTrue();
        client.Transport.Should().BeAssignableTo<ITlsTransport>().Which.RemoteCertificate!.Thumbprint.Should().Be(TestCertificates.Server.Thumbprint);
        server.WaitForLine(l => l.StartsWith("clear line", StringComparison.Ordinal)).Should().Be("clear line b'STARTTLS'");
        server.WaitForLine(l => l.StartsWith("secure received", StringComparison.Ordinal)).Should().Be("secure received b'inside TLS'");

        client.Transport!.LoseConnection();
        reactor.RunUntil(() => client.Losses == 1, Timeout);
        client.LostReason!.Exception.Should().BeOfType<ConnectionDoneException>();
        server.WaitForLine(l => l.StartsWith("connection lost", StringComparison.Ordinal)).Should().Be("connection lost: Connection was closed cleanly.");
    }
}
