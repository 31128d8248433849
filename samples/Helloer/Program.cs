// Connected UDP from Twisted's UDP howto, in C#: resolve a host, connect to it, say hello, print what comes back.
//
//   dotnet run --project samples/Helloer -- [--host 127.0.0.1] [--port 1234] [--timeout 5]
//
// Prints "we can only send to <ip>:<port> now", writes "hello", then "received <repr> from <host>:<port>" per datagram
// and "No one listening" when the peer's port is closed (ICMP port unreachable). Exits after --timeout seconds.
// A host that cannot be resolved: one line on stderr, exit code 1.
using System.Net;
using System.Net.Sockets;
using Reactor;
using Reactor.Samples;

var arguments = SampleArguments.Parse(
    args,
    "usage: Helloer [--host 127.0.0.1] [--port 1234] [--timeout 5]",
    ["--host", "--port", "--timeout"]);
var host = arguments.Get("--host", "127.0.0.1");
var port = arguments.GetInt("--port", 1234, 1, 65535);
var timeout = arguments.GetSeconds("--timeout", 5);
var exitCode = 0;

using var reactor = ReactorFactory.Create(new ReactorOptions { HandleSignals = true });
reactor.CallWhenRunning(() =>
{
    reactor.CallLater(timeout, reactor.Stop);

    // <snippet resolve>
    // Connect and Write take IP literals only; Resolve turns a name into one.
    reactor.Resolve(host).AddCallbacks(
        address =>
        {
            var wildcard = address.AddressFamily == AddressFamily.InterNetworkV6 ? "::" : "";
            reactor.ListenUdp(0, new Helloer(address, port), wildcard);
            return address;
        },
        failure =>
        {
            Console.Error.WriteLine($"Helloer: cannot resolve host '{host}': {failure.Exception.Message}");
            exitCode = 1;
            reactor.Stop();
            return IPAddress.None;
        });
    // </snippet>
});
reactor.Run();
return exitCode;

// <snippet helloer>
/// <summary>The seed's Helloer: a connected UDP protocol.</summary>
internal sealed class Helloer(IPAddress host, int port) : DatagramProtocol
{
    // The datagram handed to DatagramReceived is only valid during the call: keep a copy to use it later.
    private readonly List<byte[]> _received = [];

    public IReadOnlyList<byte[]> Received => _received;

    public override void StartProtocol()
    {
        Transport!.Connect(host.ToString(), port);
        Console.WriteLine($"we can only send to {host}:{port} now");
        Transport.Write("hello"u8); // no need for an address
    }

    public override void DatagramReceived(ReadOnlySpan<byte> datagram, IPEndPoint sender)
    {
        _received.Add(datagram.ToArray());
        Console.WriteLine($"received {PythonRepr.Of(datagram)} from {sender.Address}:{sender.Port}");
    }

    // Possibly invoked if there is no server listening on the address to which we are sending.
    public override void ConnectionRefused() => Console.WriteLine("No one listening");
}
// </snippet>
