using System.Net;
using System.Net.Sockets;
using Reactor.Tests.Support;

namespace Reactor.Tests.Samples;

/// <summary>
/// systemd socket activation of real processes: <c>systemd-socket-activate</c> (systemd's own test launcher) binds the
/// socket, waits for the first client, then starts TcpEcho or Echo with <c>--endpoint systemd:…</c> and passes the socket
/// as descriptor 3 (<c>LISTEN_FDS</c>, <c>LISTEN_PID</c>, <c>LISTEN_FDNAMES</c>). The client that woke the service is
/// served, as are later ones.
/// </summary>
[Collection(SampleCollection.Name)]
[Trait("kind", "interop")]
public class SocketActivationTests
{
    private static readonly TimeSpan ExitTimeout = TimeSpan.FromSeconds(15);

    /// <summary>A port free on loopback just now (the launcher needs a fixed one).</summary>
    private static int FreePort(SocketType type)
    {
        using var probe = new Socket(AddressFamily.InterNetwork, type, type == SocketType.Stream ? ProtocolType.Tcp : ProtocolType.Udp);
        probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)probe.LocalEndPoint!).Port;
    }

    private static SampleProcess Activate(string sample, int port, bool datagram, string endpoint, string? fdName = null)
    {
        List<string> launcher = ["-l", $"127.0.0.1:{port}"];
        if (datagram)
        {
            launcher.Add("--datagram");
        }

        if (fdName is not null)
        {
            launcher.Add($"--fdname={fdName}");
        }

        return SampleProcess.Start("systemd-socket-activate", [.. launcher, "dotnet", SampleProcess.SampleDll(sample), "--endpoint", endpoint]);
    }

    [RequiresProgramTheory("systemd-socket-activate", "systemd")]
    [InlineData("systemd:domain=INET:index=0", null)]
    [InlineData("systemd:domain=INET:name=echo", "echo")]
    public void TcpEcho_activated_by_its_first_client_serves_it_on_the_socket_it_was_given(string endpoint, string? fdName)
    {
        var port = FreePort(SocketType.Stream);
        using var echo = Activate("TcpEcho", port, datagram: false, endpoint, fdName);
        using var first = ConnectWhenBound(port);

        // The launcher starts TcpEcho only now; it adopts descriptor 3 and accepts the waiting client.
        first.Send("woke you up"u8);
        TcpClients.ReceiveExactly(first, 11).Should().Equal("woke you up"u8.ToArray());
        echo.WaitForLine(l => l.StartsWith("Echo starting on ", StringComparison.Ordinal)).Should().Be($"Echo starting on {port}");
        using var second = TcpClients.Connect(new IPEndPoint(IPAddress.Loopback, port));
        second.Send("and me"u8);
        TcpClients.ReceiveExactly(second, 6).Should().Equal("and me"u8.ToArray());

        echo.Terminate();
        echo.WaitForExit(ExitTimeout).Should().Be(0);
    }

    [RequiresProgramFact("systemd-socket-activate", "systemd")]
    public void Echo_activated_by_its_first_datagram_answers_it_on_the_UDP_socket_it_was_given()
    {
        var port = FreePort(SocketType.Dgram);
        using var echo = Activate("Echo", port, datagram: true, "systemd:domain=INET:index=0:maxPacketSize=65535");
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp) { ReceiveTimeout = 30_000 };
        client.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var server = new IPEndPoint(IPAddress.Loopback, port);
        ReactorRunner.WaitUntil(() => IsBound(port, SocketType.Dgram), TimeSpan.FromSeconds(20)).Should().BeTrue("the launcher binds the port");

        client.SendTo("wake up"u8.ToArray(), server);

        var buffer = new byte[64];
        client.Receive(buffer).Should().Be(7, "the datagram that started Echo waited in the socket and was answered");
        echo.WaitForLine(l => l.StartsWith("Echo starting on ", StringComparison.Ordinal)).Should().Be($"Echo starting on {port}");
        echo.WaitForLine(l => l.StartsWith("received", StringComparison.Ordinal)).Should().StartWith("received 'wake up' from 127.0.0.1:");
        echo.Terminate();
        echo.WaitForExit(ExitTimeout).Should().Be(0);
    }

    /// <summary>Connects once the launcher listens (it binds before starting anything).</summary>
    private static Socket ConnectWhenBound(int port)
    {
        Socket? connected = null;
        ReactorRunner.WaitUntil(
            () =>
            {
                try
                {
                    connected = TcpClients.Connect(new IPEndPoint(IPAddress.Loopback, port));
                    return true;
                }
                catch (SocketException)
                {
                    return false;
                }
            },
            TimeSpan.FromSeconds(20)).Should().BeTrue("the launcher listens on the port");
        return connected!;
    }

    /// <summary>Whether something holds the port (a bind of our own fails).</summary>
    private static bool IsBound(int port, SocketType type)
    {
        using var probe = new Socket(AddressFamily.InterNetwork, type, ProtocolType.Udp);
        try
        {
            probe.Bind(new IPEndPoint(IPAddress.Loopback, port));
            return false;
        }
        catch (SocketException)
        {
            return true;
        }
    }
}
