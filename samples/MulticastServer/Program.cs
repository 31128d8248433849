// The multicast server of Twisted's UDP howto, in C#: joins a group and answers "UniqueID" with "data".
//
//   dotnet run --project samples/MulticastServer -- [--group 224.0.0.1] [--port 8005] [--interface <address or name>] [--stats]
//
// Prints "Started Listening", then "Server Received: '<datagram>'" for each datagram. --interface names the interface
// to join on and to send from (an address such as 127.0.0.1, or a name such as lo); by default the kernel chooses.
// With --stats it prints "datagrams=<n> dropped_truncated=<n>" as it stops: the datagrams it received and those it
// read but dropped as longer than its 8,192-byte maxPacketSize, from the library's Reactor meter.
using System.Globalization;
using System.Net;
using Reactor;
using Reactor.Samples;

var arguments = SampleArguments.Parse(
    args,
    "usage: MulticastServer [--group 224.0.0.1] [--port 8005] [--interface <address or name>] [--stats]",
    ["--group", "--port", "--interface"],
    ["--stats"]);
var group = arguments.Get("--group", "224.0.0.1");
var port = arguments.GetInt("--port", 8005, 0, 65535);
var @interface = arguments.Get("--interface", "");

using var reactor = ReactorFactory.Create(new ReactorOptions { HandleSignals = true });
try
{
    // An IPv6 group needs an IPv6 socket.
    reactor.ListenMulticast(port, new MulticastServerUdp(group, @interface), group.Contains(':', StringComparison.Ordinal) ? "::" : "");
}
catch (Exception e) when (e is CannotListenException or InvalidAddressException)
{
    Console.Error.WriteLine(e.Message);
    return 1;
}

reactor.Run();
if (arguments.Has("--stats"))
{
    // After Run returns the port is closed, so these are the final counts.
    var counts = UdpDatagramCounts.Read();
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"datagrams={counts.Received} dropped_truncated={counts.DroppedTruncated}"));
}

return 0;

// <snippet server>
/// <summary>The seed's MulticastServerUDP.</summary>
internal sealed class MulticastServerUdp(string group, string @interface) : DatagramProtocol
{
    public override void StartProtocol()
    {
        Console.WriteLine("Started Listening");
        var transport = (IMulticastTransport)Transport!;

        // Join a specific multicast group, which is the IP we will respond to.
        transport.JoinGroup(group, @interface).AddErrback(failure =>
        {
            Console.Error.WriteLine(failure.Exception.Message);
            return (object?)null;
        });
        if (@interface.Length > 0)
        {
            transport.SetOutgoingInterface(@interface);
        }
    }

    public override void DatagramReceived(ReadOnlySpan<byte> datagram, IPEndPoint sender)
    {
        Console.WriteLine($"Server Received: {PythonRepr.Of(datagram)}");

        // The UniqueID check is to ensure we only service requests from ourselves.
        if (datagram.SequenceEqual("UniqueID"u8))
        {
            Transport!.Write("data"u8, sender);
        }
    }
}
// </snippet>
