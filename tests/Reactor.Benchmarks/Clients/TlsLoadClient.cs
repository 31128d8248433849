using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;

namespace Reactor.Benchmarks.Clients;

/// <summary>
/// The TLS load generator (<c>tls-load</c>): one .NET client, the same for every TLS server, pinned to the load
/// generator's CPU. <c>pingpong</c>: one connection, S-byte messages, one in flight, a round-trip time per message.
/// <c>bulk</c>: one connection, S-byte writes with W in flight (a writer and a reader). <c>handshake</c>: C workers, each
/// connect → full TLS 1.3 handshake (no resumption) → one 64-byte echo → close, again. Prints a RESULT line in
/// c/tcpload.c's format.
/// </summary>
/// <remarks>
/// .NET's <see cref="SslStream"/> client costs about what the server's TLS does, so on two cores the client's CPU can
/// limit the echo rows as much as the server's; the runner reports the server's CPU time per message beside the rate.
/// It is the same client for every server, so the ratios compare the servers; the absolute figures include its cost.
/// </remarks>
internal static class TlsLoadClient
{
    public static async Task<int> RunAsync(string[] args)
    {
        var mode = "pingpong";
        var port = 0;
        var size = 64;
        var window = 1;
        var connections = 1;
        var warmup = 1.0;
        var seconds = 3.0;
        for (var i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new FormatException($"{args[i]} needs a value");
            switch (args[i])
            {
                case "--mode": mode = Value(); break;
                case "--port": port = int.Parse(Value(), CultureInfo.InvariantCulture); break;
                case "--size": size = int.Parse(Value(), CultureInfo.InvariantCulture); break;
                case "--window": window = int.Parse(Value(), CultureInfo.InvariantCulture); break;
                case "--connections": connections = int.Parse(Value(), CultureInfo.InvariantCulture); break;
                case "--warmup": warmup = double.Parse(Value(), CultureInfo.InvariantCulture); break;
                case "--seconds": seconds = double.Parse(Value(), CultureInfo.InvariantCulture); break;
                default:
                    Console.Error.WriteLine("usage: tls-load --port P [--mode pingpong|bulk|handshake] [--size 64] [--window 1] [--connections 1] [--warmup 1] [--seconds 3]");
                    return 2;
            }
        }

        var endpoint = new IPEndPoint(IPAddress.Loopback, port);
        var clock = new RunClock(warmup, seconds);
        var samples = new List<long>();
        long completed;
        long bytes;
        switch (mode)
        {
            case "pingpong":
                (completed, bytes) = await PingPongAsync(endpoint, size, clock, samples).ConfigureAwait(false);
                break;
            case "bulk":
                (completed, bytes) = await BulkAsync(endpoint, size, window, clock).ConfigureAwait(false);
                break;
            case "handshake":
                var workers = Enumerable.Range(0, connections).Select(_ => Task.Run(() => HandshakesAsync(endpoint, clock))).ToArray();
                var results = await Task.WhenAll(workers).ConfigureAwait(false);
                completed = results.Sum(r => r.Completed);
                bytes = completed * 64;
                foreach (var r in results)
                {
                    samples.AddRange(r.Samples);
                }

                break;
            default:
                Console.Error.WriteLine($"unknown mode {mode}");
                return 2;
        }

        samples.Sort();
        double Percentile(double p) => samples.Count == 0 ? 0 : samples[(int)((samples.Count - 1) * p)] * 1e6 / Stopwatch.Frequency;
        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"RESULT mode={mode} connections={connections} window={window} size={size} seconds={seconds:F3} received={completed} rate={completed / seconds:F0} mbps={bytes / seconds / 1e6:F1} p50_us={Percentile(0.5):F1} p99_us={Percentile(0.99):F1} errors=0"));
        return 0;
    }

    private static async Task<SslStream> ConnectAsync(IPEndPoint endpoint)
    {
        var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(endpoint).ConfigureAwait(false);
        var stream = new SslStream(new NetworkStream(socket, ownsSocket: true), leaveInnerStreamOpen: false);
        await stream.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = "localhost",
            EnabledSslProtocols = SslProtocols.Tls13,
            AllowTlsResume = false,
            RemoteCertificateValidationCallback = static (_, _, _, _) => true, // the benchmark's own fresh certificate
        }).ConfigureAwait(false);
        return stream;
    }

    private static async Task ReadExactlyAsync(SslStream stream, Memory<byte> buffer)
    {
        while (!buffer.IsEmpty)
        {
            var n = await stream.ReadAsync(buffer).ConfigureAwait(false);
            if (n == 0)
            {
                throw new IOException("the server closed the connection");
            }

            buffer = buffer[n..];
        }
    }

    private static async Task<(long, long)> PingPongAsync(IPEndPoint endpoint, int size, RunClock clock, List<long> samples)
    {
        await using var stream = await ConnectAsync(endpoint).ConfigureAwait(false);
        var message = new byte[size];
        var reply = new byte[size];
        long completed = 0;
        while (!clock.Ended)
        {
            var start = Stopwatch.GetTimestamp();
            await stream.WriteAsync(message).ConfigureAwait(false);
            await ReadExactlyAsync(stream, reply).ConfigureAwait(false);
            if (clock.Measuring)
            {
                completed++;
                samples.Add(Stopwatch.GetTimestamp() - start);
            }
        }

        return (completed, completed * size);
    }

    private static async Task<(long, long)> BulkAsync(IPEndPoint endpoint, int size, int window, RunClock clock)
    {
        await using var stream = await ConnectAsync(endpoint).ConfigureAwait(false);
        using var credits = new SemaphoreSlim(window, window);
        var message = new byte[size];
        var stop = new CancellationTokenSource();
        var writer = Task.Run(async () =>
        {
            try
            {
                while (!clock.Ended)
                {
                    await credits.WaitAsync(stop.Token).ConfigureAwait(false);
                    await stream.WriteAsync(message, stop.Token).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException)
            {
            }
        });
        var buffer = new byte[256 * 1024];
        long received = 0;
        long measured = 0;
        while (!clock.Ended)
        {
            var n = await stream.ReadAsync(buffer).ConfigureAwait(false);
            if (n == 0)
            {
                throw new IOException("the server closed the connection");
            }

            var before = received / size;
            received += n;
            var whole = (int)((received / size) - before);
            if (clock.Measuring)
            {
                measured += n;
            }

            if (whole > 0)
            {
                credits.Release(whole);
            }
        }

        await stop.CancelAsync().ConfigureAwait(false);
        await writer.ConfigureAwait(false);
        return (measured / size, measured);
    }

    private static async Task<(long Completed, List<long> Samples)> HandshakesAsync(IPEndPoint endpoint, RunClock clock)
    {
        var samples = new List<long>();
        var message = new byte[64];
        long completed = 0;
        while (!clock.Ended)
        {
            var start = Stopwatch.GetTimestamp();
            await using (var stream = await ConnectAsync(endpoint).ConfigureAwait(false))
            {
                await stream.WriteAsync(message).ConfigureAwait(false);
                await ReadExactlyAsync(stream, message).ConfigureAwait(false);
            }

            if (clock.Measuring)
            {
                completed++;
                samples.Add(Stopwatch.GetTimestamp() - start);
            }
        }

        return (completed, samples);
    }

    /// <summary>Warm-up, then the measured window, then the end.</summary>
    private sealed class RunClock(double warmup, double seconds)
    {
        private readonly long _measureFrom = Stopwatch.GetTimestamp() + (long)(warmup * Stopwatch.Frequency);
        private readonly long _end = Stopwatch.GetTimestamp() + (long)((warmup + seconds) * Stopwatch.Frequency);

        public bool Measuring
        {
            get
            {
                var now = Stopwatch.GetTimestamp();
                return now >= _measureFrom && now < _end;
            }
        }

        public bool Ended => Stopwatch.GetTimestamp() >= _end;
    }
}
