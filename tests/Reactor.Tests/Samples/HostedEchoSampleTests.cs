using System.Net;
using System.Net.Sockets;
using Reactor.Tests.Support;

namespace Reactor.Tests.Samples;

/// <summary>samples/HostedEcho as a program: a Generic Host running the reactor, stopped by SIGTERM like a service.</summary>
[Collection(SampleCollection.Name)]
public class HostedEchoSampleTests
{
    [Fact]
    public void HostedEcho_echoes_and_on_SIGTERM_stops_the_protocol_and_exits_cleanly()
    {
        using var echo = SampleProcess.StartSample("HostedEcho", "--port", "0", "--interface", "127.0.0.1");
        var line = echo.WaitForLine(l => l.StartsWith("Echo starting on ", StringComparison.Ordinal));
        var port = int.Parse(line["Echo starting on ".Length..], System.Globalization.CultureInfo.InvariantCulture);

        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        client.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        client.ReceiveTimeout = 10_000;
        client.SendTo("hello hosted\n"u8, new IPEndPoint(IPAddress.Loopback, port));
        var reply = new byte[100];
        var length = client.Receive(reply);
        reply.AsSpan(0, length).ToArray().Should().Equal("hello hosted\n"u8.ToArray());

        echo.Terminate();
        echo.WaitForExit(TimeSpan.FromSeconds(20)).Should().Be(0);
        echo.Stdout.Should().Contain("Echo stopped", "StopProtocol runs when the host stops the reactor");
        echo.Stdout.Should().Contain(l => l.Contains($"(UDP Port {port} Closed)", StringComparison.Ordinal), "the host's console logger shows the reactor's logs");
    }

    [Fact]
    public void HostedEcho_on_a_port_in_use_prints_the_error_and_exits_with_1()
    {
        using var taken = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        taken.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var port = ((IPEndPoint)taken.LocalEndPoint!).Port;
        using var echo = SampleProcess.StartSample("HostedEcho", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--interface", "127.0.0.1");
        echo.WaitForExit(TimeSpan.FromSeconds(20)).Should().Be(1);
        echo.Stderr.Should().Contain(l => l.Contains("Couldn't listen on 127.0.0.1:" + port, StringComparison.Ordinal));
    }
}
