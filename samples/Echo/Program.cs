// The Echo server from Twisted's UDP howto, in C#: every datagram goes back to its sender unchanged.
//
//   dotnet run --project samples/Echo -- [--port 9999] [--interface 0.0.0.0] [--quiet] [--stats] [--no-gso]
//
// Prints "Echo starting on <port>" once listening (so --port 0 is usable), then
// "received <repr> from <host>:<port>" per datagram unless --quiet. Ctrl+C or SIGTERM stops it cleanly.
// With --stats it prints "datagrams=<n> allocated_bytes=<n>" as it stops: the datagrams echoed and the bytes the
// process allocated in its steady state (from one second after the first datagram until the stop), which the
// benchmark (tests/Reactor.Benchmarks) reads to report allocations per datagram.
using System.Globalization;
using System.Net;
using Reactor;
using Reactor.Samples;

var arguments = SampleArguments.Parse(
    args,
    "usage: Echo [--port 9999] [--interface 0.0.0.0] [--quiet] [--stats] [--no-gso]",
    ["--port", "--interface"],
    ["--quiet", "--stats", "--no-gso"]);
var port = arguments.GetInt("--port", 9999, 0, 65535);
var @interface = arguments.Get("--interface", "0.0.0.0");

// --no-gso sends every reply as its own datagram, for the benchmark's with/without comparison.
using var reactor = ReactorFactory.Create(new ReactorOptions { HandleSignals = true, Udp = { SegmentationOffload = !arguments.Has("--no-gso") } });
var stats = arguments.Has("--stats") ? new EchoStats(reactor) : null;
try
{
    // maxPacketSize 65535: every datagram UDP can carry (up to 65,507 bytes) comes back whole.
    var listening = reactor.ListenUdp(port, new Echo(quiet: arguments.Has("--quiet"), stats), @interface, maxPacketSize: 65535);
    Console.WriteLine($"Echo starting on {listening.GetHost().Port}");
}
catch (Exception e) when (e is CannotListenException or InvalidAddressException)
{
    Console.Error.WriteLine(e.Message);
    return 1;
}

reactor.Run();
stats?.Print();
return 0;

/// <summary>The seed's Echo protocol.</summary>
internal sealed class Echo(bool quiet, EchoStats? stats) : DatagramProtocol
{
    public override void DatagramReceived(ReadOnlySpan<byte> datagram, IPEndPoint sender)
    {
        if (!quiet)
        {
            Console.WriteLine($"received {PythonRepr.Of(datagram)} from {sender.Address}:{sender.Port}");
        }

        stats?.OnDatagram();

        // Replying to the sender's endpoint allocates nothing; the datagram is a view of the receive buffer,
        // valid until this method returns — Write copies it into the kernel before that.
        Transport!.Write(datagram, sender);
    }
}

/// <summary>
/// <c>--stats</c>: counts datagrams and measures the bytes the process allocates in its steady state. The window opens
/// one second after the first datagram (start-up, JIT tiering and first-peer caching are behind it) and closes when the
/// reactor starts shutting down.
/// </summary>
internal sealed class EchoStats
{
    private static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(1);
    private readonly IReactor _reactor;
    private long _datagrams;
    private long _windowStartDatagrams = -1;
    private long _windowStartBytes;
    private long _windowDatagrams;
    private long _windowBytes;

    public EchoStats(IReactor reactor)
    {
        _reactor = reactor;
        reactor.AddSystemEventTrigger(SystemEventPhase.Before, SystemEvents.Shutdown, CloseWindow);
    }

    public void OnDatagram()
    {
        if (_datagrams++ == 0)
        {
            _reactor.CallLater(WarmUp, OpenWindow);
        }
    }

    public void Print() =>
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"datagrams={_windowDatagrams} allocated_bytes={_windowBytes}"));

    private void OpenWindow()
    {
        _windowStartDatagrams = _datagrams;
        _windowStartBytes = GC.GetTotalAllocatedBytes(precise: true);
    }

    private void CloseWindow()
    {
        if (_windowStartDatagrams >= 0)
        {
            _windowBytes = GC.GetTotalAllocatedBytes(precise: true) - _windowStartBytes;
            _windowDatagrams = _datagrams - _windowStartDatagrams;
        }
    }
}
