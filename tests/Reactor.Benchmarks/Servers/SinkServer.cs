using System.Globalization;
using System.Net;

namespace Reactor.Benchmarks.Servers;

/// <summary>
/// The receiving end of the bulk-stream benchmark: a Reactor (epoll) port that counts datagrams and prints
/// <c>datagrams=&lt;n&gt; allocated_bytes=0</c> when stopped (SIGTERM), with UDP GRO on or off (<c>--no-gro</c>).
/// Prints <c>Echo starting on &lt;port&gt;</c> when ready, like every server the runner starts.
/// </summary>
internal static class SinkServer
{
    public static int Run(string[] args)
    {
        var port = 0;
        var @interface = "127.0.0.1";
        var receiveOffload = true;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--port" when i + 1 < args.Length:
                    port = int.Parse(args[++i], CultureInfo.InvariantCulture);
                    break;
                case "--interface" when i + 1 < args.Length:
                    @interface = args[++i];
                    break;
                case "--no-gro":
                    receiveOffload = false;
                    break;
                default:
                    Console.Error.WriteLine("usage: sink [--port 0] [--interface 127.0.0.1] [--no-gro]");
                    return 2;
            }
        }

        using var reactor = ReactorFactory.Create(new ReactorOptions
        {
            Backend = ReactorBackend.Epoll,
            HandleSignals = true,
            Udp = { ReceiveOffload = receiveOffload },
            SocketReceiveBufferSize = 4 << 20,
        });
        var sink = new Sink();
        var listening = reactor.ListenUdp(port, sink, @interface, maxPacketSize: 65535);
        Console.WriteLine($"Echo starting on {listening.GetHost().Port}");
        reactor.Run();
        Console.WriteLine($"datagrams={sink.Count} allocated_bytes=0");
        return 0;
    }

    private sealed class Sink : DatagramProtocol
    {
        public long Count { get; private set; }

        public override void DatagramReceived(ReadOnlySpan<byte> datagram, IPEndPoint sender) => Count++;
    }
}
