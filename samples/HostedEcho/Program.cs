// The Echo server as a .NET Generic Host application: the reactor runs as a hosted service (Reactor.Hosting), logs
// through the host's logging, and stops with the host.
//
//   dotnet run --project samples/HostedEcho -- [--port 9999] [--interface 0.0.0.0]
//
// Prints "Echo starting on <port>" once listening (so --port 0 is usable) and "Echo stopped" when its port has closed.
// Ctrl+C or SIGTERM stops the host, which stops the reactor cleanly.
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Reactor;
using Reactor.Samples;

var arguments = SampleArguments.Parse(args, "usage: HostedEcho [--port 9999] [--interface 0.0.0.0]", ["--port", "--interface"]);
var port = arguments.GetInt("--port", 9999, 0, 65535);
var @interface = arguments.Get("--interface", "0.0.0.0");

var builder = Host.CreateApplicationBuilder();
builder.Services.AddReactor(configure: reactor =>
{
    // Runs on the reactor thread once it is running; an exception here (port in use, ...) fails the host's start.
    var listening = reactor.ListenUdp(port, new Echo(), @interface, maxPacketSize: 65535);
    Console.WriteLine($"Echo starting on {listening.GetHost().Port}");
});

try
{
    await builder.Build().RunAsync();
}
catch (Exception e) when (e is CannotListenException or InvalidAddressException)
{
    Console.Error.WriteLine(e.Message);
    return 1;
}

return 0;

/// <summary>Every datagram goes back to its sender unchanged.</summary>
internal sealed class Echo : DatagramProtocol
{
    public override void DatagramReceived(ReadOnlySpan<byte> datagram, IPEndPoint sender) =>
        Transport!.Write(datagram, sender);

    public override void StopProtocol() => Console.WriteLine("Echo stopped");
}
