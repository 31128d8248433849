using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using Reactor.Tests.Support;
using Reactor.Tests.Tcp;
using RecordingStreamProtocol = Reactor.Tests.Tcp.RecordingStreamProtocol;
using Reactor.Tls;

namespace Reactor.Tests.Tls;

/// <summary>
/// Verification is on by default and a failure is a failed connection (D35): the wrong name, an untrusted or expired
/// certificate, a missing client certificate, an old TLS version, a peer that never answers. The server keeps serving
/// after each.
/// </summary>
public class TlsVerificationTests
{
    /// <summary>Connects a client with <paramref name="client"/> options to a server presenting <paramref name="server"/>; returns the failure the client factory heard.</summary>
    private static (TlsHandshakeException Failure, List<TlsRecordingProtocol> Servers, List<TlsRecordingProtocol> Clients, RecordingClientFactory Factory)
        FailedAttempt(IReactor reactor, ITcpPort port, List<TlsRecordingProtocol> servers, TlsClientOptions client, string host = "127.0.0.1")
    {
        var clients = new List<TlsRecordingProtocol>();
        var factory = TlsTestKit.ClientFactory(clients);
        reactor.ConnectSsl(host, port.GetHost().Port, factory, client);
        reactor.RunUntil(() => factory.FailedReason is not null);
        return (factory.FailedReason!.Exception.Should().BeOfType<TlsHandshakeException>().Subject, servers, clients, factory);
    }

    private static void AValidClientStillConnects(IReactor reactor, ITcpPort port, List<TlsRecordingProtocol> servers, TlsClientOptions? options = null, string host = "127.0.0.1")
    {
        // The refused attempt's server side may still be finishing (with TLS 1.3 it can complete, and build, after the
        // client has failed): count from once it is gone.
        reactor.RunUntil(() => reactor.Internal().Streams.Counters.ConnectionsActive == 0);
        var clients = new List<TlsRecordingProtocol>();
        var before = servers.Count;
        reactor.ConnectSsl(host, port.GetHost().Port, TlsTestKit.ClientFactory(clients), options ?? TlsTestKit.ClientOptions());
        reactor.RunUntil(() => clients.Count == 1 && clients[0].Events.Contains("handshake") && servers.Count == before + 1);
    }

