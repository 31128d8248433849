using System.Net;
using System.Net.Sockets;
using Reactor.Tests.Support;
using Reactor.Tests.Unix;

namespace Reactor.Tests.Samples;

/// <summary>
/// The samples' <c>--endpoint</c> option (docs/endpoints.md): TcpEcho and TcpEchoClient over a UNIX socket, a TCP
/// description, happy eyeballs to localhost, and the errors (a bad description, --endpoint with --port) — the printed
/// lines stay the contract they are with --port.
/// </summary>
[Collection(SampleCollection.Name)]
public class EndpointSampleTests
{
    private static readonly TimeSpan ExitTimeout = TimeSpan.FromSeconds(15);

    [LinuxFact]
    public void TcpEcho_on_a_UNIX_socket_prints_its_path_echoes_and_names_its_clients_by_process()
    {
        using var directory = new SocketDirectory();
        var path = directory.Socket("echo.sock");
        using var echo = SampleProcess.StartSample("TcpEcho", "--endpoint", $"unix:{path}:lockfile=0");
        echo.WaitForLine(l => l.StartsWith("Echo starting on ", StringComparison.Ordinal)).Should().Be($"Echo starting on {path}");

        using (var client = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified) { ReceiveTimeout = 30_000 })
        {
            client.Connect(new UnixDomainSocketEndPoint(path));
            client.Send("over a path"u8);
            TcpClients.ReceiveExactly(client, 11).Should().Equal("over a path"u8.ToArray());
            echo.WaitForLine(l => l.StartsWith("connection from", StringComparison.Ordinal)).Should().Be($"connection from pid {Environment.ProcessId}");
        }

        echo.WaitForLine(l => l.StartsWith("connection from", StringComparison.Ordinal))
            .Should().Be($"connection from pid {Environment.ProcessId} closed: Connection was closed cleanly.");
        echo.Terminate();
        echo.WaitForExit(ExitTimeout).Should().Be(0);
        echo.Stderr.Should().BeEmpty();
        File.Exists(path).Should().BeFalse("the port removed its socket file as it stopped");
    }

    [LinuxFact]
    public void TcpEchoClient_talks_to_TcpEcho_over_a_UNIX_socket()
    {
        using var directory = new SocketDirectory();
        var path = directory.Socket("echo.sock");
        using var echo = SampleProcess.StartSample("TcpEcho", "--endpoint", $"unix:{path}", "--quiet");
        echo.WaitForLine(l => l.StartsWith("Echo starting on ", StringComparison.Ordinal));

        using var client = SampleProcess.StartSample("TcpEchoClient", "--endpoint", $"unix:{path}", "--message", "through the file system");

        client.WaitForExit(ExitTimeout).Should().Be(0, string.Join('\n', client.Stderr));
        client.Stdout.Should().Equal("Server said: through the file system", "Connection lost - goodbye!");
        File.Exists(path + ".lock").Should().BeTrue("a unix: description takes the lock file by default, as Twisted's does");
    }

    [Fact]
    public void TcpEcho_with_a_tcp_description_prints_its_port_and_TcpEchoClient_reaches_it_by_name_with_happy_eyeballs()
    {
        using var echo = SampleProcess.StartSample("TcpEcho", "--endpoint", "tcp:0:interface=127.0.0.1", "--quiet");
        var port = EchoSampleTests.StartedPort(echo);

        using var client = SampleProcess.StartSample("TcpEchoClient", "--endpoint", $"hostname:localhost:{port}:timeout=10");

        client.WaitForExit(ExitTimeout).Should().Be(0, string.Join('\n', client.Stderr));
        client.Stdout.Should().Equal("Server said: hello, world", "Connection lost - goodbye!");
    }

    [Fact]
    public void TcpEchoClient_with_an_endpoint_nobody_listens_on_says_goodbye_and_why()
    {
        using var client = SampleProcess.StartSample("TcpEchoClient", "--endpoint", $"tcp:127.0.0.1:{Tcp.TcpConnectingTests.ClosedPort("127.0.0.1")}");

        client.WaitForExit(ExitTimeout).Should().Be(1);
        client.Stdout.Should().Equal("Connection failed - goodbye!");
        client.Stderr.Should().ContainSingle().Which.Should().StartWith("Connection was refused by other side");
    }

    [Theory]
    [InlineData("TcpEcho", new[] { "--endpoint", "tcp:http" }, "argument 'port' of kind 'tcp' must be a whole number from 0 to 65535, not 'http'")]
    [InlineData("TcpEcho", new[] { "--endpoint", "tcp:0", "--port", "0" }, "--endpoint replaces --port and --interface")]
    [InlineData("TcpEchoClient", new[] { "--endpoint", "ftl:andromeda" }, "Unknown endpoint kind 'ftl'")]
    [InlineData("Echo", new[] { "--endpoint", "udp:9999:colour=blue" }, "kind 'udp' has no argument 'colour'")]
    public void A_bad_endpoint_prints_what_is_wrong_and_the_usage_and_exits_with_2(string sample, string[] arguments, string message)
    {
        using var process = SampleProcess.StartSample(sample, arguments);
        process.WaitForExit(ExitTimeout).Should().Be(2);
        process.Stderr[0].Should().StartWith("error: ").And.Contain(message);
        process.Stderr[1].Should().StartWith("usage: ");
    }

    [Fact]
    public void Echo_with_a_udp_description_listens_where_it_says()
    {
        using var echo = SampleProcess.StartSample("Echo", "--endpoint", "udp:0:interface=127.0.0.1:maxPacketSize=2000", "--quiet");
        var port = EchoSampleTests.StartedPort(echo);
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp) { ReceiveTimeout = 10_000 };
        client.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        client.SendTo("udp endpoint"u8.ToArray(), new IPEndPoint(IPAddress.Loopback, port));
        var buffer = new byte[64];
        client.Receive(buffer).Should().Be(12);
        echo.Terminate();
        echo.WaitForExit(ExitTimeout).Should().Be(0);
    }
}
