using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using Reactor.Tests.Support;

namespace Reactor.Tests.Samples;

/// <summary>
/// The Chat and KeyValue samples as programs, fed malformed input — over-long lines, bad RESP, binary garbage — by
/// hostile clients while well-behaved clients stay connected: each hostile client gets the documented error (or is
/// closed), the server does not crash, and the other clients are served throughout (issue 17).
/// </summary>
[Collection(SampleCollection.Name)]
[Trait("kind", "hostile")]
public partial class MalformedInputSampleTests
{
    [Fact]
    public void Chat_closes_clients_sending_over_long_lines_or_binary_garbage_and_the_others_keep_chatting()
    {
        using var server = SampleProcess.StartSample("Chat", "--port", "0", "--interface", "127.0.0.1");
        var endpoint = new IPEndPoint(IPAddress.Loopback, StartedPort(server));
        using var alice = Named(endpoint, "alice");
        using var bob = Named(endpoint, "bob");

        var random = new Random(17);
        var garbage = new byte[30_000];
        random.NextBytes(garbage);
        garbage = [.. garbage.Where(b => b is not (byte)'\r' and not (byte)'\n')];
        foreach (var hostile in new[]
        {
            Encoding.ASCII.GetBytes(new string('A', 20_000)), // an over-long name line, no delimiter
            garbage, // binary garbage with no line end: over-long as well
            [.. "mallory\r\n"u8, .. Encoding.ASCII.GetBytes(new string('B', 40_000)), .. "\r\n"u8], // named, then a 40 KB line
        })
        {
            using var client = TcpClients.Connect(endpoint);
            client.Send(hostile);
            var (received, closed) = ReadUntilClosed(client);
            closed.Should().BeTrue("LineReceiver's LineLengthExceeded closes the connection (MaxLength 16,384)");
            var before = hostile[0] == (byte)'m' ? "What's your name?\r\nWelcome, mallory!\r\n" : "What's your name?\r\n";
            before.Should().StartWith(received, "nothing but the greeting came back (all of it, unless the close was a reset)");

            // The others are unaffected: a line from alice reaches bob (and no part of the over-long lines did).
            alice.Send("still here\r\n"u8);
            ReadLine(bob).Should().Be("<alice> still here");
        }

        server.Terminate();
        server.WaitForExit(TimeSpan.FromSeconds(30)).Should().Be(0, "the server did not crash");
    }

    [Fact]
    public void KeyValue_answers_bad_RESP_and_garbage_with_protocol_errors_and_other_clients_are_served_throughout()
    {
        using var server = SampleProcess.StartSample("KeyValue", "--port", "0");
        var endpoint = new IPEndPoint(IPAddress.Loopback, StartedPort(server));
        using var good = TcpClients.Connect(endpoint);
        Request(good, "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\nvalue\r\n").Should().Be("+OK\r\n");

        var random = new Random(17);
        var binary = new byte[64 * 1024];
        random.NextBytes(binary);
        var noLineEnd = binary.Where(b => b is not (byte)'\r' and not (byte)'\n').ToArray();
        foreach (var (hostile, expected) in new (byte[], string)[]
        {
            ("*2\r\n$3\r\nGET\r\n@3\r\n"u8.ToArray(), "-ERR Protocol error: expected '$', got '@'\r\n"),
            ("*1\r\n$999999999\r\n"u8.ToArray(), "-ERR Protocol error: invalid bulk length\r\n"),
            ("*99999999999\r\n"u8.ToArray(), "-ERR Protocol error: invalid multibulk length\r\n"),
            ([.. "*"u8, .. Encoding.ASCII.GetBytes(new string('9', 70_000))], "-ERR Protocol error: too big mbulk count string\r\n"),
            ([.. "x"u8, .. noLineEnd, .. noLineEnd], "-ERR Protocol error: too big inline request\r\n"),
        })
        {
            using var client = TcpClients.Connect(endpoint);
            client.Send(hostile);
            var (reply, closed) = ReadUntilClosed(client);
            closed.Should().BeTrue("a protocol error closes the connection");
            if (hostile.Length < 1000)
            {
                reply.Should().Be(expected, "the reply is Redis's error, then the close");
            }
            else
            {
                // Past 64 KiB the server closes with the rest of the request unread, so the kernel may reset and the
                // reply be lost on the way; what arrives is the error.
                expected.Should().StartWith(reply);
            }

            Request(good, "*2\r\n$3\r\nGET\r\n$1\r\nk\r\n").Should().Be("$5\r\nvalue\r\n", "the other client is served");
        }

        // Random bytes, line ends included: every reply is an error (unknown commands, bad lengths), then the close.
        using (var client = TcpClients.Connect(endpoint))
        {
            client.Send(binary);
            client.Shutdown(SocketShutdown.Send);
            var (replies, closed) = ReadUntilClosed(client);
            closed.Should().BeTrue();
            var lines = replies.Split("\r\n")[..^1]; // the last is empty, or cut short by a reset
            lines.Should().NotBeEmpty().And.OnlyContain(l => l.StartsWith("-ERR ", StringComparison.Ordinal));
        }

        Request(good, "*2\r\n$3\r\nGET\r\n$1\r\nk\r\n").Should().Be("$5\r\nvalue\r\n");
        server.Terminate();
        server.WaitForExit(TimeSpan.FromSeconds(30)).Should().Be(0, "the server did not crash");
    }

    private static Socket Named(IPEndPoint endpoint, string name)
    {
        var client = TcpClients.Connect(endpoint);
        ReadLine(client).Should().Be("What's your name?");
        client.Send(Encoding.ASCII.GetBytes(name + "\r\n"));
        ReadLine(client).Should().Be($"Welcome, {name}!");
        return client;
    }

    /// <summary>Reads until the server closes (end of stream or a reset), with a timeout: what arrived, and whether it closed.</summary>
    private static (string Received, bool Closed) ReadUntilClosed(Socket socket)
    {
        socket.ReceiveTimeout = 10_000;
        var received = new MemoryStream();
        var buffer = new byte[64 * 1024];
        for (var i = 0; i < 10_000; i++)
        {
            try
            {
                var n = socket.Receive(buffer);
                if (n == 0)
                {
                    return (Encoding.Latin1.GetString(received.ToArray()), true);
                }

                received.Write(buffer, 0, n);
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset)
            {
                return (Encoding.Latin1.GetString(received.ToArray()), true);
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.TimedOut)
            {
                break;
            }
        }

        return (Encoding.Latin1.GetString(received.ToArray()), false);
    }

    private static string ReadLine(Socket socket)
    {
        socket.ReceiveTimeout = 10_000;
        var line = new List<byte>();
        var one = new byte[1];
        while (line.Count < 1 << 20 && socket.Receive(one) == 1)
        {
            line.Add(one[0]);
            if (line.Count >= 2 && line[^2] == '\r' && line[^1] == '\n')
            {
                return Encoding.Latin1.GetString([.. line[..^2]]);
            }
        }

        return Encoding.Latin1.GetString([.. line]);
    }

    private static string Request(Socket socket, string request)
    {
        socket.Send(Encoding.ASCII.GetBytes(request));
        socket.ReceiveTimeout = 10_000;
        var buffer = new byte[4096];
        var n = socket.Receive(buffer);
        return Encoding.ASCII.GetString(buffer, 0, n);
    }

    private static int StartedPort(SampleProcess server)
    {
        var line = server.WaitForLine(l => l.Contains("starting on ", StringComparison.Ordinal));
        return int.Parse(StartedPattern().Match(line).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
    }

    [GeneratedRegex(@"starting on (\d+)$")]
    private static partial Regex StartedPattern();
}
