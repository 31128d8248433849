// Twisted's simplest TCP server (doc/core/examples/simpleserv.py), in C#: every byte a client sends goes back to it.
//
//   dotnet run --project samples/TcpEcho -- [--port 8000] [--interface 0.0.0.0] [--quiet] [--stats] [--accounting] [--pipe]
//                                           [--certificate <cert.pem> --key <key.pem>]
//   dotnet run --project samples/TcpEcho -- --endpoint <description> [--quiet] [--stats] [--accounting] [--pipe]
//                                           [--certificate <cert.pem> --key <key.pem>]
//
// Prints "Echo starting on <port>" once listening on TCP (so --port 0 is usable), or "Echo starting on <path>" on a UNIX
// socket. --endpoint replaces --port and --interface with any server description (docs/endpoints.md): tcp:8000,
// tcp6:8000:interface=\:\:1, unix:/tmp/echo.sock, systemd:domain=INET:index=0 (a socket systemd passed in). With
// --certificate and --key (both, or neither) it is the same echo over TLS (Twisted's listenSSL): the certificate's PEM
// file (its chain may follow it) and its private key's; a client is connected, and printed, once its TLS handshake has
// completed. Unless --quiet it then prints "connection from <host>:<port>" (on a UNIX socket "connection from pid <n>")
// when a client connects and the same line with " closed: <reason>" when it goes; it never prints the data. Ctrl+C or
// SIGTERM stops it cleanly (exit code 0). With --stats it prints "messages=<n> bytes=<n> allocated_bytes=<n>" as it
// stops: the DataReceived calls, the bytes they carried and the bytes the process allocated in its steady state (from
// one second after the first data until the stop), as samples/Echo does.
// With --accounting it prints, last, "connections opened=<n> closed=<n> open_at_stop=<n> done=<n> lost=<n> aborted=<n>
// overflow=<n> error=<n> reset_before_accept=<n> refused=<n> shed=<n> accept_errors=<n>": every connection made and how
// each one ended (those still open at the stop are closed by the shutdown and counted as lost), and the ones dropped
// before a protocol was built (the reactor's reactor.tcp.accepts.dropped), so a load test can check that every
// connection a client made is accounted for.
// With --pipe it serves the same echo through the IDuplexPipe edge (a PipeProtocol, as an ASP.NET Core
// ConnectionHandler would be written) instead of DataReceived spans; "messages" are then the pipe's reads.
using System.Buffers;
using System.Globalization;
using System.IO.Pipelines;
using System.Net;
using System.Security.Cryptography;
using Reactor;
using Reactor.Endpoints;
using Reactor.Samples;
using Reactor.Tls;

var arguments = SampleArguments.Parse(
    args,
    "usage: TcpEcho [--port 8000] [--interface 0.0.0.0] [--quiet] [--stats] [--accounting] [--pipe]\n       [--certificate <cert.pem> --key <key.pem>]\n       TcpEcho --endpoint <description> [--quiet] [--stats] [--accounting] [--pipe] [--certificate <cert.pem> --key <key.pem>]",
    ["--port", "--interface", "--endpoint", "--certificate", "--key"],
    ["--quiet", "--stats", "--accounting", "--pipe"]);
arguments.Exclusive("--endpoint", "--port", "--interface");
var port = arguments.GetInt("--port", 8000, 0, 65535);
var @interface = arguments.Get("--interface", "0.0.0.0");
var quiet = arguments.Has("--quiet");
if (arguments.Has("--certificate") != arguments.Has("--key"))
{
    arguments.Fail("--certificate and --key go together: both for TLS, or neither");
}

TlsServerOptions? tls = null;
if (arguments.Has("--certificate"))
{
    try
    {
        // <snippet server-options>
        tls = TlsServerOptions.FromPemFiles(arguments.Get("--certificate", ""), arguments.Get("--key", ""));
        // </snippet>
    }
    catch (Exception e) when (e is CryptographicException or IOException or UnauthorizedAccessException)
    {
        Console.Error.WriteLine($"error: cannot load the certificate and key: {e.Message}");
        return 1;
    }
}

using var reactor = ReactorFactory.Create(new ReactorOptions { HandleSignals = true });
var stats = arguments.Has("--stats") ? new SteadyStateStats(reactor) : null;
var accounting = arguments.Has("--accounting") ? new ConnectionAccounting(reactor) : null;

// Twisted: factory = protocol.ServerFactory(); factory.protocol = Echo; reactor.listenTCP(8000, factory), or
// endpoints.serverFromString(reactor, description).listen(factory). Each connection gets its own Echo.
var factory = arguments.Has("--pipe")
    ? Factory.ForProtocol(() => new PipeEcho(quiet, stats, accounting))
    : Factory.ForProtocol(() => new Echo(quiet, stats, accounting));
