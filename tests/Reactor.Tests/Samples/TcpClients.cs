using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;

namespace Reactor.Tests.Samples;

/// <summary>
/// The blocking TCP clients the TCP sample tests drive the samples with: every socket has send and receive timeouts, so
/// no wait is unbounded.
/// </summary>
internal static class TcpClients
{
    private static readonly TimeSpan IoTimeout = TimeSpan.FromSeconds(30);

    /// <summary>A connected client socket with TCP_NODELAY and bounded sends and receives.</summary>
    public static Socket Connect(IPEndPoint server)
    {
        var socket = new Socket(server.AddressFamily, SocketType.Stream, ProtocolType.Tcp)
        {
            NoDelay = true,
            ReceiveTimeout = (int)IoTimeout.TotalMilliseconds,
            SendTimeout = (int)IoTimeout.TotalMilliseconds,
        };
        socket.Connect(server);
        return socket;
    }

    /// <summary>Receives exactly <paramref name="count"/> bytes; fails if the stream ends first.</summary>
    public static byte[] ReceiveExactly(Socket socket, int count)
    {
        var buffer = new byte[count];
        for (var received = 0; received < count;)
        {
            var n = socket.Receive(buffer, received, count - received, SocketFlags.None);
            n.Should().BePositive($"the stream ended after {received} of {count} bytes");
            received += n;
        }

        return buffer;
    }

    /// <summary>Receives everything until the peer's end of stream.</summary>
    public static byte[] ReceiveToEnd(Socket socket)
    {
        using var all = new MemoryStream();
        var buffer = new byte[64 * 1024];
        int n;
        while ((n = socket.Receive(buffer)) > 0)
        {
            all.Write(buffer, 0, n);
        }

        return all.ToArray();
    }

    /// <summary>
    /// Sends <paramref name="size"/> pseudo-random bytes on one connection while reading the echo on another thread,
    /// then half-closes (shuts down its write side) and reads until end of stream: what came back is compared with what
    /// was sent by length and SHA-256, without holding either in memory.
    /// </summary>
    public static TransferResult Transfer(IPEndPoint server, long size)
    {
        using var socket = Connect(server);
        socket.SendBufferSize = 1 << 20;
        socket.ReceiveBufferSize = 1 << 20;
        var clock = Stopwatch.StartNew();
        byte[]? sentHash = null;
        Exception? sendFailure = null;
        var sender = new Thread(() =>
        {
            try
            {
                using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
                var random = new Random(unchecked((int)size));
                var chunk = new byte[256 * 1024];
                for (var left = size; left > 0;)
                {
                    var length = (int)Math.Min(chunk.Length, left);
                    random.NextBytes(chunk.AsSpan(0, length));
                    hash.AppendData(chunk, 0, length);
                    for (var offset = 0; offset < length;)
                    {
                        offset += socket.Send(chunk, offset, length - offset, SocketFlags.None);
                    }

                    left -= length;
                }

                socket.Shutdown(SocketShutdown.Send);
                sentHash = hash.GetHashAndReset();
            }
            catch (Exception e)
            {
                sendFailure = e;
            }
        })
        {
            IsBackground = true,
            Name = $"send {size} bytes",
        };
        sender.Start();

        using var receivedHash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[256 * 1024];
        long received = 0;
        int n;
        while ((n = socket.Receive(buffer)) > 0)
        {
            receivedHash.AppendData(buffer, 0, n);
            received += n;
        }

        var elapsed = clock.Elapsed;
        sender.Join(IoTimeout).Should().BeTrue("the sender must finish");
        sendFailure.Should().BeNull();
        return new TransferResult(received, receivedHash.GetHashAndReset(), sentHash!, elapsed);
    }
}

/// <summary>What <see cref="TcpClients.Transfer"/> measured: the bytes that came back, both hashes and the time taken.</summary>
internal sealed record TransferResult(long Received, byte[] ReceivedHash, byte[] SentHash, TimeSpan Elapsed);
