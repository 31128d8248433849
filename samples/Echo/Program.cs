// The Echo server from Twisted's UDP howto, in C#: every datagram goes back to its sender unchanged.
//
//   dotnet run --project samples/Echo -- [--port 9999] [--interface 0.0.0.0] [--quiet]
//
// Prints "Echo starting on <port>" once listening (so --port 0 is usable), then
// "received <repr> from <host>:<port>" per datagram unless --quiet. Ctrl+C or SIGTERM stops it cleanly.
using System.Net;
using Reactor;
using Reactor.Samples;

var arguments = SampleArguments.Parse(
    args,
    "usage: Echo [--port 9999] [--interface 0.0.0.0] [--quiet]",
    ["--port", "--interface"],
    ["--quiet"]);
var port = arguments.GetInt("--port", 9999, 0, 65535);
var @interface = arguments.Get("--interface", "0.0.0.0");

using var reactor = ReactorFactory.Create(new ReactorOptions { HandleSignals = true });
try
{
    // maxPacketSize 65535: every datagram UDP can carry (up to 65,507 bytes) comes back whole.
    var listening = reactor.ListenUdp(port, new Echo(quiet: arguments.Has("--quiet")), @interface, maxPacketSize: 65535);
    Console.WriteLine($"Echo starting on {listening.GetHost().Port}");
}
catch (Exception e) when (e is CannotListenException or InvalidAddressException)
{
    Console.Error.WriteLine(e.Message);
    return 1;
}

reactor.Run();
return 0;

/// <summary>The seed's Echo protocol.</summary>
internal sealed class Echo(bool quiet) : DatagramProtocol
{
    public override void DatagramReceived(ReadOnlySpan<byte> datagram, IPEndPoint sender)
    {
        if (!quiet)
        {
            Console.WriteLine($"received {PythonRepr.Of(datagram)} from {sender.Address}:{sender.Port}");
        }

        // Replying to the sender's endpoint allocates nothing; the datagram is a view of the receive buffer,
        // valid until this method returns — Write copies it into the kernel before that.
        Transport!.Write(datagram, sender);
    }
}
