using System.Security.Authentication;
using Reactor.Tls;

namespace Reactor.Benchmarks.Servers;

/// <summary>
/// Reactor's TLS echo for the TLS benchmark: the TcpEcho sample's protocol (echo every span, the transport registered
/// as its own producer) served with <c>ListenSsl</c>, TLS 1.3 only, a fresh P-256 certificate. Kept here rather than in
/// the sample so the benchmark's TLS rows do not depend on the sample's options. Prints "Echo starting on
/// &lt;port&gt;"; with <c>--stats</c>, the TcpEcho sample's statistics line at SIGTERM.
/// </summary>
internal static class TlsEchoServer
{
    public static int Run(string[] args)
    {
        var arguments = ServerArguments.Parse(args, "usage: tls-echo [--port 0] [--interface 127.0.0.1] [--stats]");
        if (arguments is null)
        {
            return 2;
        }

        var stats = arguments.Stats ? new StreamStats() : null;
        using var reactor = ReactorFactory.Create(new ReactorOptions { HandleSignals = true });
        var options = new TlsServerOptions(BenchmarkCertificate.Create()) { EnabledProtocols = SslProtocols.Tls13 };
        var port = reactor.ListenSsl(arguments.Port, Factory.ForProtocol(() => new Echo(stats)), options, backlog: 4096, @interface: arguments.Address.ToString());
        Console.WriteLine($"Echo starting on {port.GetHost().Port}");
        reactor.Run();
        if (stats is not null)
        {
            Console.WriteLine(stats.Close());
        }

        return 0;
    }

    private sealed class Echo(StreamStats? stats) : Protocol
    {
        public override void ConnectionMade() => Transport!.RegisterProducer(Transport, streaming: true);

        public override void DataReceived(ReadOnlySpan<byte> data)
        {
            stats?.Count(data.Length);
            Transport!.Write(data);
        }
    }
}
