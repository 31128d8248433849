using System.Globalization;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Reactor.Tests.Support;
using Reactor.Tests.Tls;
using Reactor.Tls;
using Xunit.Abstractions;

namespace Reactor.Tests.Samples;

/// <summary>
/// samples/TcpEcho with <c>--certificate</c> and <c>--key</c>, and samples/TcpEchoClient with <c>--tls</c>: the same
/// command lines and printed lines as in plain TCP, over TLS, against each other and against peers nobody here wrote —
/// openssl's s_client and s_server and Twisted's TLS client and server — and the clear refusals of a certificate for
/// another name, from an untrusted authority or expired, and of a TLS 1.0-only peer, after which the server still serves.
/// </summary>
[Collection(SampleCollection.Name)]
public sealed class TlsEchoSampleTests(ITestOutputHelper output) : IDisposable
{
    private static readonly TimeSpan ExitTimeout = TimeSpan.FromSeconds(30);
    private readonly TlsFiles _files = new();

    public void Dispose() => _files.Dispose();

    private static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);

    private SampleProcess StartTlsEcho((string Certificate, string Key) pair, params string[] more) =>
        SampleProcess.StartSample("TcpEcho", ["--port", "0", "--interface", "127.0.0.1", "--certificate", pair.Certificate, "--key", pair.Key, .. more]);

    private static void StopCleanly(SampleProcess echo)
    {
        echo.Terminate();
        echo.WaitForExit(ExitTimeout).Should().Be(0);
    }

    /// <summary>A .NET client that verifies TcpEcho against the test CA, sends <paramref name="message"/> and reads it back.</summary>
    private static (string Echo, string Local) VerifiedEcho(int port, string message)
    {
        using var socket = TcpClients.Connect(new IPEndPoint(IPAddress.Loopback, port));
        using var ssl = new SslStream(new NetworkStream(socket, ownsSocket: false), leaveInnerStreamOpen: false);
        ssl.AuthenticateAsClient(new SslClientAuthenticationOptions
        {
            TargetHost = "localhost",
            CertificateChainPolicy = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust, CustomTrustStore = { TestCertificates.Ca }, RevocationMode = X509RevocationMode.NoCheck },
        });
        var bytes = System.Text.Encoding.UTF8.GetBytes(message);
        ssl.Write(bytes);
        var echo = System.Text.Encoding.UTF8.GetString(TlsTestKit.ReadExactly(ssl, bytes.Length));
        ssl.ShutdownAsync().Wait(ExitTimeout);
        return (echo, socket.LocalEndPoint!.ToString()!);
    }

    /// <summary>A .NET client that accepts any certificate: whether TcpEcho still echoes, whatever it presents.</summary>
    private static string UnverifiedEcho(int port, string message)
    {
        var (socket, ssl) = TlsTestKit.RawTlsClient(new IPEndPoint(IPAddress.Loopback, port));
        using (socket)
        using (ssl)
        {
            var bytes = System.Text.Encoding.UTF8.GetBytes(message);
            ssl.Write(bytes);
            return System.Text.Encoding.UTF8.GetString(TlsTestKit.ReadExactly(ssl, bytes.Length));
        }
    }

    [Fact]
    public void TcpEcho_over_TLS_prints_the_same_lines_as_over_TCP_and_echoes_a_verifying_client()
    {
        using var echo = StartTlsEcho(_files.Server);
        var port = EchoSampleTests.StartedPort(echo);

        var (reply, local) = VerifiedEcho(port, "hello over TLS");

        reply.Should().Be("hello over TLS");
        echo.WaitForLine(l => l.StartsWith("connection from", StringComparison.Ordinal)).Should().Be($"connection from {local}");
        echo.WaitForLine(l => l.StartsWith("connection from", StringComparison.Ordinal)).Should().Be($"connection from {local} closed: Connection was closed cleanly.");
        StopCleanly(echo);
        echo.Stdout.Should().Equal($"Echo starting on {port}", $"connection from {local}", $"connection from {local} closed: Connection was closed cleanly.");
        echo.Stderr.Should().BeEmpty();
    }

    [Fact]
    public void TcpEcho_with_an_endpoint_description_and_a_certificate_serves_TLS_on_that_endpoint()
    {
        // --endpoint and --certificate/--key together: the described endpoint, wrapped in TLS (as an ssl: description).
        using var echo = SampleProcess.StartSample(
            "TcpEcho", "--endpoint", "tcp:0:interface=127.0.0.1", "--certificate", _files.Server.Certificate, "--key", _files.Server.Key);
        var port = EchoSampleTests.StartedPort(echo);

        var (reply, local) = VerifiedEcho(port, "hello over an endpoint");

        reply.Should().Be("hello over an endpoint");
        echo.WaitForLine(l => l.StartsWith("connection from", StringComparison.Ordinal)).Should().Be($"connection from {local}");
        StopCleanly(echo);
    }

    [Fact]
    public void TcpEcho_wants_both_certificate_and_key_and_says_so_when_it_cannot_read_them()
    {
        using (var halfConfigured = SampleProcess.StartSample("TcpEcho", "--port", "0", "--certificate", _files.Server.Certificate))
        {
            halfConfigured.WaitForExit(ExitTimeout).Should().Be(2);
            halfConfigured.Stderr.Should().Equal(
                "error: --certificate and --key go together: both for TLS, or neither",
                "usage: TcpEcho [--port 8000] [--interface 0.0.0.0] [--quiet] [--stats] [--accounting] [--pipe]",
                "       [--certificate <cert.pem> --key <key.pem>]",
                "       TcpEcho --endpoint <description> [--quiet] [--stats] [--accounting] [--pipe] [--certificate <cert.pem> --key <key.pem>]");
            halfConfigured.Stdout.Should().BeEmpty();
        }

        using var unreadable = SampleProcess.StartSample("TcpEcho", "--port", "0", "--certificate", _files.Ca, "--key", _files.Ca);
        unreadable.WaitForExit(ExitTimeout).Should().Be(1);
        unreadable.Stderr.Should().ContainSingle().Which.Should().StartWith("error: cannot load the certificate and key:");
        unreadable.Stdout.Should().BeEmpty();
    }

    [Fact]
    public void TcpEchoClient_with_tls_and_the_private_CA_talks_to_TcpEcho_over_TLS_by_name_and_by_address()
    {
        using var echo = StartTlsEcho(_files.Server);
        var port = Text(EchoSampleTests.StartedPort(echo));

        // By name (verified and sent with SNI), by IP address (verified against the certificate's IP addresses), and
        // by address with the name given separately.
        foreach (var target in new[] { new[] { "--host", "localhost" }, ["--host", "127.0.0.1"], ["--host", "127.0.0.1", "--server-name", "localhost"] })
        {
            using var client = SampleProcess.StartSample("TcpEchoClient", [.. target, "--port", port, "--tls", "--ca", _files.Ca, "--message", "héllo, TLS"]);
            client.WaitForExit(ExitTimeout).Should().Be(0, string.Join(' ', target));
            client.Stdout.Should().Equal("Server said: héllo, TLS", "Connection lost - goodbye!");
            client.Stderr.Should().BeEmpty();
        }

        StopCleanly(echo);
    }

    [Fact]
    public void TcpEchoClient_without_tls_prints_exactly_what_it_did_before_and_refuses_tls_options()
    {
        using var client = SampleProcess.StartSample("TcpEchoClient", "--ca", _files.Ca);
        client.WaitForExit(ExitTimeout).Should().Be(2);
        client.Stderr.Should().Contain("error: --ca and --server-name are for --tls");
        client.Stdout.Should().BeEmpty();
    }

    public static TheoryData<string, string, TlsFailureReason> Refusals => new()
    {
        { "wrong-name", "--server-name elsewhere.test", TlsFailureReason.NameMismatch },
        { "untrusted", "", TlsFailureReason.UntrustedCertificate },
        { "expired", "", TlsFailureReason.ExpiredCertificate },
        { "system-roots", "--no-ca", TlsFailureReason.UntrustedCertificate },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public void TcpEchoClient_refuses_a_server_that_does_not_verify_with_a_clear_reason_and_the_server_goes_on_serving(string certificate, string options, TlsFailureReason reason)
    {
        var pair = certificate switch
        {
            "untrusted" => _files.Untrusted,
            "expired" => _files.Expired,
            _ => _files.Server,
        };
        using var echo = StartTlsEcho(pair);
        var port = Text(EchoSampleTests.StartedPort(echo));
        string[] extra = options switch
        {
            "--no-ca" => [],
            "" => ["--ca", _files.Ca],
            _ => ["--ca", _files.Ca, .. options.Split(' ')],
        };

        using (var client = SampleProcess.StartSample("TcpEchoClient", ["--port", port, "--tls", .. extra]))
        {
            client.WaitForExit(ExitTimeout).Should().Be(1);
            client.Stdout.Should().Equal("Connection failed - goodbye!");
            client.Stderr.Should().ContainSingle().Which.Should().StartWith($"TLS handshake failed ({reason}): ");
            output.WriteLine($"{certificate} {options}: {client.Stderr[0]}");
        }

        // The server serves the next client (one that does not verify, since this server's certificate does not).
        UnverifiedEcho(int.Parse(port, CultureInfo.InvariantCulture), "still serving").Should().Be("still serving");
        echo.Stdout.Where(l => l.StartsWith("connection from", StringComparison.Ordinal) && !l.Contains("closed", StringComparison.Ordinal))
            .Should().HaveCountLessThanOrEqualTo(2, "at most the refused client (TLS 1.3 completes the server's side first) and the next one");
        StopCleanly(echo);
    }

    // ---- openssl ------------------------------------------------------------------------------------------------

    [RequiresProgramFact("openssl", "openssl")]
    [Trait("kind", "interop")]
    public void Openssl_s_client_moves_16_MiB_through_TcpEcho_over_TLS_1_2_byte_identical() => SClientTransfer("-tls1_2");

    [RequiresProgramFact("openssl", "openssl")]
    [Trait("kind", "interop")]
    public void Openssl_s_client_moves_16_MiB_through_TcpEcho_over_TLS_1_3_byte_identical() => SClientTransfer("-tls1_3");

    private void SClientTransfer(string version)
    {
        using var echo = StartTlsEcho(_files.Server, "--quiet");
        var port = EchoSampleTests.StartedPort(echo);
        const long size = 16 << 20;

        var started = DateTime.UtcNow;
        var result = OpenSsl.ClientTransfer(
            ["-connect", $"127.0.0.1:{port}", version, "-CAfile", _files.Ca, "-verify_return_error", "-verify_hostname", "localhost", "-servername", "localhost"],
            size,
            TimeSpan.FromSeconds(60));

        output.WriteLine($"{version}: {result.Received} B back in {(DateTime.UtcNow - started).TotalMilliseconds:0} ms, sha256 sent {Convert.ToHexString(result.SentHash)[..16]}… received {Convert.ToHexString(result.ReceivedHash)[..16]}…");
        result.Received.Should().Be(size, result.Stderr);
        result.ReceivedHash.Should().Equal(result.SentHash);
        result.ExitCode.Should().Be(0, result.Stderr);
        result.Stderr.Should().Contain("verify return:1").And.NotContain("verify error");
        StopCleanly(echo);
        echo.Stdout.Should().Equal($"Echo starting on {port}");
    }

    [RequiresOpenSslTls10Fact]
    [Trait("kind", "interop")]
    public void A_TLS_1_0_only_openssl_s_client_is_refused_and_TcpEcho_goes_on_serving()
    {
        using var echo = StartTlsEcho(_files.Server);
        var port = EchoSampleTests.StartedPort(echo);

        using (var client = SampleProcess.Start("openssl", ["s_client", "-connect", $"127.0.0.1:{port}", "-tls1", "-cipher", OpenSsl.Tls10Ciphers]))
        {
            client.WaitForExit(ExitTimeout).Should().NotBe(0);
            var errors = string.Join('\n', client.Stderr);
            output.WriteLine(errors);
            errors.Should().Contain("alert protocol version", "the server answers TLS 1.0 with a protocol_version alert");
        }

        VerifiedEcho(port, "still serving").Echo.Should().Be("still serving");
        StopCleanly(echo);
        echo.Stdout.Where(l => l.StartsWith("connection from", StringComparison.Ordinal)).Should().HaveCount(2, "only the verified client was connected (and then closed)");
    }

    [RequiresOpenSslTls10Fact]
    [Trait("kind", "interop")]
    public void TcpEchoClient_refuses_a_TLS_1_0_only_openssl_s_server_with_ProtocolVersion()
    {
        using var server = SampleProcess.Start("openssl", ["s_server", "-accept", "127.0.0.1:0", "-naccept", "1", "-tls1", "-cipher", OpenSsl.Tls10Ciphers, "-cert", _files.Server.Certificate, "-key", _files.Server.Key], keepInputOpen: true);
        var port = OpenSslServerPort(server);

        using var client = SampleProcess.StartSample("TcpEchoClient", "--host", "localhost", "--port", Text(port), "--tls", "--ca", _files.Ca);
        client.WaitForExit(ExitTimeout).Should().Be(1);
        client.Stdout.Should().Equal("Connection failed - goodbye!");
        client.Stderr.Should().ContainSingle().Which.Should().StartWith($"TLS handshake failed ({TlsFailureReason.ProtocolVersion}): ");
        output.WriteLine(client.Stderr[0]);
    }

    /// <summary>The port openssl s_server prints as <c>ACCEPT 127.0.0.1:port</c>.</summary>
    internal static int OpenSslServerPort(SampleProcess server)
    {
        var line = server.WaitForLine(l => l.StartsWith("ACCEPT ", StringComparison.Ordinal));
        return int.Parse(line[(line.LastIndexOf(':') + 1)..], CultureInfo.InvariantCulture);
    }

    // ---- Twisted ------------------------------------------------------------------------------------------------

    [RequiresTwistedFact]
    [Trait("kind", "interop")]
    public void A_Twisted_TLS_client_verifies_TcpEcho_and_gets_its_message_back()
    {
        using var echo = StartTlsEcho(_files.Server);
        var port = EchoSampleTests.StartedPort(echo);

        using var twisted = SampleProcess.Start(ExternalProgram.TwistedPython!, [EchoSampleTests.PeerScript("twisted_tls_client.py"), "127.0.0.1", Text(port), _files.Ca, "localhost", "hello from twisted over TLS"]);
        twisted.WaitForLine(l => l.StartsWith("received", StringComparison.Ordinal)).Should().Be("received b'hello from twisted over TLS'");
        twisted.WaitForLine(l => l.StartsWith("connection lost", StringComparison.Ordinal)).Should().Be("connection lost: Connection was closed cleanly.");
        twisted.WaitForExit(ExitTimeout).Should().Be(0);
        echo.WaitForLine(l => l.EndsWith("closed: Connection was closed cleanly.", StringComparison.Ordinal)).Should().StartWith("connection from 127.0.0.1:");
        StopCleanly(echo);
    }

    [RequiresTwistedFact]
    [Trait("kind", "interop")]
    public void A_Twisted_TLS_client_refuses_TcpEcho_with_a_certificate_for_another_name()
    {
        using var echo = StartTlsEcho(_files.WrongName);
        var port = EchoSampleTests.StartedPort(echo);

        using var twisted = SampleProcess.Start(ExternalProgram.TwistedPython!, [EchoSampleTests.PeerScript("twisted_tls_client.py"), "127.0.0.1", Text(port), _files.Ca, "localhost", "never echoed"]);
        twisted.WaitForExit(ExitTimeout).Should().Be(1);
        twisted.Stdout.Should().NotContain(l => l.StartsWith("received", StringComparison.Ordinal));
        StopCleanly(echo);
    }

    [RequiresTwistedFact]
    [Trait("kind", "interop")]
    public void TcpEchoClient_with_tls_says_hello_to_Twisted_s_TLS_echo_server()
    {
        using var server = SampleProcess.Start(ExternalProgram.TwistedPython!, [EchoSampleTests.PeerScript("twisted_tls_echo_server.py"), "127.0.0.1", "0", _files.Server.Certificate, _files.Server.Key]);
        var port = server.WaitForLine(l => l.StartsWith("Echo starting on ", StringComparison.Ordinal))["Echo starting on ".Length..];

        using var client = SampleProcess.StartSample("TcpEchoClient", "--host", "localhost", "--port", port, "--tls", "--ca", _files.Ca);
        client.WaitForExit(ExitTimeout).Should().Be(0);
        client.Stdout.Should().Equal("Server said: hello, world", "Connection lost - goodbye!");
        client.Stderr.Should().BeEmpty();
        server.WaitForLine(l => l.StartsWith("received", StringComparison.Ordinal)).Should().Be("received b'hello, world'");
        server.WaitForLine(l => l.StartsWith("connection lost", StringComparison.Ordinal)).Should().Be("connection lost: Connection was closed cleanly.");
    }
}
