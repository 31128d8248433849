using System.Text;
using Reactor.Tests.Support;
using Reactor.Tests.Tcp;
using RecordingStreamProtocol = Reactor.Tests.Tcp.RecordingStreamProtocol;
using Reactor.Tls;

namespace Reactor.Tests.Tls;

/// <summary>
/// Upgrading a plaintext connection in place (Twisted's <c>startTLS</c>, D38): what was written before is sent in the
/// clear, what is written after inside TLS; the protocol's transport becomes the TLS one; its producer moves with it;
/// a failed upgrade closes the connection with the handshake's failure.
/// </summary>
public class StartTlsTests
{
    /// <summary>
    /// A line protocol: the client sends "STARTTLS", the server answers "GO" in the clear and starts TLS, then writes
    /// "secret" (inside TLS); the client starts TLS when it reads "GO" and answers "thanks" inside TLS.
    /// </summary>
    private sealed class Upgrading : RecordingStreamProtocol, IHandshakeListener
    {
        public required bool IsServer { get; init; }

        public required TlsServerOptions? ServerTls { get; init; }

        public required TlsClientOptions? ClientTls { get; init; }

        public string Clear { get; private set; } = "";

        public string Secure { get; private set; } = "";

        public ITransport? Before { get; private set; }

        public bool Handshaken { get; private set; }

        public override void ConnectionMade()
        {
            base.ConnectionMade();
            if (!IsServer)
            {
                Transport!.Write("STARTTLS\n"u8);
            }
        }

        public override void DataReceived(ReadOnlySpan<byte> data)
        {
            base.DataReceived(data);
            var text = Encoding.ASCII.GetString(data);
            if (Before is not null)
            {
                Secure += text;
                return;
            }

            Clear += text;
            if (IsServer && Clear == "STARTTLS\n")
            {
                Before = Transport;
                Transport!.Write("GO\n"u8);
                Transport.StartTls(ServerTls!).Should().BeSameAs(Transport);
                Transport.Write("secret"u8);
            }
            else if (!IsServer && Clear == "GO\n")
            {
                Before = Transport;
                Transport!.StartTls(ClientTls!);
                Transport!.Write("thanks"u8);
            }
        }

        public void HandshakeCompleted() => Handshaken = true;
    }

    private static (IReactor Reactor, Upgrading Server, Upgrading Client) Upgrade(ReactorBackend backend, string loopback, TlsClientOptions? clientTls = null)
    {
        var reactor = TestBackends.Create(backend);
        var server = new Upgrading { IsServer = true, ServerTls = TlsTestKit.ServerOptions(), ClientTls = null };
        var client = new Upgrading { IsServer = false, ServerTls = null, ClientTls = clientTls ?? TlsTestKit.ClientOptions("localhost") };
        var port = reactor.ListenTcp(0, new RecordingServerFactory { Build = _ => server }, @interface: loopback);
        reactor.ConnectTcp(loopback, port.GetHost().Port, new RecordingClientFactory { Build = _ => client });
        return (reactor, server, client);
    }

    [Theory]
    [MemberData(nameof(TcpTestKit.BackendsAndLoopbacks), MemberType = typeof(TcpTestKit))]
    public void Writes_before_StartTls_go_in_the_clear_and_writes_after_it_inside_TLS(ReactorBackend backend, string loopback)
    {
        var (reactor, server, client) = Upgrade(backend, loopback);
        using var _ = reactor;
        reactor.RunUntil(() => server.Secure == "thanks" && client.Secure == "secret");

        server.Clear.Should().Be("STARTTLS\n");
        client.Clear.Should().Be("GO\n", "D38: \"GO\" was written before StartTls, \"secret\" after it");
        server.Transport.Should().BeAssignableTo<ITlsTransport>().And.NotBeSameAs(server.Before);
        client.Transport.Should().BeAssignableTo<ITlsTransport>().Which.IsHandshakeComplete.Should().BeTrue();
        server.Handshaken.Should().BeTrue();
        client.Handshaken.Should().BeTrue();
        server.Events.Count(e => e == "made").Should().Be(1, "the protocol is not connected again");

        client.Transport!.LoseConnection();
        reactor.RunUntil(() => server.Losses == 1 && client.Losses == 1);
        server.LostReason!.Exception.Should().BeOfType<ConnectionDoneException>();
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void A_failed_upgrade_closes_the_connection_with_the_handshakes_failure(ReactorBackend backend)
    {
        var (reactor, server, client) = Upgrade(backend, "127.0.0.1", TlsTestKit.ClientOptions("elsewhere.test"));
        using var _ = reactor;
        reactor.RunUntil(() => server.Losses == 1 && client.Losses == 1);

        client.Handshaken.Should().BeFalse();
        client.LostReason!.Exception.Should().BeOfType<TlsHandshakeException>().Which.Reason.Should().Be(TlsFailureReason.NameMismatch);
        client.Secure.Should().BeEmpty();
        server.Secure.Should().BeEmpty("nothing written after StartTls is sent before the peer is verified");
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void StartTls_is_refused_on_a_TLS_transport_and_a_closing_one(ReactorBackend backend)
    {
        using var pair = TlsTestKit.Pair(backend, "127.0.0.1");
        var again = () => pair.Client.Transport!.StartTls(TlsTestKit.ClientOptions("localhost"));
        again.Should().Throw<InvalidOperationException>().WithMessage("*already TLS*");

        var servers = new List<RecordingStreamProtocol>();
        var port = pair.Reactor.ListenTcp(0, new RecordingServerFactory(), @interface: "127.0.0.1");
        var plain = new RecordingClientFactory();
        pair.Reactor.ConnectTcp("127.0.0.1", port.GetHost().Port, plain);
        pair.Reactor.RunUntil(() => plain.Protocols.Count == 1 && plain.Protocols[0].Events.Contains("made"));
        var transport = plain.Protocols[0].Transport!;
        transport.LoseConnection();
        var closing = () => transport.StartTls(TlsTestKit.ServerOptions());
        closing.Should().Throw<InvalidOperationException>().WithMessage("*closing*");
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void LoseConnection_before_the_upgrades_handshake_completes_aborts(ReactorBackend backend)
    {
        using var reactor = TestBackends.Create(backend);
        var servers = new RecordingServerFactory();
        var port = reactor.ListenTcp(0, servers, @interface: "127.0.0.1");
        var plain = new RecordingClientFactory();
        reactor.ConnectTcp("127.0.0.1", port.GetHost().Port, plain);
        reactor.RunUntil(() => plain.Protocols.Count == 1 && plain.Protocols[0].Events.Contains("made") && servers.Protocols.Count == 1);
        var client = plain.Protocols[0];

        var tls = client.Transport!.StartTls(TlsTestKit.ClientOptions("localhost"));
        tls.LoseConnection(); // the plaintext server never answers the ClientHello
        reactor.RunUntil(() => client.Losses == 1 && servers.Protocols[0].Losses == 1);

        client.LostReason!.Exception.Should().BeOfType<ConnectionAbortedException>("D34: nothing to close cleanly before the handshake");
        tls.IsHandshakeComplete.Should().BeFalse();
    }
}
