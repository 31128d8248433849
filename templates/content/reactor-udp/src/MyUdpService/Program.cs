// A UDP echo service on Reactor: every datagram goes back to its sender, at most 1,000 replies a second.
//
//   dotnet run --project src/MyUdpService -- [port] [interface]     (default: 9999 127.0.0.1)
//   echo hello | socat - UDP:127.0.0.1:9999
using System.Globalization;
using MyUdpService;
using Reactor;

var port = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 9999;
var @interface = args.Length > 1 ? args[1] : "127.0.0.1";

// HandleSignals: Ctrl+C and SIGTERM stop the reactor cleanly (every port closes, StopProtocol runs).
using var reactor = ReactorFactory.Create(new ReactorOptions { HandleSignals = true });
var listening = EchoService.Listen(reactor, port, @interface);
Console.WriteLine($"listening on {listening.GetHost()}");
reactor.Run();
