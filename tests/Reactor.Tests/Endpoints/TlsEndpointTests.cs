using Reactor.Endpoints;
using Reactor.Tests.Support;
using Reactor.Tests.Tcp;
using Reactor.Tests.Tls;
using Reactor.Tls;
using RecordingStreamProtocol = Reactor.Tests.Tcp.RecordingStreamProtocol;
using static Reactor.Tests.Endpoints.EndpointTestKit;

namespace Reactor.Tests.Endpoints;

/// <summary>
/// TLS endpoints (Twisted's <c>ssl:</c> server and <c>tls:</c>/<c>ssl:</c> client strings, <c>SSL4ServerEndpoint</c>,
/// <c>wrapClientTLS</c>) over loopback and a UNIX socket, with the tests' private CA: the client's Deferred fires only
/// once the server is verified (D35), and a server nobody trusts fails it with a <see cref="TlsHandshakeException"/>.
/// </summary>
public sealed class TlsEndpointTests : IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("reactor-tls-endpoints-");
    private readonly string _certificate;
    private readonly string _key;
    private readonly string _ca;

    public TlsEndpointTests()
    {
        (_certificate, _key) = TestCertificates.WritePem(TestCertificates.Server, _directory.FullName, "server");
        _ca = TestCertificates.WriteCaPem(_directory.FullName);
    }

    public void Dispose() => _directory.Delete(recursive: true);

    private static string Quote(string value) => Endpoint.QuoteStringArgument(value);

    private (IReactor Reactor, int Port, RecordingServerFactory Servers) SslServer(ReactorBackend backend)
    {
        var reactor = TestBackends.Create(backend);
        var servers = new RecordingServerFactory();
        var endpoint = Endpoint.ServerFromString(reactor, $"ssl:0:privateKey={Quote(_key)}:certKey={Quote(_certificate)}:interface=127.0.0.1");
        var listening = endpoint.Listen(servers);
        var port = ((ITcpPort)ResultOf(listening)).GetHost().Port;
        return (reactor, port, servers);
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void An_ssl_server_string_and_a_tls_client_string_with_a_private_CA_talk_over_loopback(ReactorBackend backend)
    {
        var (reactor, port, servers) = SslServer(backend);
        using var _ = reactor;
        var client = new RecordingServerFactory();

        var result = Endpoint.ClientFromString(reactor, $"tls:localhost:{port}:caCerts={Quote(_ca)}:timeout=10").Connect(client);
        reactor.RunUntilFired(result);

        var protocol = (RecordingStreamProtocol)ResultOf(result);
        var tls = protocol.Transport.Should().BeAssignableTo<ITlsTransport>().Subject;
        tls.IsHandshakeComplete.Should().BeTrue("the protocol is delivered only once the server is verified (D35)");
        tls.ServerName.Should().Be("localhost");
        protocol.Events.Should().Equal("made");
        protocol.Transport!.Write("over tls"u8);
        reactor.RunUntil(() => servers.Protocols.Count == 1 && servers.Protocols[0].Received.Length == 8);
        servers.Protocols[0].Received.Should().Equal("over tls"u8.ToArray());
        servers.Protocols[0].Transport.Should().BeAssignableTo<ITlsTransport>();
        protocol.Transport.LoseConnection();
        reactor.RunUntil(() => client.Events.Contains("stopFactory"));
    }

    [Fact]
    public void An_ssl_client_string_verifies_against_caCertsDir_and_connects_over_TCP4()
    {
        var (reactor, port, servers) = SslServer(ReactorBackend.Portable);
        using var _ = reactor;
        var endpoint = Endpoint.ClientFromString(reactor, $"ssl:127.0.0.1:{port}:caCertsDir={Quote(_directory.FullName)}:serverName=localhost");
        endpoint.Should().BeOfType<TlsClientEndpoint>().Which.Inner.Should().BeOfType<Tcp4ClientEndpoint>();

        var result = endpoint.Connect(new RecordingServerFactory());
        reactor.RunUntilFired(result);

        ((ITlsTransport)ResultOf(result).Transport!).ServerName.Should().Be("localhost");
        reactor.RunUntil(() => servers.Protocols.Count == 1);
    }

    [Theory]
    [InlineData("", TlsFailureReason.UntrustedCertificate)]
    [InlineData(":serverName=elsewhere.test", TlsFailureReason.NameMismatch)]
    public void A_server_the_client_cannot_verify_fails_the_Deferred_and_nothing_is_built(string extra, TlsFailureReason reason)
    {
        var (reactor, port, _) = SslServer(ReactorBackend.Portable);
        using var owned = reactor;
        var client = new RecordingServerFactory();
        var trust = extra.Length == 0 ? "" : $":caCerts={Quote(_ca)}";

        var result = Endpoint.ClientFromString(reactor, $"tls:localhost:{port}{trust}{extra}").Connect(client);
        reactor.RunUntilFired(result);

        FailureOf(result).Should().BeOfType<TlsHandshakeException>().Which.Reason.Should().Be(reason);
        client.Protocols.Should().BeEmpty("the client's protocol is built only once the server is verified");
    }

    [LinuxFact]
    public void TLS_endpoints_wrap_any_stream_endpoint_such_as_a_UNIX_socket()
    {
        using var reactor = TestBackends.Create(ReactorBackend.Epoll);
        var path = Path.Combine(_directory.FullName, "tls.sock");
        var servers = new RecordingServerFactory();
        ResultOf(new TlsServerEndpoint(new UnixServerEndpoint(reactor, path), TlsServerOptions.FromPemFiles(_certificate, _key)).Listen(servers));

        var options = new TlsClientOptions { TrustedCertificateAuthorities = TestCertificates.TrustCa };
        var result = new TlsClientEndpoint(reactor, new UnixClientEndpoint(reactor, path), options, serverName: "localhost").Connect(new RecordingServerFactory());
        reactor.RunUntilFired(result);

        ResultOf(result).Transport!.Write("through a path"u8);
        reactor.RunUntil(() => servers.Protocols.Count == 1 && servers.Protocols[0].Received.Length == 14);
    }

    [Fact]
    public void Cancelling_during_the_handshake_fails_with_ConnectingCancelledException_and_builds_nothing()
    {
        var (reactor, port, _) = SslServer(ReactorBackend.Portable);
        using var __ = reactor;
        var client = new RecordingServerFactory();
        var endpoint = Endpoint.ClientFromString(reactor, $"tls:127.0.0.1:{port}:caCerts={Quote(_ca)}:serverName=localhost");
        var result = endpoint.Connect(client);

        result.Cancel();

        FailureOf(result).Should().BeOfType<ConnectingCancelledException>();
        reactor.RunUntil(() => client.Events.Contains("stopFactory"));
        client.Protocols.Should().BeEmpty();
    }

    [Fact]
    public void A_TLS_client_without_a_name_to_verify_is_refused_when_made()
    {
        var reactor = new Reactor.Testing.MemoryReactor();
        FluentActions.Invoking(() => new TlsClientEndpoint(reactor, new UnixClientEndpoint(reactor, "/run/app.sock"), new TlsClientOptions()))
            .Should().Throw<ArgumentException>().WithMessage("*ServerName*");
    }

    [Theory]
    [InlineData("ssl:443:privateKey=/nonexistent/key.pem", "privateKey", "cannot be loaded")]
    [InlineData("ssl:443:privateKey={key}:certKey=/nonexistent/cert.pem", "certKey", "cannot be loaded")]
    [InlineData("ssl:443:privateKey={key}:certKey={cert}:sslmethod=TLSv1_METHOD", "sslmethod", "has no argument 'sslmethod'")]
    [InlineData("tls:443:privateKey={key}:certKey={cert}:interface=example.com", "interface", "must be an IP address")]
    public void A_bad_TLS_server_string_names_the_argument(string description, string argument, string message)
    {
        var text = description.Replace("{key}", Quote(_key), StringComparison.Ordinal).Replace("{cert}", Quote(_certificate), StringComparison.Ordinal);
        var error = FluentActions.Invoking(() => Endpoint.ServerFromString(new Reactor.Testing.MemoryReactor(), text))
            .Should().Throw<EndpointParseException>().Which;
        error.Argument.Should().Be(argument);
        error.Message.Should().Contain(message);
    }

    [Theory]
    [InlineData("tls:localhost:443:caCerts=/nonexistent/ca.pem", "caCerts", "cannot be read as PEM certificates")]
    [InlineData("tls:localhost:443:trustRoots={dir}/empty", "trustRoots", "holds no PEM certificate")]
    [InlineData("tls:localhost:443:certificate={cert}", "privateKey", "is needed too")]
    [InlineData("ssl:localhost:443:privateKey={key}", "certKey", "is needed too")]
    [InlineData("tls:localhost:0", "port", "must be a whole number from 1")]
    public void A_bad_TLS_client_string_names_the_argument(string description, string argument, string message)
    {
        Directory.CreateDirectory(Path.Combine(_directory.FullName, "empty"));
        var text = description.Replace("{key}", Quote(_key), StringComparison.Ordinal).Replace("{cert}", Quote(_certificate), StringComparison.Ordinal)
            .Replace("{dir}", Quote(_directory.FullName), StringComparison.Ordinal);
        var error = FluentActions.Invoking(() => Endpoint.ClientFromString(new Reactor.Testing.MemoryReactor(), text))
            .Should().Throw<EndpointParseException>().Which;
        error.Argument.Should().Be(argument);
        error.Message.Should().Contain(message);
    }

    [Fact]
    public void A_server_string_s_certificate_defaults_to_the_key_s_file_as_in_Twisted()
    {
        var combined = Path.Combine(_directory.FullName, "combined.pem");
        File.WriteAllText(combined, File.ReadAllText(_certificate) + File.ReadAllText(_key));
        var endpoint = Endpoint.ServerFromString(new Reactor.Testing.MemoryReactor(), $"ssl:8443:privateKey={Quote(combined)}");
        var tls = endpoint.Should().BeOfType<TlsServerEndpoint>().Subject;
        tls.Options.Certificate!.Thumbprint.Should().Be(TestCertificates.Server.Thumbprint);
        tls.Inner.Should().BeOfType<Tcp4ServerEndpoint>().Which.Port.Should().Be(8443);
    }
}
