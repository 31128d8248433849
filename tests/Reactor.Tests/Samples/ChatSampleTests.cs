using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using Reactor.Tests.Support;

namespace Reactor.Tests.Samples;

/// <summary>samples/Chat as a program, driven by real terminal clients (socat, converting "\n" to "\r\n" on the wire).</summary>
[Collection(SampleCollection.Name)]
public partial class ChatSampleTests
{
    [RequiresProgramFact("socat", "socat")]
    public void Three_socat_clients_choose_names_one_is_taken_lines_are_broadcast_and_a_departure_frees_the_name()
    {
        using var chat = SampleProcess.StartSample("Chat", "--port", "0", "--interface", "127.0.0.1");
        var port = StartedPort(chat);

        using var alice = Client(port);
        alice.WaitForLine(l => l == "What's your name?");
        alice.WriteInput("alice\n");
        alice.WaitForLine(l => l == "Welcome, alice!");

        using var bob = Client(port);
        bob.WaitForLine(l => l == "What's your name?");
        bob.WriteInput("bob\n");
        bob.WaitForLine(l => l == "Welcome, bob!");

        using var carol = Client(port);
        carol.WaitForLine(l => l == "What's your name?");
        carol.WriteInput("alice\n");
        carol.WaitForLine(l => l == "Name taken, please choose another.");
        carol.WriteInput("carol\n");
        carol.WaitForLine(l => l == "Welcome, carol!");

        alice.WriteInput("hello, everyone\n");
        bob.WaitForLine(l => l.StartsWith('<')).Should().Be("<alice> hello, everyone");
        carol.WaitForLine(l => l.StartsWith('<')).Should().Be("<alice> hello, everyone");

        carol.WriteInput("hi alice\n");
        alice.WaitForLine(l => l.StartsWith('<')).Should().Be("<carol> hi alice", "alice never sees her own line");
        bob.WaitForLine(l => l.StartsWith('<')).Should().Be("<carol> hi alice");

        // bob leaves: end of input makes socat close the connection, and the server frees the name.
        bob.CloseInput();
        bob.WaitForExit(TimeSpan.FromSeconds(15)).Should().Be(0);
        using var newBob = Client(port);
        newBob.WaitForLine(l => l == "What's your name?");
        newBob.WriteInput("bob\n");
        newBob.WaitForLine(l => l == "Welcome, bob!");

        newBob.WriteInput("I'm back\n");
        alice.WaitForLine(l => l.StartsWith('<')).Should().Be("<bob> I'm back");
        carol.WaitForLine(l => l.StartsWith('<')).Should().Be("<bob> I'm back");

        chat.Terminate();
        chat.WaitForExit(TimeSpan.FromSeconds(15)).Should().Be(0);
        chat.Stdout.Should().Equal($"Chat starting on {port}");
    }

    [Fact]
    public void A_bare_newline_does_not_end_a_line_it_stays_part_of_it()
    {
        using var chat = SampleProcess.StartSample("Chat", "--port", "0", "--interface", "127.0.0.1");
        var port = StartedPort(chat);
        using var sender = Connect(port, "dave");
        using var listener = Connect(port, "erin");

        sender.Send("one\ntwo\r\n"u8);
        ReadLine(listener).Should().Be("<dave> one\ntwo");
    }

    [Fact]
    public void A_bad_option_prints_the_usage_and_exits_with_2()
    {
        using var chat = SampleProcess.StartSample("Chat", "--bogus");
        chat.WaitForExit(TimeSpan.FromSeconds(30)).Should().Be(2);
        chat.Stderr.Should().Contain(l => l.Contains("usage: Chat", StringComparison.Ordinal));
    }

    private static SampleProcess Client(int port) =>
        SampleProcess.Start("socat", ["-", $"TCP:127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)},crlf"], keepInputOpen: true);

    private static Socket Connect(int port, string name)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveTimeout = 10_000 };
        socket.Connect(new IPEndPoint(IPAddress.Loopback, port));
        ReadLine(socket).Should().Be("What's your name?");
        socket.Send(Encoding.ASCII.GetBytes(name + "\r\n"));
        ReadLine(socket).Should().Be($"Welcome, {name}!");
        return socket;
    }

    /// <summary>Reads one "\r\n"-terminated line, byte by byte (a bare "\n" inside it is kept).</summary>
    private static string ReadLine(Socket socket)
    {
        var line = new List<byte>();
        var one = new byte[1];
        while (socket.Receive(one) == 1)
        {
            line.Add(one[0]);
            if (line.Count >= 2 && line[^2] == '\r' && line[^1] == '\n')
            {
                return Encoding.ASCII.GetString([.. line[..^2]]);
            }
        }

        throw new Xunit.Sdk.XunitException($"the connection closed after '{Encoding.ASCII.GetString([.. line])}'");
    }

    private static int StartedPort(SampleProcess chat)
    {
        var line = chat.WaitForLine(l => l.Contains("starting on ", StringComparison.Ordinal));
        return int.Parse(StartedPattern().Match(line).Groups[1].Value, CultureInfo.InvariantCulture);
    }

    [GeneratedRegex(@"starting on (\d+)$")]
    private static partial Regex StartedPattern();
}
