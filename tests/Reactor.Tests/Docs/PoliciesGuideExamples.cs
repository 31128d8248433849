using System.Net;
using Reactor.Protocols;
using Reactor.Testing;
using Reactor.Tests.Tcp;

namespace Reactor.Tests.Docs;

// <snippet idle-timeout>
/// <summary>A line echo that hangs up on a client silent for 30 seconds.</summary>
sealed class PatientEcho(IReactorTime clock) : LineReceiver
{
    private IdleTimeout? _idle;

    public override void ConnectionMade() => (_idle = new IdleTimeout(clock, this)).SetTimeout(TimeSpan.FromSeconds(30));

    public override void LineReceived(ReadOnlySpan<byte> line)
    {
        _idle!.ResetTimeout(); // any sign of life starts the 30 s again
        SendLine(line);
    }

    public override void ConnectionLost(Failure reason) => _idle?.SetTimeout(null); // no timer outlives the connection
}
// </snippet>

/// <summary>The policies guide's examples, run.</summary>
public class PoliciesGuideExamples
{
    [Fact]
    public void The_idle_timeout_example_closes_a_silent_client_after_30_seconds_and_not_a_talking_one()
    {
        var clock = new Clock();
        var silent = new FakeStreamTransport();
        var talking = new FakeStreamTransport();
        silent.Attach(new PatientEcho(clock));
        var echo = new PatientEcho(clock);
        talking.Attach(echo);

        clock.Advance(TimeSpan.FromSeconds(20));
        echo.DataReceived("hi\r\n"u8);
        clock.Advance(TimeSpan.FromSeconds(20));

        silent.Disconnecting.Should().BeTrue();
        talking.Disconnecting.Should().BeFalse("its line at 20 s started the 30 s again");
    }

    [Fact]
    public void The_stacked_policies_example_serves_within_its_limits()
    {
        using var reactor = ReactorFactory.Create();

        // <snippet stacked-policies>
        // At most 1,000 connections, 10 per client address, 1 MB/s in and out all together;
        // the 1,001st connection is told it is busy before it is closed.
        var echo = Factory.ForProtocol(() => new PatientEcho(reactor));
        var throttled = new ThrottlingFactory(reactor, echo, readLimit: 1_000_000, writeLimit: 1_000_000);
        var perPeer = new LimitConnectionsByPeer(throttled, maxConnectionsPerPeer: 10);
        var limited = new LimitTotalConnectionsFactory(perPeer, connectionLimit: 1000, overflowProtocol: () => new Busy());
        var port = reactor.ListenTcp(0, limited, @interface: "127.0.0.1");
        // </snippet>

        using var client = TcpTestKit.RawClient(new IPEndPoint(IPAddress.Loopback, port.GetHost().Port));
        client.Send("ping\r\n"u8);
        reactor.RunUntil(() => throttled.ReadThisSecond == 6);
        perPeer.ConnectionsFrom(IPAddress.Loopback).Should().Be(1);
        limited.ConnectionCount.Should().Be(1);
    }

    /// <summary>Says it is busy and hangs up.</summary>
    private sealed class Busy : Protocol
    {
        public override void ConnectionMade()
        {
            Transport!.Write("busy, try later\r\n"u8);
            Transport.LoseConnection();
        }
    }
}
