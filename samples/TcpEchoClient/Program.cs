// Twisted's simplest TCP client (doc/core/examples/simpleclient.py), in C#: connect, send a message, print the echo.
//
//   dotnet run --project samples/TcpEchoClient -- [--host 127.0.0.1] [--port 8000] [--message "hello, world"] [--timeout 5]
//                                                 [--tls [--ca <ca.pem>] [--server-name <name>]]
//   dotnet run --project samples/TcpEchoClient -- --endpoint <description> [--message "hello, world"]
//
// Connects to --host (an IP address or a name, such as localhost), sends --message, prints "Server said: <message>"
// once the whole message has come back, closes the connection and prints "Connection lost - goodbye!" (exit code 0).
// --endpoint replaces --host, --port, --timeout and the TLS options with any client description (docs/endpoints.md):
// tcp:localhost:8000, hostname:localhost:8000 (IPv6 and IPv4 raced), unix:/tmp/echo.sock, tls:localhost:8000; its own
// timeout= applies (30 seconds unless given). When it cannot connect — refused, not done within the timeout, or the
// name does not resolve — it prints "Connection failed - goodbye!" (exit code 1), and the reason as one line on stderr.
// If the connection closes before the whole message is back (the server closed, or Ctrl+C), there is no "Server said:"
// line: "Connection lost - goodbye!", the reason on stderr, exit code 1.
//
// With --tls the same exchange runs over TLS (Twisted's connectSSL with optionsForClientTLS): the server's certificate
// must chain to a trusted authority — the system's, or only the one in --ca — and be for --server-name (default: --host,
// which may be an IP address), and that name goes with SNI; --timeout bounds the handshake too. A server that does not
// verify is a connection that failed: "Connection failed - goodbye!", and on stderr one line naming the reason, such as
// "TLS handshake failed (NameMismatch): ...", exit code 1.
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Reactor;
using Reactor.Endpoints;
using Reactor.Samples;
using Reactor.Tls;

var arguments = SampleArguments.Parse(
    args,
    "usage: TcpEchoClient [--host 127.0.0.1] [--port 8000] [--message \"hello, world\"] [--timeout 5]\n       [--tls [--ca <ca.pem>] [--server-name <name>]]\n       TcpEchoClient --endpoint <description> [--message \"hello, world\"]",
    ["--host", "--port", "--message", "--timeout", "--endpoint", "--ca", "--server-name"],
    ["--tls"]);
arguments.Exclusive("--endpoint", "--host", "--port", "--timeout", "--tls", "--ca", "--server-name");
var host = arguments.Get("--host", "127.0.0.1");
var port = arguments.GetInt("--port", 8000, 1, 65535);
var message = Encoding.UTF8.GetBytes(arguments.Get("--message", "hello, world"));
var timeout = arguments.GetSeconds("--timeout", 5);
if (timeout <= TimeSpan.Zero)
{
    Console.Error.WriteLine("error: --timeout must be more than 0 seconds");
    return 2;
}

if (!arguments.Has("--tls") && (arguments.Has("--ca") || arguments.Has("--server-name")))
{
    arguments.Fail("--ca and --server-name are for --tls");
}

TlsClientOptions? tls = null;
if (arguments.Has("--tls"))
{
    tls = new TlsClientOptions
    {
        ServerName = arguments.Has("--server-name") ? arguments.Get("--server-name", host) : null,
        HandshakeTimeout = timeout,
    };
    if (arguments.Has("--ca"))
    {
        try
        {
            // Trust this private CA, and only it, instead of the system's roots.
            var authorities = new X509Certificate2Collection();
            authorities.ImportFromPemFile(arguments.Get("--ca", ""));
            tls.TrustedCertificateAuthorities = authorities;
        }
        catch (Exception e) when (e is CryptographicException or IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"error: cannot read the CA certificate: {e.Message}");
            return 1;
        }
    }
}

