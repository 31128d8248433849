// The plain-socket multicast sender of the second seed, as a reactor program: bound to port 1501, TTL 255, it sends
// "Hello World" to 224.168.2.9:1600 every 10 seconds with a LoopingCall.
//
//   dotnet run --project samples/MulticastSender -- [--group 224.168.2.9] [--port 1600] [--interval 10] [--count N]
//                                                   [--ttl 255] [--source-port 1501] [--interface <address or name>]
//
// --count stops after N datagrams (the first goes out at once); by default it sends until stopped. --interface names the
// interface to send from (an address or a name such as lo); by default the kernel chooses.
using System.Net;
using Reactor;
using Reactor.Samples;

var arguments = SampleArguments.Parse(
    args,
    "usage: MulticastSender [--group 224.168.2.9] [--port 1600] [--interval 10] [--count N] [--ttl 255] [--source-port 1501] [--interface <address or name>]",
    ["--group", "--port", "--interval", "--count", "--ttl", "--source-port", "--interface"]);
var group = arguments.GetAddress("--group", "224.168.2.9");
var port = arguments.GetInt("--port", 1600, 1, 65535);
var interval = arguments.GetSeconds("--interval", 10);
var count = arguments.GetInt("--count", 0, 0, int.MaxValue);
var ttl = arguments.GetInt("--ttl", 255, 0, 255);
var sourcePort = arguments.GetInt("--source-port", 1501, 0, 65535);
var @interface = arguments.Get("--interface", "");

using var reactor = ReactorFactory.Create(new ReactorOptions { HandleSignals = true });
var exitCode = 0;
IMulticastTransport sender;
try
{
    // The sender is bound on (0.0.0.0:1501).
    sender = reactor.ListenMulticast(sourcePort, new DatagramProtocol(), group.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? "::" : "");
}
catch (CannotListenException e)
{
    Console.Error.WriteLine(e.Message);
    return 1;
}

// <snippet sender>
// Tell the kernel that we want to multicast and that the data is sent to everyone (255 is the level of multicasting).
sender.Ttl = ttl;
var destination = new IPEndPoint(group, port);
var sent = 0;
LoopingCall? loop = null;
loop = new LoopingCall(reactor, () =>
{
    // Send the data "Hello World" to the multicast address and port: any subscribers to the group receive it.
    sender.Write("Hello World"u8, destination);
    if (++sent == count)
    {
        loop!.Stop();
        reactor.Stop();
    }
});
// </snippet>

reactor.CallWhenRunning(() =>
    (@interface.Length > 0 ? sender.SetOutgoingInterface(@interface) : Deferred.Succeed<object?>(null)).AddCallbacks(
        _ =>
        {
            loop.Start(interval);
            return (object?)null;
        },
        failure =>
        {
            Console.Error.WriteLine($"MulticastSender: {failure.Exception.Message}");
            exitCode = 1;
            reactor.Stop();
            return null;
        }));
reactor.Run();
return exitCode;
