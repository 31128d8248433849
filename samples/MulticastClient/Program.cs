// The multicast client of Twisted's UDP howto, in C#: sends "UniqueID" to the group and prints every reply.
//
//   dotnet run --project samples/MulticastClient -- [--group 224.0.0.1] [--port 8005] [--timeout 5] [--interface <address or name>]
//
// Prints "Received: '<datagram>'" for each reply and exits after --timeout seconds. --interface names the interface to
// send from (an address such as 127.0.0.1, or a name such as lo); by default the kernel chooses.
using System.Net;
using Reactor;
using Reactor.Samples;

var arguments = SampleArguments.Parse(
    args,
    "usage: MulticastClient [--group 224.0.0.1] [--port 8005] [--timeout 5] [--interface <address or name>]",
    ["--group", "--port", "--timeout", "--interface"]);
var group = arguments.Get("--group", "224.0.0.1");
var port = arguments.GetInt("--port", 8005, 1, 65535);
var timeout = arguments.GetSeconds("--timeout", 5);
var @interface = arguments.Get("--interface", "");
var exitCode = 0;

using var reactor = ReactorFactory.Create(new ReactorOptions { HandleSignals = true });
reactor.CallWhenRunning(() =>
{
    reactor.CallLater(timeout, reactor.Stop);

    // <snippet client>
    // Send multicast on the group's port, from our dynamically allocated port.
    var transport = reactor.ListenMulticast(0, new MulticastClientUdp(), group.Contains(':', StringComparison.Ordinal) ? "::" : "");
    reactor.Resolve(group).AddCallbacks(
        address =>
        {
            (@interface.Length > 0 ? transport.SetOutgoingInterface(@interface) : Deferred.Succeed<object?>(null))
                .AddCallback(_ => transport.Write("UniqueID"u8, new IPEndPoint(address, port)));
            return address;
        },
        failure =>
        {
            Console.Error.WriteLine($"MulticastClient: {failure.Exception.Message}");
            exitCode = 1;
            reactor.Stop();
            return IPAddress.None;
        });
    // </snippet>
});
reactor.Run();
return exitCode;

/// <summary>The seed's MulticastClientUDP.</summary>
internal sealed class MulticastClientUdp : DatagramProtocol
{
    public override void DatagramReceived(ReadOnlySpan<byte> datagram, IPEndPoint sender) =>
        Console.WriteLine($"Received: {PythonRepr.Of(datagram)}");
}
