using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Reactor.Tests.Support;
using Xunit.Abstractions;

namespace Reactor.Tests.Samples;

/// <summary>
/// samples/TcpEcho (Twisted's simpleserv.py) as a program: its command line and printed lines are a contract, it echoes
/// every byte of transfers from 0 B to 64 MiB on both backends and both IP families, it talks to TCP peers nobody here
/// wrote, and it allocates nothing per message.
/// </summary>
[Collection(SampleCollection.Name)]
public partial class TcpEchoSampleTests(ITestOutputHelper output)
{
    private static readonly TimeSpan ExitTimeout = TimeSpan.FromSeconds(15);

    private static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static IPEndPoint Endpoint(string loopback, int port) => new(IPAddress.Parse(loopback), port);

    /// <summary>The line TcpEcho prints when a client connects: the peer as <see cref="IPEndPoint"/> writes it (<c>[::1]:port</c> for IPv6).</summary>
    private static string ConnectionLine(Socket client) => $"connection from {client.LocalEndPoint}";

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("::1")]
    public void TcpEcho_prints_its_port_echoes_a_client_prints_its_connection_and_stops_cleanly_on_SIGTERM(string loopback)
    {
        using var echo = SampleProcess.StartSample("TcpEcho", "--port", "0", "--interface", loopback);
        var port = EchoSampleTests.StartedPort(echo);
        port.Should().BePositive();

        string connection;
        using (var client = TcpClients.Connect(Endpoint(loopback, port)))
        {
            connection = ConnectionLine(client);
            client.Send("hello, world"u8);
            TcpClients.ReceiveExactly(client, 12).Should().Equal("hello, world"u8.ToArray());
            echo.WaitForLine(l => l.StartsWith("connection from", StringComparison.Ordinal)).Should().Be(connection);
        }

        echo.WaitForLine(l => l.StartsWith("connection from", StringComparison.Ordinal))
            .Should().Be($"{connection} closed: Connection was closed cleanly.");
        echo.Terminate();
        echo.WaitForExit(ExitTimeout).Should().Be(0);
        echo.Stderr.Should().BeEmpty();
    }

    [Fact]
    public void SIGTERM_stops_TcpEcho_with_exit_code_0_while_a_client_is_connected_and_the_client_reads_end_of_stream()
    {
        using var echo = SampleProcess.StartSample("TcpEcho", "--port", "0", "--interface", "127.0.0.1");
        var port = EchoSampleTests.StartedPort(echo);
        using var client = TcpClients.Connect(Endpoint("127.0.0.1", port));
        client.Send("still here"u8);
        TcpClients.ReceiveExactly(client, 10).Should().Equal("still here"u8.ToArray());

        echo.Terminate();
        echo.WaitForExit(ExitTimeout).Should().Be(0);
        TcpClients.ReceiveToEnd(client).Should().BeEmpty("the server closes its connections cleanly (a FIN, not a reset) as it stops");
        echo.Stdout.Should().Contain($"{ConnectionLine(client)} closed: The reactor shut down with the connection open.");
    }

    public static TheoryData<ReactorBackend, string> BackendsAndLoopbacks => Families.BackendsAndLoopbacks;

    [Theory]
    [MemberData(nameof(BackendsAndLoopbacks))]
    public void Transfers_of_0_B_to_64_MiB_come_back_byte_identical_on_both_backends_and_both_families(ReactorBackend backend, string loopback)
    {
        using var echo = SampleProcess.StartSample("TcpEcho", backend, "--port", "0", "--interface", loopback, "--quiet");
        var server = Endpoint(loopback, EchoSampleTests.StartedPort(echo));
        foreach (var size in new long[] { 0, 1, 64 << 10, 1 << 20, 16 << 20, 64 << 20 })
        {
            var result = TcpClients.Transfer(server, size);
            result.Received.Should().Be(size, $"every byte of the {size}-byte transfer must come back");
            result.ReceivedHash.Should().Equal(result.SentHash, $"the {size}-byte transfer must come back unchanged");
            output.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"{backend} {loopback}: {size,10} B echoed in {result.Elapsed.TotalMilliseconds,8:0.0} ms ({size / 1048576.0 / result.Elapsed.TotalSeconds,7:0.0} MiB/s each way)"));
        }

        echo.Terminate();
        echo.WaitForExit(ExitTimeout).Should().Be(0);
        echo.Stdout.Should().Equal($"Echo starting on {server.Port}");
    }

    [Fact]
    public void A_client_that_half_closes_after_sending_gets_the_echo_of_everything_then_end_of_stream()
    {
        using var echo = SampleProcess.StartSample("TcpEcho", "--port", "0", "--interface", "127.0.0.1");
        var port = EchoSampleTests.StartedPort(echo);
        using var client = TcpClients.Connect(Endpoint("127.0.0.1", port));

        // All of it is sent, and the write side shut, before anything is read: the FIN reaches the server while most of
        // the echo still waits in its write buffer, which must be sent before it closes.
        var payload = new byte[1 << 20];
        new Random(1).NextBytes(payload);
        client.Send(payload).Should().Be(payload.Length);
        client.Shutdown(SocketShutdown.Send);

        TcpClients.ReceiveToEnd(client).Should().Equal(payload);
        echo.WaitForLine(l => l.EndsWith("closed: Connection was closed cleanly.", StringComparison.Ordinal))
            .Should().StartWith(ConnectionLine(client));
        echo.Terminate();
        echo.WaitForExit(ExitTimeout).Should().Be(0);
    }

    [Fact]
    public void A_client_that_resets_its_connection_is_dropped_and_TcpEcho_goes_on_serving_others()
    {
        using var echo = SampleProcess.StartSample("TcpEcho", "--port", "0", "--interface", "127.0.0.1");
        var server = Endpoint("127.0.0.1", EchoSampleTests.StartedPort(echo));

        string doomed;
        using (var client = TcpClients.Connect(server))
        {
            doomed = ConnectionLine(client);
            echo.WaitForLine(l => l.StartsWith("connection from", StringComparison.Ordinal)).Should().Be(doomed);

            // Send, then close with a zero linger timeout: the kernel answers with a reset (RST), not a FIN.
            client.Send("sent, then reset"u8);
            client.LingerState = new LingerOption(true, 0);
        }

        echo.WaitForLine(l => l.StartsWith(doomed + " closed:", StringComparison.Ordinal))
            .Should().StartWith($"{doomed} closed: Connection to the other side was lost in a non-clean fashion:");

        using (var other = TcpClients.Connect(server))
        {
            other.Send("still serving"u8);
            TcpClients.ReceiveExactly(other, 13).Should().Equal("still serving"u8.ToArray());
        }

        echo.Terminate();
        echo.WaitForExit(ExitTimeout).Should().Be(0);
    }

    [Fact]
    public void TcpEcho_with_stats_prints_its_steady_state_counters_as_it_stops_and_nothing_else_with_quiet()
    {
        using var echo = SampleProcess.StartSample("TcpEcho", "--port", "0", "--interface", "127.0.0.1", "--quiet", "--stats");
        var port = EchoSampleTests.StartedPort(echo);
        using (var client = TcpClients.Connect(Endpoint("127.0.0.1", port)))
        {
            client.Send("stats"u8);
            TcpClients.ReceiveExactly(client, 5).Should().Equal("stats"u8.ToArray());
        }

        echo.Terminate();
        echo.WaitForExit(ExitTimeout).Should().Be(0);
        echo.Stdout.Should().HaveCount(2);
        echo.Stdout[0].Should().Be($"Echo starting on {port}");
        echo.Stdout[1].Should().MatchRegex(@"^messages=\d+ bytes=\d+ allocated_bytes=\d+$");
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    [Trait("measures", "allocations")]
    public void TcpEcho_allocates_nothing_per_message_in_steady_state(ReactorBackend backend)
    {
        // --stats measures the whole process from one second after the first message (the warm-up) until SIGTERM (the
        // measured phase). The client plays ping-pong with 64-byte messages for at least three seconds and 30,000
        // messages (at most 20 seconds) and keeps its connection open, so the window holds the echo path and nothing of
        // connecting or closing.
        using var echo = SampleProcess.StartSample("TcpEcho", backend, "--port", "0", "--interface", "127.0.0.1", "--quiet", "--stats");
        var port = EchoSampleTests.StartedPort(echo);
        using var client = TcpClients.Connect(Endpoint("127.0.0.1", port));
        var message = new byte[64];
        var buffer = new byte[64];
        var clock = System.Diagnostics.Stopwatch.StartNew();
        long sent = 0;
        while ((clock.Elapsed < TimeSpan.FromSeconds(3) || sent < 30_000) && clock.Elapsed < TimeSpan.FromSeconds(20))
        {
            client.Send(message);
            for (var received = 0; received < message.Length;)
            {
                var n = client.Receive(buffer, received, buffer.Length - received, SocketFlags.None);
                n.Should().BePositive();
                received += n;
            }

            sent++;
        }

        echo.Terminate();
        echo.WaitForExit(ExitTimeout).Should().Be(0);
        var stats = StatsPattern().Match(echo.Stdout[^1]);
        stats.Success.Should().BeTrue($"the last line must be the stats, not '{echo.Stdout[^1]}'");
        var messages = long.Parse(stats.Groups[1].Value, CultureInfo.InvariantCulture);
        var bytes = long.Parse(stats.Groups[2].Value, CultureInfo.InvariantCulture);
        var allocated = long.Parse(stats.Groups[3].Value, CultureInfo.InvariantCulture);
        output.WriteLine($"{backend}: {Text(sent)} messages sent, {Text(messages)} in the window, {Text(bytes)} bytes, {Text(allocated)} bytes allocated ({(double)allocated / messages:0.0000} per message)");

        messages.Should().BeGreaterThan(1_000, "the window must hold a steady state of messages");
        bytes.Should().Be(64 * messages, "one message in flight at a time: each read is one 64-byte message");

        // One object per message would be at least 24 bytes per message. The window also holds one-offs: the SIGTERM that
        // closes it (about 500-800 bytes on epoll) and, on the portable backend, the .NET thread pool that completes its
        // readiness probes (about 1 KiB a second, with or without traffic; none with inline socket completions). The
        // reactor thread itself allocates nothing (Tcp/TcpEchoPathAllocationTests).
        ((double)allocated / messages).Should().BeLessThan(1, $"{allocated} bytes over {messages} messages");
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("::1")]
    public void TcpEcho_with_pipe_serves_through_the_IDuplexPipe_edge_with_the_same_lines(string loopback)
    {
        using var echo = SampleProcess.StartSample("TcpEcho", "--port", "0", "--interface", loopback, "--pipe");
        var port = EchoSampleTests.StartedPort(echo);

        string connection;
        using (var client = TcpClients.Connect(Endpoint(loopback, port)))
        {
            connection = ConnectionLine(client);
            client.Send("hello, pipe"u8);
            TcpClients.ReceiveExactly(client, 11).Should().Equal("hello, pipe"u8.ToArray());
            echo.WaitForLine(l => l.StartsWith("connection from", StringComparison.Ordinal)).Should().Be(connection);
        }

        echo.WaitForLine(l => l.StartsWith("connection from", StringComparison.Ordinal))
            .Should().Be($"{connection} closed: Connection was closed cleanly.");

        string doomed;
        using (var client = TcpClients.Connect(Endpoint(loopback, port)))
        {
            doomed = ConnectionLine(client);
            echo.WaitForLine(l => l.StartsWith("connection from", StringComparison.Ordinal)).Should().Be(doomed);
            client.Send("sent, then reset"u8);
            TcpClients.ReceiveExactly(client, 16).Should().Equal("sent, then reset"u8.ToArray());
            client.LingerState = new LingerOption(true, 0);
        }

        echo.WaitForLine(l => l.StartsWith(doomed + " closed:", StringComparison.Ordinal))
            .Should().StartWith($"{doomed} closed: Connection to the other side was lost in a non-clean fashion:");
        echo.Terminate();
        echo.WaitForExit(ExitTimeout).Should().Be(0);
        echo.Stderr.Should().BeEmpty();
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void TcpEcho_with_pipe_echoes_transfers_of_0_B_to_16_MiB_and_prints_its_stats_line(ReactorBackend backend)
    {
        using var echo = SampleProcess.StartSample("TcpEcho", backend, "--port", "0", "--interface", "127.0.0.1", "--quiet", "--stats", "--pipe");
        var server = Endpoint("127.0.0.1", EchoSampleTests.StartedPort(echo));
        foreach (var size in new long[] { 0, 1, 64 << 10, 1 << 20, 16 << 20 })
        {
            var result = TcpClients.Transfer(server, size);
            result.Received.Should().Be(size, $"every byte of the {size}-byte transfer must come back");
            result.ReceivedHash.Should().Equal(result.SentHash, $"the {size}-byte transfer must come back unchanged");
        }

        echo.Terminate();
        echo.WaitForExit(ExitTimeout).Should().Be(0);
        echo.Stdout.Should().HaveCount(2);
        echo.Stdout[0].Should().Be($"Echo starting on {server.Port}");
        echo.Stdout[1].Should().MatchRegex(@"^messages=\d+ bytes=\d+ allocated_bytes=\d+$");
    }

    [RequiresTwistedFact]
    [Trait("kind", "interop")]
    public void A_Twisted_TCP_client_gets_its_message_back_from_TcpEcho()
    {
        using var echo = SampleProcess.StartSample("TcpEcho", "--port", "0", "--interface", "127.0.0.1");
        var port = EchoSampleTests.StartedPort(echo);
        using var twisted = SampleProcess.Start(ExternalProgram.TwistedPython!, [EchoSampleTests.PeerScript("twisted_tcp_client.py"), "127.0.0.1", Text(port), "hello from twisted"]);
        twisted.WaitForLine(l => l.StartsWith("received", StringComparison.Ordinal)).Should().Be("received b'hello from twisted'");
        twisted.WaitForLine(l => l.StartsWith("connection lost", StringComparison.Ordinal)).Should().Be("connection lost: Connection was closed cleanly.");
        twisted.WaitForExit(ExitTimeout).Should().Be(0);
        echo.WaitForLine(l => l.EndsWith("closed: Connection was closed cleanly.", StringComparison.Ordinal)).Should().StartWith("connection from 127.0.0.1:");
        echo.Terminate();
        echo.WaitForExit(ExitTimeout).Should().Be(0);
    }

    [RequiresProgramFact("socat", "socat")]
    [Trait("kind", "interop")]
    public void Socat_gets_its_line_back_from_TcpEcho_after_half_closing()
    {
        using var echo = SampleProcess.StartSample("TcpEcho", "--port", "0", "--interface", "::1");
        var port = EchoSampleTests.StartedPort(echo);

        // socat sends its stdin, shuts down its write side at end of input, and prints what comes back until TcpEcho closes.
        using var socat = SampleProcess.Start("socat", ["-t", "5", "-T", "10", "-", $"TCP6:[::1]:{port}"], standardInput: "ping from socat\n");
        socat.WaitForLine(l => l.Length > 0).Should().Be("ping from socat");
        socat.WaitForExit(ExitTimeout).Should().Be(0);
        echo.WaitForLine(l => l.EndsWith("closed: Connection was closed cleanly.", StringComparison.Ordinal)).Should().StartWith("connection from [::1]:");
        echo.Terminate();
        echo.WaitForExit(ExitTimeout).Should().Be(0);
    }

    [Fact]
    public void A_port_in_use_prints_the_reason_on_stderr_and_exits_with_1()
    {
        using var taken = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        taken.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        taken.Listen();
        var port = ((IPEndPoint)taken.LocalEndPoint!).Port;

        using var echo = SampleProcess.StartSample("TcpEcho", "--port", Text(port), "--interface", "127.0.0.1");
        echo.WaitForExit(TimeSpan.FromSeconds(30)).Should().Be(1);
        echo.Stdout.Should().BeEmpty();
        echo.Stderr.Should().ContainSingle().Which.Should().Contain(Text(port));
    }

    [Fact]
    public void A_bad_option_prints_the_usage_and_exits_with_2()
    {
        using var echo = SampleProcess.StartSample("TcpEcho", "--bogus");
        echo.WaitForExit(TimeSpan.FromSeconds(30)).Should().Be(2);
        echo.Stderr.Should().Contain("usage: TcpEcho [--port 8000] [--interface 0.0.0.0] [--quiet] [--stats] [--accounting] [--pipe]");
    }

    [GeneratedRegex(@"^messages=(\d+) bytes=(\d+) allocated_bytes=(\d+)$")]
    private static partial Regex StatsPattern();
}
