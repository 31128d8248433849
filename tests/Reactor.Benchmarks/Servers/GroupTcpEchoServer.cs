using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Reactor.Benchmarks.Servers;

/// <summary>
/// The multi-core TCP echo server the <c>scale --tcp</c> benchmark measures: a <see cref="ReactorGroup"/> of N epoll
/// reactors, each pinned to its own CPU, serving one port in one of two ways:
/// <list type="bullet">
/// <item><c>--accept reuseport</c> (what <see cref="ReactorGroup.ListenTcp"/> does): one listening socket per reactor
/// with SO_REUSEPORT; the kernel spreads connections by a hash of their addresses.</item>
/// <item><c>--accept handoff</c>: one acceptor thread (Netty's "boss") accepts every connection and hands it to the
/// reactors in turn, round-robin, with <see cref="IReactorThreads.CallFromThread"/> and
/// <see cref="IReactorSocket.AdoptStreamConnection"/>.</item>
/// </list>
/// Prints <c>Echo starting on &lt;port&gt;</c> when ready and, when stopped (SIGTERM),
/// <c>per-reactor connections: a,b,...</c> and <c>per-reactor bytes: a,b,...</c>.
/// </summary>
internal static class GroupTcpEchoServer
{
    public static int Run(string[] args)
    {
        var reactors = 2;
        var handoff = false;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--reactors" when i + 1 < args.Length:
                    reactors = int.Parse(args[++i], CultureInfo.InvariantCulture);
                    break;
                case "--accept" when i + 1 < args.Length && args[i + 1] is "reuseport" or "handoff":
                    handoff = args[++i] == "handoff";
                    break;
                default:
                    Console.Error.WriteLine("usage: group-tcp-echo [--reactors 2] [--accept reuseport|handoff]");
                    return 2;
            }
        }

        using var group = ReactorGroup.Create(reactors, new ReactorOptions { Backend = ReactorBackend.Epoll, HandleSignals = true }, pinThreads: true);
        var counters = new Counter[reactors];
        for (var i = 0; i < reactors; i++)
        {
            counters[i] = new Counter();
        }

        int port;
        if (handoff)
        {
            var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            listener.Listen(1024);
            port = ((IPEndPoint)listener.LocalEndPoint!).Port;
            var factories = counters.Select(c => (Factory)new CountingEchoFactory(c)).ToArray();
            var acceptor = new Thread(() => Accept(listener, group, factories)) { Name = "acceptor", IsBackground = true };
            acceptor.Start();
        }
        else
        {
            var next = 0;
            var ports = group.ListenTcp(0, () => new CountingEchoFactory(counters[next++]), backlog: 1024, @interface: "127.0.0.1");
            port = ports[0].GetHost().Port;
        }

        Console.WriteLine($"Echo starting on {port}");
        group.Run();
        Console.WriteLine($"per-reactor connections: {string.Join(',', counters.Select(c => c.Connections))}");
        Console.WriteLine($"per-reactor bytes: {string.Join(',', counters.Select(c => c.Bytes))}");
        return 0;
    }

    /// <summary>The acceptor thread: accepts with a blocking socket and gives each connection to the next reactor.</summary>
    private static void Accept(Socket listener, ReactorGroup group, Factory[] factories)
    {
        var next = 0;
        while (true)
        {
            Socket accepted;
            try
            {
                accepted = listener.Accept();
            }
            catch (SocketException)
            {
                continue;
            }
            catch (ObjectDisposedException)
            {
                return;
            }

            var index = next;
            next = (next + 1) % factories.Length;
            var reactor = group.Reactors[index];
            reactor.CallFromThread(() =>
            {
                // The reactor works on a duplicate of the descriptor; this socket is closed once it has one.
                using (accepted)
                {
                    reactor.AdoptStreamConnection((int)accepted.Handle, AddressFamily.InterNetwork, factories[index]);
                }
            });
        }
    }

    private sealed class Counter
    {
        public long Connections;
        public long Bytes;
    }

    private sealed class CountingEchoFactory(Counter counter) : Factory
    {
        public override Protocol? BuildProtocol(EndPoint address)
        {
            counter.Connections++;
            return new CountingEcho(counter);
        }
    }

    private sealed class CountingEcho(Counter counter) : Protocol
    {
        public override void DataReceived(ReadOnlySpan<byte> data)
        {
            counter.Bytes += data.Length;
            Transport!.Write(data);
        }
    }
}
