// A TCP line service on Reactor: PING, ECHO <text>, QUIT, one command a line; a minute without a line closes the
// connection.
//
//   dotnet run --project src/MyTcpService -- [port] [interface]     (default: 8000 127.0.0.1)
//   socat - TCP:127.0.0.1:8000                                      (then type PING, ECHO hello, QUIT)
using System.Globalization;
using MyTcpService;
using Reactor;

var port = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 8000;
var @interface = args.Length > 1 ? args[1] : "127.0.0.1";

// HandleSignals: Ctrl+C and SIGTERM stop the reactor cleanly (the port closes, every connection is lost).
using var reactor = ReactorFactory.Create(new ReactorOptions { HandleSignals = true });
var listening = LineService.Listen(reactor, port, @interface);
Console.WriteLine($"listening on {listening.GetHost()}");
reactor.Run();
