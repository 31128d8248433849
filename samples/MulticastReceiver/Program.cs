// The plain-socket multicast receiver of the second seed, as a reactor program: it shares port 1600 with other
// receivers, joins 224.168.2.9, and prints every datagram.
//
//   dotnet run --project samples/MulticastReceiver -- [--group 224.168.2.9] [--port 1600] [--timeout <seconds>]
//                                                     [--interface <address or name>] [--leave-after <seconds>]
//
// For each datagram prints "We got data!", "FROM: <host>:<port>" and "DATA: <datagram>". Runs until stopped, or for
// --timeout seconds. --interface names the interface to join on; by default the kernel chooses. --leave-after leaves
// the group that many seconds after starting (LeaveGroup, scheduled with CallLater) and prints "Left group <group>";
// the receiver keeps running, so datagrams sent to the group after that no longer arrive.
using System.Net;
using System.Text;
using Reactor;
using Reactor.Samples;

var arguments = SampleArguments.Parse(
    args,
    "usage: MulticastReceiver [--group 224.168.2.9] [--port 1600] [--timeout <seconds>] [--interface <address or name>] [--leave-after <seconds>]",
    ["--group", "--port", "--timeout", "--interface", "--leave-after"]);
var group = arguments.Get("--group", "224.168.2.9");
var port = arguments.GetInt("--port", 1600, 0, 65535);
var @interface = arguments.Get("--interface", "");

using var reactor = ReactorFactory.Create(new ReactorOptions { HandleSignals = true });
var exitCode = 0;
try
{
    // <snippet receiver>
    // listenMultiple: allow several receivers on this host to share the port (SO_REUSEADDR + SO_REUSEPORT).
    var receiver = reactor.ListenMulticast(port, new Receiver(), group.Contains(':', StringComparison.Ordinal) ? "::" : "", listenMultiple: true);

    // Tell the kernel that we want to add ourselves to the multicast group.
    _ = receiver.JoinGroup(group, @interface).AddErrback(failure =>
    {
        Console.Error.WriteLine(failure.Exception.Message);
        exitCode = 1;
        reactor.CallWhenRunning(reactor.Stop);
        return (object?)null;
    });
    // </snippet>

    if (arguments.Has("--leave-after"))
    {
        // Tell the kernel that we no longer want the group's datagrams.
        reactor.CallLater(arguments.GetSeconds("--leave-after", 0), () =>
            receiver.LeaveGroup(group, @interface).AddCallbacks(
                _ =>
                {
                    Console.WriteLine($"Left group {group}");
                    return (object?)null;
                },
                failure =>
                {
                    Console.Error.WriteLine(failure.Exception.Message);
                    return null;
                }));
    }
}
catch (CannotListenException e)
{
    Console.Error.WriteLine(e.Message);
    return 1;
}

if (arguments.Has("--timeout"))
{
    reactor.CallLater(arguments.GetSeconds("--timeout", 0), reactor.Stop);
}

reactor.Run();
return exitCode;

/// <summary>Prints each datagram the way the seed's receiver loop does.</summary>
internal sealed class Receiver : DatagramProtocol
{
    public override void DatagramReceived(ReadOnlySpan<byte> datagram, IPEndPoint sender)
    {
        Console.WriteLine("We got data!");
        Console.WriteLine($"FROM: {sender.Address}:{sender.Port}");
        Console.WriteLine($"DATA: {Encoding.UTF8.GetString(datagram)}");
    }
}
