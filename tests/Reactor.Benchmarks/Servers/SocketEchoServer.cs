using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Reactor.Benchmarks.Servers;

/// <summary>
/// The ".NET async Socket" baseline: the best plain .NET 10 asynchronous echo loop — one loop awaiting
/// <c>ReceiveFromAsync</c> then <c>SendToAsync</c> with a reused <see cref="SocketAddress"/> (no <see cref="EndPoint"/>
/// allocation) and a pinned buffer. The targets are stated against this loop.
/// </summary>
/// <remarks>
/// Prints "Echo starting on &lt;port&gt;" once bound. With <c>--stats</c>, prints "datagrams=&lt;n&gt;
/// allocated_bytes=&lt;n&gt;" on SIGTERM/SIGINT for the same steady-state window as the Echo sample's: from one second
/// after the first datagram until the signal.
/// </remarks>
internal static class SocketEchoServer
{
    private const int WindowCheckInterval = 1024;

    private static long _datagrams;

    public static async Task<int> RunAsync(string[] args)
    {
        var port = 0;
        var address = IPAddress.Loopback;
        var stats = false;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--port" when i + 1 < args.Length:
                    port = int.Parse(args[++i], CultureInfo.InvariantCulture);
                    break;
                case "--interface" when i + 1 < args.Length:
                    address = IPAddress.Parse(args[++i]);
                    break;
                case "--stats":
                    stats = true;
                    break;
                case "--quiet":
                    break;
                default:
                    Console.Error.WriteLine("usage: socket-echo [--port 0] [--interface 127.0.0.1] [--stats]");
                    return 2;
            }
        }

        var socket = new Socket(address.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(address, port));
        Console.WriteLine($"Echo starting on {((IPEndPoint)socket.LocalEndPoint!).Port}");

        var window = new StatsWindow();
        var stopped = 0;
        void Stop(PosixSignalContext context)
        {
            context.Cancel = true;
            if (Interlocked.Exchange(ref stopped, 1) == 0)
            {
                window.Close(Interlocked.Read(ref _datagrams));

                // Closing the socket ends the pending receive; the loop below then returns.
                socket.Dispose();
            }
        }

        using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);

        var buffer = GC.AllocateArray<byte>(65_536, pinned: true);
        var peer = new SocketAddress(address.AddressFamily);
        var windowOpensAt = long.MaxValue;
        try
        {
            while (true)
            {
                var length = await socket.ReceiveFromAsync(buffer, SocketFlags.None, peer).ConfigureAwait(false);
                await socket.SendToAsync(buffer.AsMemory(0, length), SocketFlags.None, peer).ConfigureAwait(false);
                var count = ++_datagrams;
                if (count == 1)
                {
                    windowOpensAt = Stopwatch.GetTimestamp() + Stopwatch.Frequency;
                }
                else if (count % WindowCheckInterval == 0 && !window.IsOpen && Stopwatch.GetTimestamp() >= windowOpensAt)
                {
                    window.Open(count);
                }
            }
        }
        catch (Exception e) when (e is ObjectDisposedException or SocketException or OperationCanceledException && Volatile.Read(ref stopped) == 1)
        {
            // Stopped by the signal.
        }

        if (stats)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"datagrams={window.Datagrams} allocated_bytes={window.AllocatedBytes}"));
        }

        return 0;
    }

    /// <summary>The steady-state window: datagrams and process-wide allocated bytes between Open and Close.</summary>
    private sealed class StatsWindow
    {
        private long _startDatagrams = -1;
        private long _startBytes;

        public bool IsOpen => Volatile.Read(ref _startDatagrams) >= 0;

        public long Datagrams { get; private set; }

        public long AllocatedBytes { get; private set; }

        public void Open(long datagrams)
        {
            _startBytes = GC.GetTotalAllocatedBytes(precise: true);
            Volatile.Write(ref _startDatagrams, datagrams);
        }

        public void Close(long datagrams)
        {
            if (IsOpen)
            {
                AllocatedBytes = GC.GetTotalAllocatedBytes(precise: true) - _startBytes;
                Datagrams = datagrams - _startDatagrams;
            }
        }
    }
}
