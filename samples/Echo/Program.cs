// The Echo server from Twisted's UDP howto, in C#: every datagram goes back to its sender unchanged.
//
//   dotnet run --project samples/Echo -- [--port 9999] [--interface 0.0.0.0] [--quiet] [--stats] [--no-gso]
//   dotnet run --project samples/Echo -- --endpoint <description> [--quiet] [--stats] [--no-gso]
//
// Prints "Echo starting on <port>" once listening (so --port 0 is usable), then
// "received <repr> from <host>:<port>" per datagram unless --quiet. --endpoint replaces --port and --interface with a
// datagram description (docs/endpoints.md): udp:9999:interface=127.0.0.1, or systemd:domain=INET:index=0 for a UDP
// socket systemd passed in. Ctrl+C or SIGTERM stops it cleanly.
// With --stats it prints "datagrams=<n> allocated_bytes=<n>" as it stops: the datagrams echoed and the bytes the
// process allocated in its steady state (from one second after the first datagram until the stop), which the
// benchmark (tests/Reactor.Benchmarks) reads to report allocations per datagram.
using System.Globalization;
using System.Net;
using Reactor;
using Reactor.Endpoints;
using Reactor.Samples;

var arguments = SampleArguments.Parse(
    args,
    "usage: Echo [--port 9999] [--interface 0.0.0.0] [--quiet] [--stats] [--no-gso]\n       Echo --endpoint <description> [--quiet] [--stats] [--no-gso]",
    ["--port", "--interface", "--endpoint"],
    ["--quiet", "--stats", "--no-gso"]);
arguments.Exclusive("--endpoint", "--port", "--interface");
var port = arguments.GetInt("--port", 9999, 0, 65535);
var @interface = arguments.Get("--interface", "0.0.0.0");

// --no-gso sends every reply as its own datagram, for the benchmark's with/without comparison.
using var reactor = ReactorFactory.Create(new ReactorOptions { HandleSignals = true, Udp = { SegmentationOffload = !arguments.Has("--no-gso") } });
var stats = arguments.Has("--stats") ? new SteadyStateStats(reactor) : null;
var exitCode = 0;
try
{
    // maxPacketSize 65535: every datagram UDP can carry (up to 65,507 bytes) comes back whole.
    var endpoint = arguments.Has("--endpoint")
        ? Endpoint.DatagramFromString(reactor, arguments.Get("--endpoint", ""))
        : new UdpEndpoint(reactor, port, @interface, maxPacketSize: 65535);
    _ = endpoint.Listen(new Echo(quiet: arguments.Has("--quiet"), stats)).AddCallbacks(
        listening =>
        {
            Console.WriteLine($"Echo starting on {listening.GetHost().Port}");
            return listening;
        },
        failure =>
        {
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
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"datagrams={stats.Events} allocated_bytes={stats.AllocatedBytes}"));
}

return exitCode;

/// <summary>The seed's Echo protocol.</summary>
internal sealed class Echo(bool quiet, SteadyStateStats? stats) : DatagramProtocol
{
    public override void DatagramReceived(ReadOnlySpan<byte> datagram, IPEndPoint sender)
    {
        if (!quiet)
        {
            Console.WriteLine($"received {PythonRepr.Of(datagram)} from {sender.Address}:{sender.Port}");
        }

        stats?.Count(datagram.Length);

        // Replying to the sender's endpoint allocates nothing; the datagram is a view of the receive buffer,
        // valid until this method returns — Write copies it into the kernel before that.
        Transport!.Write(datagram, sender);
    }
}
