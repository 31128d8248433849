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
    [InlineData("ssl:443:privateKey={key}:certKey={cert}:sslmethod=TLSv1_METHOD", "sslmethod", "a version Reactor refuses: TLS 1.2 and 1.3 only")]
    [InlineData("ssl:443:privateKey={key}:certKey={cert}:sslmethod=TLSv1_1_METHOD", "sslmethod", "a version Reactor refuses")]
    [InlineData("ssl:443:privateKey={key}:certKey={cert}:sslmethod=TLSv9_METHOD", "sslmethod", "must be SSLv23_METHOD (TLS 1.2 and 1.3, the default) or TLSv1_2_METHOD, not 'TLSv9_METHOD'")]
    [InlineData("ssl:443:privateKey={key}:certKey={cert}:dhParameters={cert}", "dhParameters", "cannot load Diffie-Hellman parameters")]
    [InlineData("ssl:443:privateKey={key}:certKey={cert}:extraCertChain={key}", "extraCertChain", "holds no PEM certificate")]
    [InlineData("ssl:443:privateKey={key}:certKey={cert}:extraCertChain=/nonexistent/chain.pem", "extraCertChain", "cannot be read as PEM certificates")]
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

    // Twisted's ServerStringTests: chain order, a chain file must hold a certificate (above), PEM without a trailing newline.

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_server_string_s_chain_is_sent_so_a_client_trusting_only_the_root_verifies_it(bool inExtraCertChain)
    {
        var (leaf, key) = TestCertificates.WritePem(TestCertificates.ServerViaIntermediate, _directory.FullName, "leaf");
        var intermediate = TestCertificates.Intermediate.ExportCertificatePem() + "\n";
        string description;
        if (inExtraCertChain)
        {
            var chain = Path.Combine(_directory.FullName, "chain.pem");
            File.WriteAllText(chain, intermediate);
            description = $"ssl:0:privateKey={Quote(key)}:certKey={Quote(leaf)}:extraCertChain={Quote(chain)}:interface=127.0.0.1";
        }
        else
        {
            File.AppendAllText(leaf, intermediate);
            description = $"ssl:0:privateKey={Quote(key)}:certKey={Quote(leaf)}:interface=127.0.0.1";
        }

        using var reactor = TestBackends.Create(ReactorBackend.Portable);
        var endpoint = (TlsServerEndpoint)Endpoint.ServerFromString(reactor, description);
        endpoint.Options.IntermediateCertificates!.Select(c => c.Thumbprint).Should().Equal(TestCertificates.Intermediate.Thumbprint);
        var port = ((ITcpPort)ResultOf(endpoint.Listen(new RecordingServerFactory()))).GetHost().Port;

        var result = Endpoint.ClientFromString(reactor, $"tls:localhost:{port}:caCerts={Quote(_ca)}:timeout=10").Connect(new RecordingServerFactory());
        reactor.RunUntilFired(result);

        ResultOf(result).Transport.Should().BeAssignableTo<ITlsTransport>().Which.IsHandshakeComplete.Should().BeTrue(
            "the client trusts only the root, so it verified the server through the intermediate the server sent");
    }

    [Fact]
    public void Without_its_chain_the_same_server_is_not_verified()
    {
        // What the chain test proves: with only the leaf, the client cannot reach the root it trusts.
        var (leaf, key) = TestCertificates.WritePem(TestCertificates.ServerViaIntermediate, _directory.FullName, "leaf");
        using var reactor = TestBackends.Create(ReactorBackend.Portable);
        var endpoint = (TlsServerEndpoint)Endpoint.ServerFromString(reactor, $"ssl:0:privateKey={Quote(key)}:certKey={Quote(leaf)}:interface=127.0.0.1");
        endpoint.Options.IntermediateCertificates.Should().BeNull();
        var port = ((ITcpPort)ResultOf(endpoint.Listen(new RecordingServerFactory()))).GetHost().Port;

        var result = Endpoint.ClientFromString(reactor, $"tls:localhost:{port}:caCerts={Quote(_ca)}:timeout=10").Connect(new RecordingServerFactory());
        reactor.RunUntilFired(result);

        FailureOf(result).Should().BeOfType<TlsHandshakeException>();
    }

    [Fact]
    public void The_chain_keeps_the_order_of_its_files_certKey_s_first_then_extraCertChain_s()
    {
        var (leaf, key) = TestCertificates.WritePem(TestCertificates.ServerViaIntermediate, _directory.FullName, "leaf");
        File.AppendAllText(leaf, TestCertificates.Intermediate.ExportCertificatePem() + "\n");
        var chain = Path.Combine(_directory.FullName, "chain.pem");
        File.WriteAllText(chain, TestCertificates.Ca.ExportCertificatePem() + "\n" + TestCertificates.OtherCa.ExportCertificatePem() + "\n");

        var endpoint = (TlsServerEndpoint)Endpoint.ServerFromString(new Reactor.Testing.MemoryReactor(), $"ssl:443:privateKey={Quote(key)}:certKey={Quote(leaf)}:extraCertChain={Quote(chain)}");

        endpoint.Options.Certificate!.Thumbprint.Should().Be(TestCertificates.ServerViaIntermediate.Thumbprint);
        endpoint.Options.IntermediateCertificates!.Select(c => c.Thumbprint).Should().Equal(
            TestCertificates.Intermediate.Thumbprint, TestCertificates.Ca.Thumbprint, TestCertificates.OtherCa.Thumbprint);
    }

    [Fact]
    public void FromPemFiles_sends_the_certificates_after_the_first_as_the_chain()
    {
        var (leaf, key) = TestCertificates.WritePem(TestCertificates.ServerViaIntermediate, _directory.FullName, "leaf");
        TlsServerOptions.FromPemFiles(leaf, key).IntermediateCertificates.Should().BeNull();
        File.AppendAllText(leaf, TestCertificates.Intermediate.ExportCertificatePem());

        var options = TlsServerOptions.FromPemFiles(leaf, key);

        options.Certificate!.Thumbprint.Should().Be(TestCertificates.ServerViaIntermediate.Thumbprint);
        options.IntermediateCertificates!.Select(c => c.Thumbprint).Should().Equal(TestCertificates.Intermediate.Thumbprint);
    }

    [Fact]
    public void PEM_files_without_a_trailing_newline_are_read()
    {
        var certificate = Path.Combine(_directory.FullName, "bare.pem");
        var key = Path.Combine(_directory.FullName, "bare.key");
        File.WriteAllText(certificate, File.ReadAllText(_certificate).TrimEnd());
        File.WriteAllText(key, File.ReadAllText(_key).TrimEnd());
        File.ReadAllText(certificate).Should().EndWith("-----END CERTIFICATE-----");

        var endpoint = (TlsServerEndpoint)Endpoint.ServerFromString(new Reactor.Testing.MemoryReactor(), $"ssl:443:privateKey={Quote(key)}:certKey={Quote(certificate)}");

        endpoint.Options.Certificate!.Thumbprint.Should().Be(TestCertificates.Server.Thumbprint);
    }

    [Fact]
    public void Ssl_server_strings_take_Twisted_s_positional_order_and_sslmethod()
    {
        // Twisted's _parseSSL(port, privateKey, certKey, sslmethod, interface, backlog, extraCertChain, dhParameters).
        var endpoint = (TlsServerEndpoint)Endpoint.ServerFromString(new Reactor.Testing.MemoryReactor(), $"ssl:8443:{Quote(_key)}:{Quote(_certificate)}:TLSv1_2_METHOD:127.0.0.1:7");

        endpoint.Options.EnabledProtocols.Should().Be(System.Security.Authentication.SslProtocols.Tls12);
        var tcp = endpoint.Inner.Should().BeOfType<Tcp4ServerEndpoint>().Subject;
        (tcp.Port, tcp.Interface, tcp.Backlog).Should().Be((8443, "127.0.0.1", 7));
        ((TlsServerEndpoint)Endpoint.ServerFromString(new Reactor.Testing.MemoryReactor(), $"ssl:8443:{Quote(_key)}:{Quote(_certificate)}:sslmethod=SSLv23_METHOD"))
            .Options.EnabledProtocols.Should().Be(System.Security.Authentication.SslProtocols.Tls12 | System.Security.Authentication.SslProtocols.Tls13);
    }

    [Fact]
    public void A_server_name_in_Unicode_is_sent_and_verified_in_its_IDNA_form()
    {
        // Twisted's WrapClientTLSParserTests utf-8 → IDNA: the certificate holds xn--bcher-kva.example.
        var (certificate, key) = TestCertificates.WritePem(TestCertificates.IdnServer, _directory.FullName, "idn");
        using var reactor = TestBackends.Create(ReactorBackend.Portable);
        var servers = new RecordingServerFactory();
        var listening = Endpoint.ServerFromString(reactor, $"ssl:0:privateKey={Quote(key)}:certKey={Quote(certificate)}:interface=127.0.0.1").Listen(servers);
        var port = ((ITcpPort)ResultOf(listening)).GetHost().Port;

        var result = Endpoint.ClientFromString(reactor, $"tls:127.0.0.1:{port}:caCerts={Quote(_ca)}:serverName=bücher.example:timeout=10").Connect(new RecordingServerFactory());
        reactor.RunUntilFired(result);

        var tls = ResultOf(result).Transport.Should().BeAssignableTo<ITlsTransport>().Subject;
        tls.ServerName.Should().Be("xn--bcher-kva.example");
        reactor.RunUntil(() => servers.Protocols.Count == 1);
        ((ITlsTransport)servers.Protocols[0].Transport!).ServerName.Should().Be("bücher.example", "the server heard the name with SNI (.NET shows a received IDNA name in Unicode)");
    }
}