var exitCode = 0;
try
{
    // Twisted's listenSSL(8000, factory, contextFactory), or an ssl: description, is the same endpoint inside TLS: the
    // same factory, its protocols reading and writing plaintext.
    // <snippet listen-ssl>
    IStreamServerEndpoint endpoint = arguments.Has("--endpoint")
        ? Endpoint.ServerFromString(reactor, arguments.Get("--endpoint", ""))
        : new Tcp4ServerEndpoint(reactor, port, @interface: @interface);
    if (tls is not null)
    {
        endpoint = new TlsServerEndpoint(endpoint, tls);
    }
    // </snippet>

    _ = endpoint.Listen(factory).AddCallbacks(
        listening =>
        {
            Console.WriteLine(listening.GetHost() is IPEndPoint ip ? $"Echo starting on {ip.Port}" : $"Echo starting on {listening.GetHost()}");
            return listening;
        },
        failure =>
        {
            // A port in use, a path someone answers on, a descriptor that is not a listening socket, ...
            Console.Error.WriteLine(failure.Exception.Message);
            exitCode = 1;
            if (reactor.Running)
            {
                reactor.Stop();
            }

            return null!;
        });
}
catch (Exception e) when (e is EndpointParseException or NotSupportedException)
{
    arguments.Reject(e.Message);
}

if (exitCode != 0)
{
    return exitCode;
}

reactor.Run();
if (stats is not null)
{
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"messages={stats.Events} bytes={stats.Bytes} allocated_bytes={stats.AllocatedBytes}"));
}

if (accounting is not null)
{
    Console.WriteLine(accounting.ToString());
}

return exitCode;

/// <summary>simpleserv's Echo: "This is just about the simplest possible protocol".</summary>
internal sealed class Echo(bool quiet, SteadyStateStats? stats, ConnectionAccounting? accounting) : Protocol
{
    public override void ConnectionMade()
    {
        accounting?.Made();
        // Flow control, which simpleserv lacks: the transport is the producer of what is echoed. When the client sends
        // without reading and the echoes pile up past the transport's high watermark, reading pauses (TCP then slows the
        // client down) and resumes once the client has caught up, so a client that never reads costs at most that much.
        Transport!.RegisterProducer(Transport, streaming: true);
        if (!quiet)
        {
            Console.WriteLine($"connection from {Peer()}");
        }
    }

    public override void DataReceived(ReadOnlySpan<byte> data)
    {
        stats?.Count(data.Length);

        // As soon as any data is received, write it back. The data is a view of the reactor's receive buffer, valid only
        // during this call: Write sends or copies it before returning, so echoing allocates nothing.
        Transport!.Write(data);
    }

    // A client that closes (or half-closes: Echo is not an IHalfCloseableProtocol) still gets everything already
    // echoed, then the connection closes; one that resets the connection is gone at once. The server goes on either way.
    public override void ConnectionLost(Failure reason)
    {
        accounting?.Lost(reason.Exception);
        if (!quiet)
        {
            Console.WriteLine($"connection from {Peer()} closed: {reason.Exception.Message}");
        }
    }

    /// <summary>Who connected: the client's address, or on a UNIX socket (whose clients are unnamed) its process.</summary>
    private string Peer() => Transport is IUnixTransport unix
        ? unix.PeerCredentials is { } peer ? $"pid {peer.ProcessId}" : "an unnamed peer"
        : $"{Transport!.GetPeer()}";
}

/// <summary>
/// The same echo through the <see cref="IDuplexPipe"/> edge: read what came, write it back, flush (which waits while the
/// client is not reading), until the client finishes or the connection is gone; the same lines as <see cref="Echo"/>.
/// </summary>
internal sealed class PipeEcho(bool quiet, SteadyStateStats? stats, ConnectionAccounting? accounting) : PipeProtocol
{
    protected override async Task ExecuteAsync(IDuplexPipe pipe)
    {
        accounting?.Made();
        var peer = Transport!.GetPeer();
        if (!quiet)
        {
            Console.WriteLine($"connection from {peer}");
        }

        try
        {
            while (true)
            {
                // A lost connection completes the input (with the reason, unless it closed cleanly): the next read
                // ends the loop either way, so the closing line below always has its reason.
                var result = await pipe.Input.ReadAsync();
                stats?.Count((int)result.Buffer.Length);
                foreach (var segment in result.Buffer)
                {
                    pipe.Output.Write(segment.Span);
                }

                pipe.Input.AdvanceTo(result.Buffer.End);
                if (result.IsCompleted)
                {
                    break;
                }

                await pipe.Output.FlushAsync();
            }
        }
        catch (ConnectionClosedException e)
        {
            accounting?.Lost(e);
            if (!quiet)
            {
                Console.WriteLine($"connection from {peer} closed: {e.Message}");
            }

            return;
        }

        // Returning sends what was written and closes the connection cleanly.
        accounting?.Lost(new ConnectionDoneException());
        if (!quiet)
        {
            Console.WriteLine($"connection from {peer} closed: {new ConnectionDoneException().Message}");
        }
    }
}