using var reactor = ReactorFactory.Create(new ReactorOptions { HandleSignals = true });
var factory = new EchoFactory(reactor, message);
if (arguments.Has("--endpoint"))
{
    // Twisted: endpoints.clientFromString(reactor, description).connect(factory). The endpoint reports a failed attempt
    // through its Deferred (the factory's own callbacks are for connectors).
    try
    {
        var endpoint = Endpoint.ClientFromString(reactor, arguments.Get("--endpoint", ""));
        _ = endpoint.Connect(factory).AddErrback(Protocol (failure) =>
        {
            factory.Failed(failure);
            return null!;
        });
    }
    catch (Exception e) when (e is EndpointParseException or NotSupportedException)
    {
        arguments.Reject(e.Message);
    }
}
else
{
    // Twisted: reactor.connectTCP("localhost", 8000, f, timeout=...). A host name is resolved first; the timeout covers that too.
    // Over TLS, reactor.connectSSL(...): the protocol is built only once the server is verified.
    // <snippet connect-ssl>
    if (tls is null)
    {
        reactor.ConnectTcp(host, port, factory, timeout);
    }
    else
    {
        reactor.ConnectSsl(host, port, factory, tls, timeout);
    }
    // </snippet>
}

reactor.Run();
return factory.ExitCode;

/// <summary>simpleclient's EchoClient: "Once connected, send a message, then print the result."</summary>
internal sealed class EchoClient(byte[] message, EchoFactory factory) : Protocol
{
    private readonly byte[] _echo = new byte[message.Length];
    private int _received;

    /// <summary>Whether the whole message has come back.</summary>
    public bool Echoed { get; private set; }

    public override void ConnectionMade()
    {
        Transport!.Write(message);
        if (message.Length == 0)
        {
            Done();
        }
    }

    public override void DataReceived(ReadOnlySpan<byte> data)
    {
        // Twisted's simpleclient prints whatever the first DataReceived brings. TCP is a byte stream, and the echo may
        // arrive in pieces, so this one keeps the pieces (the span is only valid during this call) until all are here.
        var take = Math.Min(data.Length, _echo.Length - _received);
        data[..take].CopyTo(_echo.AsSpan(_received));
        _received += take;
        if (_received == _echo.Length && !Echoed)
        {
            Done();
        }
    }

    public override void ConnectionLost(Failure reason) => factory.Lost(this, reason);

    private void Done()
    {
        Echoed = true;
        Console.WriteLine($"Server said: {Encoding.UTF8.GetString(_echo)}");

        // Sends whatever is still buffered, then closes; ConnectionLost hears it.
        Transport!.LoseConnection();
    }
}

/// <summary>simpleclient's EchoFactory: builds the protocol and stops the reactor once the connection is over.</summary>
internal sealed class EchoFactory(IReactor reactor, byte[] message) : ClientFactory
{
    public int ExitCode { get; private set; }

    public override Protocol BuildProtocol(EndPoint address) => new EchoClient(message, this) { Factory = this };

    public override void ClientConnectionFailed(IConnector connector, Failure reason) => Failed(reason);

    /// <summary>The attempt failed (reported by the connector, or by the endpoint's Deferred).</summary>
    public void Failed(Failure reason)
    {
        Console.WriteLine("Connection failed - goodbye!");
        Console.Error.WriteLine(reason.Exception is TlsHandshakeException tls
            ? $"TLS handshake failed ({tls.Reason}): {OneLine(tls.Message)}"
            : reason.Exception.Message);
        ExitCode = 1;
        StopReactor();
    }

    /// <summary>The connection is over: told by the protocol, so it works with a connector and with an endpoint alike.</summary>
    public void Lost(EchoClient client, Failure reason)
    {
        Console.WriteLine("Connection lost - goodbye!");
        if (!client.Echoed)
        {
            // The server closed first, or Ctrl+C stopped the reactor (which closes its connections) while we waited.
            Console.Error.WriteLine($"The whole message did not come back: {reason.Exception.Message}");
            ExitCode = 1;
        }

        StopReactor();
    }

    private static string OneLine(string text) => text.ReplaceLineEndings(" ");

    // After Ctrl+C or SIGTERM the reactor is already stopping as it closes the connection, and Stop would throw
    // (Twisted's reactor.stop() raises ReactorNotRunning too): the usual `if reactor.running: reactor.stop()`.
    private void StopReactor()
    {
        if (reactor.Running)
        {
            reactor.Stop();
        }
    }
}
