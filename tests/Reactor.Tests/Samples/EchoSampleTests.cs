using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using Reactor.Tests.Support;

namespace Reactor.Tests.Samples;

/// <summary>samples/Echo as a program: its command line and printed lines are a contract, and it talks to peers nobody here wrote.</summary>
[Collection(SampleCollection.Name)]
public partial class EchoSampleTests
{
    /// <summary>Waits for "Echo starting on &lt;port&gt;" (samples/Echo and samples/TcpEcho both print it) and returns the port.</summary>
    internal static int StartedPort(SampleProcess echo)
    {
        var line = echo.WaitForLine(l => l.StartsWith("Echo starting on ", StringComparison.Ordinal));
        return int.Parse(StartedPattern().Match(line).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("::1")]
    public void Echo_prints_its_port_echoes_and_prints_each_datagram_then_stops_cleanly_on_SIGTERM(string loopback)
    {
        using var echo = SampleProcess.StartSample("Echo", "--port", "0", "--interface", loopback);
        var port = StartedPort(echo);
        port.Should().BeGreaterThan(0);

        using var client = new Socket(IPAddress.Parse(loopback).AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        client.Bind(new IPEndPoint(IPAddress.Parse(loopback), 0));
        client.ReceiveTimeout = 10_000;
        var server = new IPEndPoint(IPAddress.Parse(loopback), port);
        client.SendTo("hello\n"u8, server);
        var reply = new byte[100];
        var length = client.Receive(reply);
        reply.AsSpan(0, length).ToArray().Should().Equal("hello\n"u8.ToArray());

        var clientPort = ((IPEndPoint)client.LocalEndPoint!).Port;
        echo.WaitForLine(l => l.StartsWith("received", StringComparison.Ordinal))
            .Should().Be($"received 'hello\\n' from {loopback}:{clientPort}");

        echo.Terminate();
        echo.WaitForExit(TimeSpan.FromSeconds(15)).Should().Be(0);
    }

    [Fact]
    public void Echo_returns_datagrams_of_0_and_65507_bytes_unchanged_and_quiet_prints_nothing_per_datagram()
    {
        using var echo = SampleProcess.StartSample("Echo", "--port", "0", "--interface", "127.0.0.1", "--quiet");
        var port = StartedPort(echo);
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        client.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        client.ReceiveTimeout = 10_000;
        client.ReceiveBufferSize = 1 << 20;
        var buffer = new byte[70_000];
        foreach (var size in new[] { 0, 1, 65_507 })
        {
            var payload = new byte[size];
            new Random(size).NextBytes(payload);
            client.SendTo(payload, new IPEndPoint(IPAddress.Loopback, port));
            var length = client.Receive(buffer);
            buffer.AsSpan(0, length).ToArray().Should().Equal(payload);
        }

        echo.Terminate();
        echo.WaitForExit(TimeSpan.FromSeconds(15)).Should().Be(0);
        echo.Stdout.Should().Equal($"Echo starting on {port}");
    }

    [Fact]
    public void Echo_with_stats_prints_its_steady_state_counters_as_it_stops_and_nothing_else_changes()
    {
        using var echo = SampleProcess.StartSample("Echo", "--port", "0", "--interface", "127.0.0.1", "--quiet", "--stats");
        var port = StartedPort(echo);
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        client.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        client.ReceiveTimeout = 10_000;
        var reply = new byte[16];
        client.SendTo("stats"u8, new IPEndPoint(IPAddress.Loopback, port));
        client.Receive(reply).Should().Be(5);

        echo.Terminate();
        echo.WaitForExit(TimeSpan.FromSeconds(15)).Should().Be(0);
        echo.Stdout.Should().HaveCount(2);
        echo.Stdout[0].Should().Be($"Echo starting on {port}");
        echo.Stdout[1].Should().MatchRegex(@"^datagrams=\d+ allocated_bytes=\d+$");
    }

    [RequiresTwistedFact]
    [Trait("kind", "interop")]
    public void A_Twisted_client_gets_its_datagram_back_from_Echo()
    {
        using var echo = SampleProcess.StartSample("Echo", "--port", "0", "--interface", "127.0.0.1");
        var port = StartedPort(echo);
        using var twisted = SampleProcess.Start(ExternalProgram.TwistedPython!, [PeerScript("twisted_udp_client.py"), "127.0.0.1", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "hello from twisted"]);
        twisted.WaitForLine(l => l.StartsWith("received", StringComparison.Ordinal))
            .Should().Be($"received b'hello from twisted' from 127.0.0.1:{port}");
        twisted.WaitForExit(TimeSpan.FromSeconds(15)).Should().Be(0);
        echo.WaitForLine(l => l.StartsWith("received", StringComparison.Ordinal)).Should().StartWith("received 'hello from twisted' from 127.0.0.1:");
    }

    [RequiresProgramFact("socat", "socat")]
    public void Socat_exchanges_datagrams_with_Echo()
    {
        using var echo = SampleProcess.StartSample("Echo", "--port", "0", "--interface", "127.0.0.1");
        var port = StartedPort(echo);
        using var socat = SampleProcess.Start("socat", ["-t", "2", "-T", "5", "-", $"UDP:127.0.0.1:{port}"], standardInput: "ping from socat\n");
        socat.WaitForLine(l => l.Length > 0).Should().Be("ping from socat");
        echo.WaitForLine(l => l.StartsWith("received", StringComparison.Ordinal)).Should().StartWith("received 'ping from socat\\n' from 127.0.0.1:");
    }

    [Fact]
    public void A_bad_option_prints_the_usage_and_exits_with_2()
    {
        using var echo = SampleProcess.StartSample("Echo", "--bogus");
        echo.WaitForExit(TimeSpan.FromSeconds(30)).Should().Be(2);
        echo.Stderr.Should().Contain(l => l.Contains("usage: Echo", StringComparison.Ordinal));
    }

    internal static string PeerScript(string name) => Path.Combine(AppContext.BaseDirectory, "Peers", name);

    [GeneratedRegex(@"^Echo starting on (\d+)$")]
    private static partial Regex StartedPattern();
}

/// <summary>Sample processes are heavy on a 2-core machine: their tests run one at a time.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public class SampleCollection
{
    public const string Name = "sample processes";
}
