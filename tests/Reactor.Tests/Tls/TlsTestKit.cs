using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Reactor.Tests.Support;
using Reactor.Tests.Tcp;
using RecordingStreamProtocol = Reactor.Tests.Tcp.RecordingStreamProtocol;
using Reactor.Tls;

namespace Reactor.Tests.Tls;

/// <summary>A recording protocol that also hears <see cref="IHandshakeListener.HandshakeCompleted"/>, and on which thread each callback ran.</summary>
public sealed class TlsRecordingProtocol : RecordingStreamProtocol, IHandshakeListener
{
    public HashSet<int> Threads { get; } = [];

    public Action<TlsRecordingProtocol>? OnHandshake { get; set; }

    public ITlsTransport Tls => (ITlsTransport)Transport!;

    public override void ConnectionMade()
    {
        Threads.Add(Environment.CurrentManagedThreadId);
        base.ConnectionMade();
    }

    public override void DataReceived(ReadOnlySpan<byte> data)
    {
        Threads.Add(Environment.CurrentManagedThreadId);
        base.DataReceived(data);
    }

    public void HandshakeCompleted()
    {
        Threads.Add(Environment.CurrentManagedThreadId);
        Events.Add("handshake");
        OnHandshake?.Invoke(this);
    }
}

/// <summary>Helpers for TLS tests: options with the test CA, a connected pair on one reactor, raw .NET peers.</summary>
public static class TlsTestKit
{
    public static TlsServerOptions ServerOptions(X509Certificate2? certificate = null) =>
        new(certificate ?? TestCertificates.Server) { HandshakeTimeout = TimeSpan.FromSeconds(10), CloseTimeout = TimeSpan.FromSeconds(5) };

    public static TlsClientOptions ClientOptions(string? serverName = null) =>
        new() { ServerName = serverName, TrustedCertificateAuthorities = TestCertificates.TrustCa };

    /// <summary>A server factory building <see cref="TlsRecordingProtocol"/>s, with a hook to configure each.</summary>
    public static RecordingServerFactory ServerFactory(List<TlsRecordingProtocol> built, Action<TlsRecordingProtocol>? configure = null) =>
        new()
        {
            Build = _ =>
            {
                var protocol = new TlsRecordingProtocol();
                configure?.Invoke(protocol);
                built.Add(protocol);
                return protocol;
            },
        };

    /// <summary>A client factory building one <see cref="TlsRecordingProtocol"/> per attempt.</summary>
    public static RecordingClientFactory ClientFactory(List<TlsRecordingProtocol> built, Action<TlsRecordingProtocol>? configure = null) =>
        new()
        {
            Build = _ =>
            {
                var protocol = new TlsRecordingProtocol();
                configure?.Invoke(protocol);
                built.Add(protocol);
                return protocol;
            },
        };

    /// <summary>A TLS server and a TLS client on one reactor, iterated until both have completed their handshakes.</summary>
    public static TlsPair Pair(
        ReactorBackend backend,
        string loopback,
        TlsServerOptions? serverOptions = null,
        TlsClientOptions? clientOptions = null,
        Action<TlsRecordingProtocol>? configureServer = null,
        Action<TlsRecordingProtocol>? configureClient = null,
        TestLoggerFactory? logs = null)
    {
        var reactor = TestBackends.Create(backend, logs);
        var servers = new List<TlsRecordingProtocol>();
        var clients = new List<TlsRecordingProtocol>();
        var port = reactor.ListenSsl(0, ServerFactory(servers, configureServer), serverOptions ?? ServerOptions(), @interface: loopback);
        var clientFactory = ClientFactory(clients, configureClient);
        reactor.ConnectSsl(loopback, port.GetHost().Port, clientFactory, clientOptions ?? ClientOptions());
        reactor.RunUntil(() => servers.Count == 1 && clients.Count == 1 && servers[0].Events.Contains("handshake") && clients[0].Events.Contains("handshake"));
        return new TlsPair(reactor, port, servers[0], clients[0], clientFactory);
    }

    /// <summary>Connects a blocking .NET <see cref="SslStream"/> client (trusting the test CA) to <paramref name="endpoint"/>, handshake done.</summary>
    public static (Socket Socket, SslStream Ssl) RawTlsClient(IPEndPoint endpoint, string targetHost = "localhost")
    {
        var socket = TcpTestKit.RawClient(endpoint);
        socket.ReceiveTimeout = 10_000;
        socket.SendTimeout = 10_000;
        var ssl = new SslStream(new NetworkStream(socket, ownsSocket: false), leaveInnerStreamOpen: false);
        ssl.AuthenticateAsClient(new SslClientAuthenticationOptions
        {
            TargetHost = targetHost,
            EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
            RemoteCertificateValidationCallback = static (_, _, _, _) => true,
        });
        return (socket, ssl);
    }

    /// <summary>Reads from <paramref name="ssl"/> until <paramref name="count"/> bytes arrived (or it ended).</summary>
    public static byte[] ReadExactly(SslStream ssl, int count)
    {
        var buffer = new byte[count];
        var read = 0;
        while (read < count)
        {
            var n = ssl.Read(buffer, read, count - read);
            if (n == 0)
            {
                break;
            }

            read += n;
        }

        return buffer[..read];
    }
}

/// <summary>A connected TLS server and client protocol on one reactor.</summary>
public sealed record TlsPair(IReactor Reactor, ITcpPort Port, TlsRecordingProtocol Server, TlsRecordingProtocol Client, RecordingClientFactory ClientFactory) : IDisposable
{
    public void Dispose() => Reactor.Dispose();
}
