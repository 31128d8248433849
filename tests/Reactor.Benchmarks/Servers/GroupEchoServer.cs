using System.Globalization;
using System.Net;

namespace Reactor.Benchmarks.Servers;

/// <summary>
/// The multi-core echo server: a <see cref="ReactorGroup"/> of N epoll reactors sharing one port with SO_REUSEPORT,
/// each pinned to its own CPU. Prints <c>Echo starting on &lt;port&gt;</c> when ready and, when stopped (SIGTERM),
/// <c>per-reactor datagrams: a,b,...</c>.
/// </summary>
internal static class GroupEchoServer
{
    public static int Run(string[] args)
    {
        var reactors = 2;
        var port = 0;
        var @interface = "127.0.0.1";
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--reactors" when i + 1 < args.Length:
                    reactors = int.Parse(args[++i], CultureInfo.InvariantCulture);
                    break;
                case "--port" when i + 1 < args.Length:
                    port = int.Parse(args[++i], CultureInfo.InvariantCulture);
                    break;
                case "--interface" when i + 1 < args.Length:
                    @interface = args[++i];
                    break;
                default:
                    Console.Error.WriteLine("usage: group-echo [--reactors 2] [--port 0] [--interface 127.0.0.1]");
                    return 2;
            }
        }

        using var group = ReactorGroup.Create(reactors, new ReactorOptions { Backend = ReactorBackend.Epoll, HandleSignals = true }, pinThreads: true);
        var echoes = new List<CountingEcho>();
        var ports = group.ListenUdp(port, () =>
        {
            var echo = new CountingEcho();
            echoes.Add(echo);
            return echo;
        }, @interface, maxPacketSize: 65535);
        Console.WriteLine($"Echo starting on {ports[0].GetHost().Port}");
        group.Run();
        Console.WriteLine($"per-reactor datagrams: {string.Join(',', echoes.Select(e => e.Count))}");
        return 0;
    }

    private sealed class CountingEcho : DatagramProtocol
    {
        public long Count { get; private set; }

        public override void DatagramReceived(ReadOnlySpan<byte> datagram, IPEndPoint sender)
        {
            Count++;
            Transport!.Write(datagram, sender);
        }
    }
}
