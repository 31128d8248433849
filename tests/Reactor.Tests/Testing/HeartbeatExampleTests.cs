using System.Net;
using Reactor.Testing;

// The example of docs/testing.md: a user's protocol, and its unit tests with the testing helpers (no socket, no waiting).
namespace Reactor.Tests.Testing;

// <snippet protocol>
/// <summary>Pings a server every second; after three seconds without a "pong" it calls the server down.</summary>
public sealed class Heartbeat(IReactorTime clock, IPEndPoint server) : DatagramProtocol
{
    private LoopingCall? _pinger;
    private double _lastPong;

    public bool ServerDown { get; private set; }

    /// <summary>What a program does at startup: listen on any free port.</summary>
    public static IUdpTransport Start(IReactor reactor, IPEndPoint server) =>
        reactor.ListenUdp(0, new Heartbeat(reactor, server));

    public override void StartProtocol()
    {
        _lastPong = clock.Seconds();
        _pinger = new LoopingCall(clock, Ping);
        _pinger.Start(TimeSpan.FromSeconds(1));
    }

    public override void StopProtocol() => _pinger?.Stop();

    public override void DatagramReceived(ReadOnlySpan<byte> datagram, IPEndPoint sender)
    {
        if (sender.Equals(server) && datagram.SequenceEqual("pong"u8))
        {
            _lastPong = clock.Seconds();
            ServerDown = false;
        }
    }

    private void Ping()
    {
        ServerDown = clock.Seconds() - _lastPong > 3;
        Transport!.Write("ping"u8, server);
    }
}
// </snippet>

// <snippet tests>
public class HeartbeatTests
{
    private static readonly IPEndPoint Server = new(IPAddress.Parse("192.0.2.10"), 7000);

    [Fact]
    public void Pings_the_server_at_once_and_then_every_second()
    {
        var clock = new Clock();
        var transport = new FakeDatagramTransport().Attach(new Heartbeat(clock, Server));

        clock.Pump([TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1)]);

        transport.Written.Should().HaveCount(3, "pings at 0, 1 and 2 seconds");
        transport.Written.Should().AllSatisfy(ping =>
        {
            ping.Data.Should().Equal("ping"u8.ToArray());
            ping.Destination.Should().Be(Server);
        });
    }

    [Fact]
    public void Calls_the_server_down_after_three_seconds_without_a_pong_and_up_on_the_next()
    {
        var clock = new Clock();
        var heartbeat = new Heartbeat(clock, Server);
        var transport = new FakeDatagramTransport().Attach(heartbeat);

        clock.Pump([TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1)]);
        heartbeat.ServerDown.Should().BeFalse();
        clock.Advance(TimeSpan.FromSeconds(1));
        heartbeat.ServerDown.Should().BeTrue();

        transport.Receive("pong"u8, Server);
        heartbeat.ServerDown.Should().BeFalse();
    }

    [Fact]
    public void A_pong_from_anyone_else_does_not_count()
    {
        var clock = new Clock();
        var heartbeat = new Heartbeat(clock, Server);
        var transport = new FakeDatagramTransport().Attach(heartbeat);

        clock.Advance(TimeSpan.FromSeconds(3.5));
        transport.Receive("pong"u8, new IPEndPoint(IPAddress.Parse("198.51.100.1"), 7000));
        clock.Advance(TimeSpan.FromSeconds(0.5));

        heartbeat.ServerDown.Should().BeTrue();
    }

    [Fact]
    public void Listens_on_any_port_and_stops_pinging_when_the_reactor_stops()
    {
        var reactor = new MemoryReactor();
        Heartbeat.Start(reactor, Server);

        var port = reactor.UdpPorts.Should().ContainSingle().Subject;
        port.Port.Should().Be(0);
        port.Protocol.Should().BeOfType<Heartbeat>();

        reactor.Run();
        reactor.Clock.Advance(TimeSpan.FromSeconds(1));
        port.Transport.Written.Should().HaveCount(2);

        reactor.Stop();
        reactor.GetDelayedCalls().Should().BeEmpty("StopProtocol stopped the LoopingCall");
    }
}
// </snippet>
