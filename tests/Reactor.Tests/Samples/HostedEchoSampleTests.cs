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

    [Fact]
    public void HostedEcho_serves_TCP_too_when_the_configuration_names_a_tcp_endpoint_and_UDP_where_it_says()
    {
        var environment = new Dictionary<string, string>
        {
            ["Reactor__Endpoints__tcp"] = "tcp:0:interface=127.0.0.1",
            ["Reactor__Endpoints__udp"] = "udp:0:interface=127.0.0.1",
        };
        using var echo = SampleProcess.Start("dotnet", [SampleProcess.SampleDll("HostedEcho")], environment: environment);
        // The endpoints listen in the order they were added: udp, then tcp.
        var udpLine = echo.WaitForLine(l => l.StartsWith("Echo starting on ", StringComparison.Ordinal));
        var udpPort = int.Parse(udpLine["Echo starting on ".Length..], System.Globalization.CultureInfo.InvariantCulture);
        var line = echo.WaitForLine(l => l.StartsWith("TCP echo starting on ", StringComparison.Ordinal));
        var tcp = IPEndPoint.Parse(line["TCP echo starting on ".Length..]);
        udpPort.Should().NotBe(9999, "the configuration's udp endpoint replaces the --port default");

        using (var client = TcpClients.Connect(tcp))
        {
            client.Send("tcp from config"u8);
            TcpClients.ReceiveExactly(client, 15).Should().Equal("tcp from config"u8.ToArray());
        }

        echo.Terminate();
        echo.WaitForExit(TimeSpan.FromSeconds(20)).Should().Be(0);
        echo.Stdout.Should().Contain(l => l.Contains("Endpoint 'tcp' (tcp:0:interface=127.0.0.1) listening on 127.0.0.1:", StringComparison.Ordinal), "the host logs each endpoint it listens on");
    }

    [Fact]
    public void HostedEcho_with_Reactor_Telemetry_Console_prints_the_Reactor_metrics_through_the_OpenTelemetry_console_exporter()
    {
        var environment = new Dictionary<string, string>
        {
            ["Reactor__Telemetry__Console"] = "true",
            ["Reactor__Telemetry__IntervalSeconds"] = "1",
            ["Reactor__Endpoints__udp"] = "udp:0:interface=127.0.0.1",
        };
        using var echo = SampleProcess.Start("dotnet", [SampleProcess.SampleDll("HostedEcho")], environment: environment);
        var line = echo.WaitForLine(l => l.StartsWith("Echo starting on ", StringComparison.Ordinal));
        var port = int.Parse(line["Echo starting on ".Length..], System.Globalization.CultureInfo.InvariantCulture);

        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        client.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        client.ReceiveTimeout = 10_000;
        client.SendTo("measured\n"u8, new IPEndPoint(IPAddress.Loopback, port));
        var reply = new byte[100];
        client.Receive(reply).Should().Be(9);

        // The console exporter prints each metric as "Metric Name: <name>, ..." and then its points with their attributes.
        echo.WaitForLine(l => l.Contains("Metric Name: reactor.udp.datagrams.received", StringComparison.Ordinal), TimeSpan.FromSeconds(30));
        echo.WaitForLine(l => l.Contains("network.transport: udp", StringComparison.Ordinal) && l.Contains("network.type: ipv4", StringComparison.Ordinal), TimeSpan.FromSeconds(30));
        echo.Terminate();
        echo.WaitForExit(TimeSpan.FromSeconds(20)).Should().Be(0);
        echo.Stdout.Should().Contain(l => l.Contains("Metric Name: reactor.udp.bytes.received", StringComparison.Ordinal) && l.Contains("Unit: By", StringComparison.Ordinal));
        echo.Stdout.Should().Contain("Echo stopped", "the sample's own lines are unchanged");
    }

    [Fact]
    public void HostedEcho_without_the_telemetry_option_prints_no_metrics()
    {
        using var echo = SampleProcess.StartSample("HostedEcho", "--port", "0", "--interface", "127.0.0.1");
        var line = echo.WaitForLine(l => l.StartsWith("Echo starting on ", StringComparison.Ordinal));
        var port = int.Parse(line["Echo starting on ".Length..], System.Globalization.CultureInfo.InvariantCulture);
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        client.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        client.ReceiveTimeout = 10_000;
        client.SendTo("unmeasured"u8, new IPEndPoint(IPAddress.Loopback, port));
        client.Receive(new byte[100]).Should().Be(10);

        echo.Terminate();
        echo.WaitForExit(TimeSpan.FromSeconds(20)).Should().Be(0);
        echo.Stdout.Should().NotContain(l => l.Contains("Metric Name:", StringComparison.Ordinal) || l.Contains("reactor.udp", StringComparison.Ordinal));
    }
}