    [Theory]
    [MemberData(nameof(TcpTestKit.BackendsAndLoopbacks), MemberType = typeof(TcpTestKit))]
    public void A_certificate_for_another_name_is_refused_and_no_protocol_is_built(ReactorBackend backend, string loopback)
    {
        using var reactor = TestBackends.Create(backend);
        var servers = new List<TlsRecordingProtocol>();
        var port = reactor.ListenSsl(0, TlsTestKit.ServerFactory(servers), TlsTestKit.ServerOptions(), @interface: loopback);

        var (failure, _, clients, factory) = FailedAttempt(reactor, port, servers, TlsTestKit.ClientOptions("elsewhere.test"), loopback);

        failure.Reason.Should().Be(TlsFailureReason.NameMismatch);
        failure.PolicyErrors.Should().HaveFlag(SslPolicyErrors.RemoteCertificateNameMismatch);
        failure.Message.Should().Contain("elsewhere.test");
        clients.Should().BeEmpty("D35: nothing is built for a peer that did not verify");
        factory.Events.Should().NotContain("build");
        factory.Events.Should().NotContain(e => e.StartsWith("lost", StringComparison.Ordinal));
        reactor.RunUntil(() => reactor.Internal().Streams.Counters.ConnectionsActive == 0);

        // The runtime verifies the server after its handshake messages are done: with TLS 1.3 the server may have
        // completed its side, and built a protocol, before the client's alert ends the connection.
        servers.Where(s => s.Losses != 1).Should().BeEmpty();
        AValidClientStillConnects(reactor, port, servers, host: loopback);
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void A_certificate_from_an_untrusted_authority_is_refused(ReactorBackend backend)
    {
        using var reactor = TestBackends.Create(backend);
        var servers = new List<TlsRecordingProtocol>();
        var port = reactor.ListenSsl(0, TlsTestKit.ServerFactory(servers), TlsTestKit.ServerOptions(TestCertificates.Untrusted), @interface: "127.0.0.1");

        var (failure, _, clients, _) = FailedAttempt(reactor, port, servers, TlsTestKit.ClientOptions());

        failure.Reason.Should().Be(TlsFailureReason.UntrustedCertificate);
        failure.PolicyErrors.Should().HaveFlag(SslPolicyErrors.RemoteCertificateChainErrors);
        clients.Should().BeEmpty();
        AValidClientStillConnects(reactor, port, servers, new TlsClientOptions { TrustedCertificateAuthorities = [TestCertificates.OtherCa] });
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void The_systems_roots_do_not_trust_a_private_CA(ReactorBackend backend)
    {
        using var reactor = TestBackends.Create(backend);
        var servers = new List<TlsRecordingProtocol>();
        var port = reactor.ListenSsl(0, TlsTestKit.ServerFactory(servers), TlsTestKit.ServerOptions(), @interface: "127.0.0.1");

        var (failure, _, _, _) = FailedAttempt(reactor, port, servers, new TlsClientOptions());

        failure.Reason.Should().Be(TlsFailureReason.UntrustedCertificate, "verification is on by default, against the system's roots");
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void An_expired_certificate_is_refused(ReactorBackend backend)
    {
        using var reactor = TestBackends.Create(backend);
        var servers = new List<TlsRecordingProtocol>();
        var port = reactor.ListenSsl(0, TlsTestKit.ServerFactory(servers), TlsTestKit.ServerOptions(TestCertificates.Expired), @interface: "127.0.0.1");

        var (failure, _, clients, _) = FailedAttempt(reactor, port, servers, TlsTestKit.ClientOptions());

        failure.Reason.Should().Be(TlsFailureReason.ExpiredCertificate);
        clients.Should().BeEmpty();
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void Turning_verification_off_accepts_any_certificate(ReactorBackend backend)
    {
        using var reactor = TestBackends.Create(backend);
        var servers = new List<TlsRecordingProtocol>();
        var port = reactor.ListenSsl(0, TlsTestKit.ServerFactory(servers), TlsTestKit.ServerOptions(TestCertificates.Expired), @interface: "127.0.0.1");

        AValidClientStillConnects(reactor, port, servers, new TlsClientOptions { DangerousAcceptAnyServerCertificate = true });
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void A_required_client_certificate_is_verified_and_readable_on_the_server(ReactorBackend backend)
    {
        using var reactor = TestBackends.Create(backend);
        var servers = new List<TlsRecordingProtocol>();
        var options = TlsTestKit.ServerOptions();
        options.RequireClientCertificate = true;
        options.ClientCertificateAuthorities = TestCertificates.TrustCa;
        var port = reactor.ListenSsl(0, TlsTestKit.ServerFactory(servers), options, @interface: "127.0.0.1");

        var withCertificate = TlsTestKit.ClientOptions();
        withCertificate.ClientCertificate = TestCertificates.Client;
        AValidClientStillConnects(reactor, port, servers, withCertificate);
        servers[0].Tls.RemoteCertificate!.Thumbprint.Should().Be(TestCertificates.Client.Thumbprint);

        var counters = reactor.Internal().Streams.Counters;
        var failuresBefore = counters.TlsHandshakeFailures;
        var clients = new List<TlsRecordingProtocol>();
        var factory = TlsTestKit.ClientFactory(clients);
        reactor.ConnectSsl("127.0.0.1", port.GetHost().Port, factory, TlsTestKit.ClientOptions());
        reactor.RunUntil(() => factory.FailedReason is not null || factory.LostReason is not null);
        reactor.RunUntil(() => counters.TlsHandshakeFailures > failuresBefore);

        servers.Should().HaveCount(1, "the server built nothing for a client without a certificate");
        if (factory.FailedReason is not null)
        {
            factory.FailedReason.Exception.Should().BeOfType<TlsHandshakeException>();
        }
        else
        {
            // With TLS 1.3 the client's handshake ends before the server has seen its (missing) certificate: it
            // connects, and then loses the connection when the server refuses it.
            clients.Should().ContainSingle().Which.Losses.Should().Be(1);
        }
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void A_peer_that_offers_only_TLS_1_0_is_refused(ReactorBackend backend)
    {
        var logs = new TestLoggerFactory();
        using var reactor = TestBackends.Create(backend, logs);
        var servers = new List<TlsRecordingProtocol>();
        var port = reactor.ListenSsl(0, TlsTestKit.ServerFactory(servers), TlsTestKit.ServerOptions(), @interface: "127.0.0.1");
        var endpoint = new IPEndPoint(IPAddress.Loopback, port.GetHost().Port);

        var attempt = Task.Run(() =>
        {
            using var socket = TcpTestKit.RawClient(endpoint);
            socket.ReceiveTimeout = 10_000;
            using var ssl = new SslStream(new NetworkStream(socket), false, static (_, _, _, _) => true);
#pragma warning disable SYSLIB0039 // TLS 1.0 on purpose: the server must refuse it.
            ssl.AuthenticateAsClient(new SslClientAuthenticationOptions { TargetHost = "localhost", EnabledSslProtocols = SslProtocols.Tls });
#pragma warning restore SYSLIB0039
        });
        reactor.RunUntil(() => attempt.IsCompleted);

        attempt.IsFaulted.Should().BeTrue("the server allows TLS 1.2 and 1.3 only");
        servers.Should().BeEmpty();
        reactor.RunUntil(() => logs.WithEventId(500).Any());
        AValidClientStillConnects(reactor, port, servers);
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void Bytes_that_are_not_TLS_fail_the_servers_handshake_which_is_logged_and_counted(ReactorBackend backend)
    {
        var logs = new TestLoggerFactory();
        using var reactor = TestBackends.Create(backend, logs);
        var servers = new List<TlsRecordingProtocol>();
        var port = reactor.ListenSsl(0, TlsTestKit.ServerFactory(servers), TlsTestKit.ServerOptions(), @interface: "127.0.0.1");
        using var raw = TcpTestKit.RawClient(new IPEndPoint(IPAddress.Loopback, port.GetHost().Port));
        raw.Send("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n"u8);

        var counters = reactor.Internal().Streams.Counters;
        reactor.RunUntil(() => counters.TlsHandshakeFailures == 1 && counters.ConnectionsActive == 0);
        var failed = logs.WithEventId(500).Should().ContainSingle().Subject;
        failed.Message.Should().Contain("127.0.0.1");
        servers.Should().BeEmpty();
        AValidClientStillConnects(reactor, port, servers);
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void A_client_whose_server_never_answers_fails_after_the_handshake_timeout(ReactorBackend backend)
    {
        using var reactor = TestBackends.Create(backend);
        using var silent = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        silent.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        silent.Listen(); // the kernel completes the TCP handshake; nobody ever answers the ClientHello
        var options = TlsTestKit.ClientOptions();
        options.HandshakeTimeout = TimeSpan.FromMilliseconds(300);
        var clients = new List<TlsRecordingProtocol>();
        var factory = TlsTestKit.ClientFactory(clients);

        reactor.ConnectSsl("127.0.0.1", ((IPEndPoint)silent.LocalEndPoint!).Port, factory, options);
        reactor.RunUntil(() => factory.FailedReason is not null, TimeSpan.FromSeconds(10));

        factory.FailedReason!.Exception.Should().BeOfType<TlsHandshakeException>().Which.Reason.Should().Be(TlsFailureReason.Timeout);
        clients.Should().BeEmpty();
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void A_server_drops_a_client_that_never_finishes_its_handshake(ReactorBackend backend)
    {
        using var reactor = TestBackends.Create(backend);
        var servers = new List<TlsRecordingProtocol>();
        var options = TlsTestKit.ServerOptions();
        options.HandshakeTimeout = TimeSpan.FromMilliseconds(300);
        var port = reactor.ListenSsl(0, TlsTestKit.ServerFactory(servers), options, @interface: "127.0.0.1");
        using var raw = TcpTestKit.RawClient(new IPEndPoint(IPAddress.Loopback, port.GetHost().Port));

        var counters = reactor.Internal().Streams.Counters;
        reactor.RunUntil(() => counters.ConnectionsAccepted == 1);
        reactor.RunUntil(() => counters.ConnectionsActive == 0, TimeSpan.FromSeconds(10));

        counters.TlsHandshakeFailures.Should().Be(1);
        raw.ReceiveTimeout = 5_000;
        var closed = () => raw.Receive(new byte[16]) == 0 ? throw new SocketException((int)SocketError.ConnectionReset) : 0;
        closed.Should().Throw<SocketException>("the server aborted the connection").Which.SocketErrorCode.Should().Be(SocketError.ConnectionReset);
        servers.Should().BeEmpty();
    }

    [Fact]
    public void A_client_must_say_which_name_to_verify()
    {
        var act = () => TlsFactory.ForClient(new RecordingClientFactory(), new TlsClientOptions());
        act.Should().Throw<ArgumentException>().WithMessage("*ServerName*");
        TlsFactory.ForClient(new RecordingClientFactory(), new TlsClientOptions { DangerousAcceptAnyServerCertificate = true }).Should().NotBeNull();
    }

    [Fact]
    public void A_server_certificate_without_its_private_key_is_refused_at_once()
    {
        using var publicOnly = System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadCertificate(TestCertificates.Server.RawData);
        var act = () => new TlsServerOptions(publicOnly);
        act.Should().Throw<ArgumentException>().WithMessage("*private key*");
    }

    [Fact]
    public void Timeouts_must_be_positive()
    {
        var options = TlsTestKit.ServerOptions();
        options.HandshakeTimeout = TimeSpan.Zero;
        var act = () => TlsFactory.ForServer(new RecordingServerFactory(), options);
        act.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*HandshakeTimeout*");
    }
}
