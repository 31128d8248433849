// A small Redis-protocol (RESP2) key-value server on Reactor's framing layer: real clients (redis-cli,
// redis-benchmark) talk to it unmodified, pipelining included.
//
//   dotnet run --project samples/KeyValue -- [--port 6379] [--interface 127.0.0.1] [--stats]
//
// Prints "KeyValue starting on <port>" once listening (so --port 0 is usable). Commands: PING, ECHO, SET (EX, PX, NX,
// XX), GET, DEL, EXISTS, INCR, DECR, INCRBY, MGET, MSET, KEYS, DBSIZE, FLUSHALL, QUIT, CONFIG GET, COMMAND; errors in
// redis-server 7's words. Keys expire on the reactor's clock. With --stats it prints
// "commands=<n> allocated_bytes=<n>" as it stops: the commands served and the bytes the process allocated in its
// steady state (from one second after the first command until the stop). Ctrl+C or SIGTERM stops it cleanly.
using System.Globalization;
using System.Net;
using Reactor;
using Reactor.Samples;
using Reactor.Samples.KeyValue;

var arguments = SampleArguments.Parse(args, "usage: KeyValue [--port 6379] [--interface 127.0.0.1] [--stats]", ["--port", "--interface"], ["--stats"]);
var port = arguments.GetInt("--port", 6379, 0, 65535);
var @interface = arguments.Get("--interface", "127.0.0.1");

using var reactor = ReactorFactory.Create(new ReactorOptions { HandleSignals = true });
var stats = arguments.Has("--stats") ? new SteadyStateStats(reactor) : null;
try
{
    var listening = reactor.ListenTcp(port, new KeyValueFactory(new KeyValueStore(reactor), stats), @interface: @interface);
    Console.WriteLine($"KeyValue starting on {listening.GetHost().Port}");
}
catch (Exception e) when (e is CannotListenException or InvalidAddressException)
{
    Console.Error.WriteLine(e.Message);
    return 1;
}

reactor.Run();
if (stats is not null)
{
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"commands={stats.Events} allocated_bytes={stats.AllocatedBytes}"));
}
return 0;

/// <summary>One <see cref="RespServer"/> per client, all sharing one store.</summary>
internal sealed class KeyValueFactory(KeyValueStore store, SteadyStateStats? stats) : Factory
{
    private readonly Action? _counted = stats is null ? null : stats.Count;

    public override Protocol BuildProtocol(EndPoint address) => new RespServer(store, _counted);
}
