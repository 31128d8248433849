using Reactor.Tests.Support;
using Reactor.Tests.Tcp;
using Reactor.Protocols;
using Reactor.Testing;

namespace Reactor.Tests.Protocols;

/// <summary>Twisted's <c>TimeoutMixinTests</c>, on <see cref="IdleTimeout"/> and a <see cref="Clock"/>.</summary>
public class IdleTimeoutTests
{
    [Fact]
    public void A_connection_idle_for_a_whole_period_is_closed_cleanly_and_not_before()
    {
        var clock = new Clock();
        var protocol = new TimingOut(clock, TimeSpan.FromSeconds(10));
        var transport = new FakeStreamTransport().Attach(protocol);

        clock.Advance(TimeSpan.FromSeconds(9.9));
        transport.Pump();
        transport.Closed.Should().BeFalse();

        clock.Advance(TimeSpan.FromSeconds(0.2));
        transport.Pump();
        transport.Closed.Should().BeTrue();
        protocol.Reason!.Exception.Should().BeOfType<ConnectionDoneException>();
    }

    [Fact]
    public void Data_resets_the_countdown()
    {
        var clock = new Clock();
        var protocol = new TimingOut(clock, TimeSpan.FromSeconds(10));
        var transport = new FakeStreamTransport().Attach(protocol);

        for (var i = 0; i < 5; i++)
        {
            clock.Advance(TimeSpan.FromSeconds(8));
            transport.Receive("x");
            transport.Pump();
        }

        transport.Closed.Should().BeFalse("40 seconds passed, but never 10 without data");
        clock.Advance(TimeSpan.FromSeconds(10));
        transport.Pump();
        transport.Closed.Should().BeTrue();
    }

    [Fact]
    public void SetTimeout_returns_the_previous_period_and_null_turns_it_off()
    {
        var clock = new Clock();
        var fired = 0;
        var timeout = new IdleTimeout(clock, () => fired++);

        timeout.SetTimeout(TimeSpan.FromSeconds(5)).Should().BeNull();
        timeout.SetTimeout(TimeSpan.FromSeconds(3)).Should().Be(TimeSpan.FromSeconds(5));
        timeout.Pending.Should().BeTrue();
        timeout.SetTimeout(null).Should().Be(TimeSpan.FromSeconds(3));
        timeout.Pending.Should().BeFalse();
        clock.GetDelayedCalls().Should().BeEmpty("no timer outlives a timeout turned off");

        clock.Advance(TimeSpan.FromSeconds(100));
        fired.Should().Be(0);
    }

    [Fact]
    public void A_new_period_restarts_the_countdown_from_now()
    {
        var clock = new Clock();
        var fired = 0;
        var timeout = new IdleTimeout(clock, () => fired++);
        timeout.SetTimeout(TimeSpan.FromSeconds(5));
        clock.Advance(TimeSpan.FromSeconds(4));

        timeout.SetTimeout(TimeSpan.FromSeconds(5));
        clock.Advance(TimeSpan.FromSeconds(4));
        fired.Should().Be(0);
        clock.Advance(TimeSpan.FromSeconds(1));
        fired.Should().Be(1);
    }

    [Fact]
    public void After_it_fired_ResetTimeout_does_nothing_until_SetTimeout_arms_it_again()
    {
        var clock = new Clock();
        var fired = 0;
        var timeout = new IdleTimeout(clock, () => fired++);
        timeout.SetTimeout(TimeSpan.FromSeconds(1));
        clock.Advance(TimeSpan.FromSeconds(1));
        fired.Should().Be(1);

        timeout.ResetTimeout();
        timeout.Pending.Should().BeFalse();
        clock.Advance(TimeSpan.FromSeconds(5));
        fired.Should().Be(1, "Twisted's resetTimeout only moves a pending call");
        timeout.Period.Should().Be(TimeSpan.FromSeconds(1));

        timeout.SetTimeout(TimeSpan.FromSeconds(1));
        clock.Advance(TimeSpan.FromSeconds(1));
        fired.Should().Be(2);
    }

    [Fact]
    public void ResetTimeout_without_a_period_does_nothing()
    {
        var clock = new Clock();
        var timeout = new IdleTimeout(clock, () => { });
        timeout.ResetTimeout();
        clock.GetDelayedCalls().Should().BeEmpty();
    }

    [Fact]
    public void A_negative_period_is_refused()
    {
        var timeout = new IdleTimeout(new Clock(), () => { });
        var act = () => timeout.SetTimeout(TimeSpan.FromSeconds(-1));
        act.Should().Throw<ArgumentOutOfRangeException>();
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void Over_loopback_an_idle_client_is_closed_by_the_server_after_the_period(ReactorBackend backend)
    {
        using var reactor = TestBackends.Create(backend);
        TimingOut? server = null;
        var port = reactor.ListenTcp(0, Factory.ForProtocol(() => server = new TimingOut(reactor, TimeSpan.FromMilliseconds(200))), @interface: "127.0.0.1");
        var client = new EchoRecorder { Echo = false };
        reactor.ConnectTcp("127.0.0.1", port.GetHost().Port, ClientFactory.ForProtocol(() => client));

        reactor.RunUntil(() => client.Events.Contains("lost"), TimeSpan.FromSeconds(10));

        client.LostReason!.Exception.Should().BeOfType<ConnectionDoneException>("the server closed cleanly");
        server!.Reason!.Exception.Should().BeOfType<ConnectionDoneException>();
        server.TimedOutAfter.Should().BeGreaterThanOrEqualTo(0.2);
    }

    /// <summary>A protocol with Twisted's usual use of the mixin: set on connect, reset on data, off on close.</summary>
    private sealed class TimingOut(IReactorTime clock, TimeSpan period) : Protocol
    {
        private IdleTimeout? _idle;
        private double _madeAt;

        public Failure? Reason { get; private set; }

        public double TimedOutAfter { get; private set; }

        public override void ConnectionMade()
        {
            _madeAt = clock.Seconds();
            _idle = new IdleTimeout(clock, () =>
            {
                TimedOutAfter = clock.Seconds() - _madeAt;
                Transport!.LoseConnection();
            });
            _idle.SetTimeout(period);
        }

        public override void DataReceived(ReadOnlySpan<byte> data) => _idle!.ResetTimeout();

        public override void ConnectionLost(Failure reason)
        {
            Reason = reason;
            _idle?.SetTimeout(null);
        }
    }
}
