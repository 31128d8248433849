// The benchmark harness's entry point: one executable, its commands (README.md).
using Reactor.Benchmarks.Clients;
using Reactor.Benchmarks.Micro;
using Reactor.Benchmarks.Runner;
using Reactor.Benchmarks.Servers;

const string Usage = """
    usage: Reactor.Benchmarks <command> [options]
      run [--rounds 3] [--seconds 3] [--warmup 1] [--servers a,b] [--scenarios a,b] [--output FILE] [--no-build]
          [--no-ceiling] [--server-cpu 0] [--loadgen-cpu 1]
                    build everything, drive every server in turn (pinned) with the load generator, print the table
      tcp [--rounds 3] [--seconds 1.5] [--warmup 0.5] [--servers a,b] [--scenarios a,b] [--idle-connections 10000] ...
                    the TCP table: C epoll, Reactor (epoll, --pipe, portable), Kestrel, .NET Socket, Node, Twisted
      resp [--rounds 3] [--requests N] [--servers a,b] [--scenarios a,b] ...
                    redis-benchmark (ping, set, get; -P 16 and -P 1) against samples/KeyValue and redis-server
      tls [--rounds 3] [--seconds 3] [--warmup 2] [--servers a,b] [--scenarios a,b] ...
                    TLS 1.3 handshakes/s, ping-pong and bulk: Reactor ListenSsl against Kestrel UseHttps
      micro [BenchmarkDotNet options, e.g. --filter *Timer* --job short]
                    the micro-benchmarks ([MemoryDiagnoser]) of dispatch, the timer heap, Deferreds, the address cache
      stream [--rounds 3] [--seconds 3] [--size 1024]
                    one-way bulk stream (C sender with sendmmsg or UDP GSO) into a Reactor sink with UDP GRO on and off
      scale [--tcp] [--rounds 3] [--seconds 3]
                    multi-core: echo against a ReactorGroup of 1 reactor (CPU 0) and of 2 (CPUs 0 and 1); --tcp: TCP
                    echo and connect loads, SO_REUSEPORT per reactor against one acceptor handing connections round-robin
      group-echo [--reactors 2] [--port 0] [--interface 127.0.0.1]
                    the ReactorGroup echo server the scale benchmark measures
      group-tcp-echo [--reactors 2] [--accept reuseport|handoff]
                    the ReactorGroup TCP echo server the scale --tcp benchmark measures
      sink [--port 0] [--interface 127.0.0.1] [--no-gro]
                    the Reactor sink the stream benchmark measures
      socket-echo [--port 0] [--interface 127.0.0.1] [--stats]
                    the raw .NET async Socket echo server (the ".NET async Socket" baseline)
      socket-tcp-echo | kestrel-echo [--inline] [--tls] | tls-echo  [--port 0] [--interface 127.0.0.1] [--stats]
                    the TCP and TLS servers the tcp and tls tables start besides the samples
      tls-load --port P [--mode pingpong|bulk|handshake] [--size 64] [--window 1] [--connections 1] [--seconds 3]
                    the TLS load generator the tls table runs
    """;

if (args.Length == 0 || args[0] is "-h" or "--help")
{
    Console.WriteLine(Usage);
    return args.Length == 0 ? 2 : 0;
}

var rest = args[1..];
switch (args[0])
{
    case "run":
        return RunCommand.Execute(rest);
    case "tcp":
        ChildProcesses.InstallHandlers();
        return TcpCommand.Execute(rest);
    case "resp":
        ChildProcesses.InstallHandlers();
        return RespCommand.Execute(rest);
    case "tls":
        ChildProcesses.InstallHandlers();
        return TlsCommand.Execute(rest);
    case "micro":
        return MicroCommand.Execute(rest);
    case "stream":
        return StreamCommand.Execute(rest);
    case "scale":
        return ScaleCommand.Execute(rest);
    case "group-echo":
        return GroupEchoServer.Run(rest);
    case "group-tcp-echo":
        return GroupTcpEchoServer.Run(rest);
    case "sink":
        return SinkServer.Run(rest);
    case "socket-echo":
        return await SocketEchoServer.RunAsync(rest).ConfigureAwait(false);
    case "socket-tcp-echo":
        return await SocketStreamEchoServer.RunAsync(rest).ConfigureAwait(false);
    case "kestrel-echo":
        return KestrelEchoServer.Run(rest);
    case "tls-echo":
        return TlsEchoServer.Run(rest);
    case "tls-load":
        return await TlsLoadClient.RunAsync(rest).ConfigureAwait(false);
    default:
        Console.Error.WriteLine($"error: unknown command '{args[0]}'");
        Console.Error.WriteLine(Usage);
        return 2;
}
