using System.Buffers;
using System.Net;
using System.Net.Sockets;

namespace Reactor.Benchmarks.Servers;

/// <summary>
/// The raw .NET TCP baseline: what plain .NET 10 gives without a framework — an accept loop and one <c>async</c> loop per
/// connection (<c>ReceiveAsync</c> into a 16 KiB buffer rented from <see cref="ArrayPool{T}.Shared"/>, <c>SendAsync</c>
/// of what came), TCP_NODELAY on. Prints "Echo starting on &lt;port&gt;"; with <c>--stats</c>, the TcpEcho sample's
/// statistics line at SIGTERM.
/// </summary>
internal static class SocketStreamEchoServer
{
    private const int BufferSize = 16 * 1024;

    public static async Task<int> RunAsync(string[] args)
    {
        var arguments = ServerArguments.Parse(args, "usage: socket-tcp-echo [--port 0] [--interface 127.0.0.1] [--stats]");
        if (arguments is null)
        {
            return 2;
        }

        var stats = arguments.Stats ? new StreamStats() : null;
        using var listener = new Socket(arguments.Address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(arguments.Address, arguments.Port));
        listener.Listen(4096);
        Console.WriteLine($"Echo starting on {((IPEndPoint)listener.LocalEndPoint!).Port}");

        var stopped = new TaskCompletionSource();
        void Stop(System.Runtime.InteropServices.PosixSignalContext context)
        {
            context.Cancel = true;
            stopped.TrySetResult();
        }

        using var term = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, Stop);
        using var interrupt = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGINT, Stop);
        _ = AcceptAsync(listener, stats);
        await stopped.Task.ConfigureAwait(false);
        if (stats is not null)
        {
            Console.WriteLine(stats.Close());
        }

        return 0;
    }

    private static async Task AcceptAsync(Socket listener, StreamStats? stats)
    {
        while (true)
        {
            Socket client;
            try
            {
                client = await listener.AcceptAsync().ConfigureAwait(false);
            }
            catch (SocketException)
            {
                await Task.Delay(10).ConfigureAwait(false);
                continue;
            }
            catch (ObjectDisposedException)
            {
                return;
            }

            client.NoDelay = true;
            _ = EchoAsync(client, stats);
        }
    }

    private static async Task EchoAsync(Socket client, StreamStats? stats)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            while (true)
            {
                var received = await client.ReceiveAsync(buffer.AsMemory(0, BufferSize), SocketFlags.None).ConfigureAwait(false);
                if (received == 0)
                {
                    break;
                }

                stats?.Count(received);
                await client.SendAsync(buffer.AsMemory(0, received), SocketFlags.None).ConfigureAwait(false);
            }
        }
        catch (SocketException)
        {
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            client.Dispose();
        }
    }
}
