using System.Net;
using Reactor.Testing;

namespace Reactor.Tests.Streams;

/// <summary>
/// ReconnectingClientFactory on a <see cref="MemoryReactor"/> (decision D29; Twisted's test_factories
/// <c>ReconnectingFactoryTests</c>): the back-off sequence, jitter, MaxRetries, StopTrying, ResetDelay and the clock.
/// </summary>
public class ReconnectingClientFactoryTests
{
    private static readonly TimeSpan Hour = TimeSpan.FromHours(1);

    /// <summary>Retries on its own; records what it heard and can reset its delay when connected.</summary>
    private sealed class Reconnecting(
        TimeSpan? initialDelay = null,
        TimeSpan? maxDelay = null,
        double factor = Math.E,
        double jitter = 0,
        int? maxRetries = null,
        IReactorTime? clock = null)
        : ReconnectingClientFactory(initialDelay, maxDelay, factor, jitter, maxRetries, clock)
    {
        public bool ResetWhenConnected { get; init; }

        public List<Exception> Failures { get; } = [];

        public override Protocol? BuildProtocol(EndPoint address)
        {
            if (ResetWhenConnected)
            {
                ResetDelay();
            }

            return new Protocol { Factory = this };
        }

        public override void ClientConnectionFailed(IConnector connector, Failure reason)
        {
            Failures.Add(reason.Exception);
            base.ClientConnectionFailed(connector, reason);
        }
    }

    /// <summary>A connector that belongs to no reactor (a test double of the user's own).</summary>
    private sealed class ForeignConnector : IConnector
    {
        public ConnectorState State { get; set; }

        public ITransport? Transport => null;

        public int Connects { get; private set; }

        public void Connect()
        {
            Connects++;
            State = ConnectorState.Connecting;
        }

        public void StopConnecting() => throw new InvalidOperationException("not connecting");

        public void Disconnect()
        {
        }

        public EndPoint GetDestination() => new IPEndPoint(IPAddress.Loopback, 1);
    }

    private static (MemoryReactor Reactor, MemoryConnector Connector) Connect(ReconnectingClientFactory factory)
    {
        var reactor = new MemoryReactor();
        reactor.ConnectTcp("127.0.0.1", 5000, factory);
        return (reactor, reactor.TcpClients.Single().Connector);
    }

    private static void Refuse(MemoryConnector connector) => connector.Fail(new ConnectionRefusedException(connector.GetDestination()));

    /// <summary>The wait of the one retry scheduled now, in seconds, to the microsecond (clock readings are doubles).</summary>
    private static double ScheduledWait(IReactorTime clock) =>
        Math.Round(clock.GetDelayedCalls().Should().ContainSingle().Subject.Time - clock.Seconds(), 6);

    /// <summary>Fails the attempt under way, then waits out the retry it schedules; returns that wait.</summary>
    private static double FailAndWait(MemoryReactor reactor, MemoryConnector connector)
    {
        Refuse(connector);
        var wait = ScheduledWait(reactor);
        reactor.Clock.Advance(TimeSpan.FromSeconds(wait + 1e-6)); // past the rounding of ScheduledWait
        connector.State.Should().Be(ConnectorState.Connecting, "the retry started a new attempt");
        return wait;
    }

    [Fact]
    public void The_defaults_are_Twisteds()
    {
        var factory = new Reconnecting(jitter: 0.119626565582);
        factory.InitialDelay.Should().Be(TimeSpan.FromSeconds(1));
        factory.MaxDelay.Should().Be(TimeSpan.FromSeconds(3600));
        factory.Factor.Should().Be(2.7182818284590451);
        factory.Jitter.Should().Be(0.119626565582);
        factory.MaxRetries.Should().BeNull();
        factory.Clock.Should().BeNull();
        factory.Delay.Should().Be(TimeSpan.FromSeconds(1));
        factory.Retries.Should().Be(0);
        factory.ContinueTrying.Should().BeTrue();
        factory.Connector.Should().BeNull();
    }

    [Fact]
    public void With_no_jitter_retry_n_waits_InitialDelay_times_Factor_to_the_n_minus_1_capped_at_MaxDelay()
    {
        var factory = new Reconnecting();
        var (reactor, connector) = Connect(factory);

        var waits = Enumerable.Range(0, 11).Select(_ => FailAndWait(reactor, connector)).ToList();

        // Twisted waits e, e², … (#12478): the first retry here waits InitialDelay.
        double[] expected = [1, Math.E, Math.Pow(Math.E, 2), Math.Pow(Math.E, 3), Math.Pow(Math.E, 4), Math.Pow(Math.E, 5),
            Math.Pow(Math.E, 6), Math.Pow(Math.E, 7), Math.Pow(Math.E, 8), 3600, 3600];
        waits.Should().Equal(expected, (actual, wanted) => Math.Abs(actual - wanted) < 1e-6);
        connector.Attempts.Should().Be(12);
        factory.Retries.Should().Be(11);
    }

    [Fact]
    public void The_first_retry_waits_InitialDelay_and_each_later_one_Factor_times_longer()
    {
        var factory = new Reconnecting(initialDelay: TimeSpan.FromSeconds(5), factor: 2, maxDelay: TimeSpan.FromSeconds(30));
        var (reactor, connector) = Connect(factory);

        Enumerable.Range(0, 5).Select(_ => FailAndWait(reactor, connector)).Should().Equal(5, 10, 20, 30, 30);
    }

    [Fact]
    public void Delay_is_the_next_wait_before_jitter_and_jitter_never_feeds_it()
    {
        var factory = new Reconnecting(factor: 2, jitter: 0.1, maxDelay: Hour) { Random = new Random(12478) };
        var (reactor, connector) = Connect(factory);
        var waits = new List<double>();
        for (var retry = 0; retry < 10; retry++)
        {
            var exact = Math.Pow(2, retry);
            factory.Delay.Should().Be(TimeSpan.FromSeconds(exact), "the jitter of earlier waits does not compound (#8714)");
            var wait = FailAndWait(reactor, connector);
            wait.Should().BeInRange(exact * 0.5, exact * 1.5, "a tenth's standard deviation stays well within half");
            waits.Add(wait / exact);
        }

        waits.Should().OnlyHaveUniqueItems("each wait is jittered afresh");
        waits.Should().Contain(r => r < 1).And.Contain(r => r > 1, "the variation goes both ways");
    }

    [Fact]
    public void A_jittered_wait_is_never_negative_and_never_above_MaxDelay()
    {
        // A jitter of 3 standard deviations per wait would give Twisted negative delays about a third of the time (#8714).
        var factory = new Reconnecting(initialDelay: TimeSpan.FromSeconds(10), factor: 1, jitter: 3, maxDelay: TimeSpan.FromSeconds(20))
        {
            Random = new Random(8714),
        };
        var (reactor, connector) = Connect(factory);

        var waits = Enumerable.Range(0, 200).Select(_ => FailAndWait(reactor, connector)).ToList();

        waits.Should().OnlyContain(w => w >= 0 && w <= 20);
        waits.Should().Contain(0, "waits drawn below zero are clamped to zero").And.Contain(20, "and those above MaxDelay to MaxDelay");
        waits.Should().Contain(w => w > 0 && w < 20);
    }

    [Fact]
    public void A_failed_attempt_and_a_lost_connection_are_both_retried()
    {
        var factory = new Reconnecting();
        var (reactor, connector) = Connect(factory);

        FailAndWait(reactor, connector).Should().Be(1);
        connector.Complete()!.Protocol.Should().BeOfType<Protocol>();
        connector.Transport!.ReceiveReset();
        ScheduledWait(reactor).Should().BeApproximately(Math.E, 1e-6, "without ResetDelay the back-off goes on across connections (Twisted #1994)");
        reactor.Clock.Advance(TimeSpan.FromSeconds(3));
        connector.Attempts.Should().Be(3);
    }

    [Fact]
    public void MaxRetries_3_allows_three_retries_and_the_fourth_failure_schedules_nothing()
    {
        var factory = new Reconnecting(maxRetries: 3);
        var (reactor, connector) = Connect(factory);
        for (var retry = 0; retry < 3; retry++)
        {
            FailAndWait(reactor, connector);
        }

        Refuse(connector);

        reactor.GetDelayedCalls().Should().BeEmpty();
        connector.State.Should().Be(ConnectorState.Disconnected);
        connector.Attempts.Should().Be(4);
        factory.Retries.Should().Be(4, "the refused retry is counted, as in Twisted");
        factory.ContinueTrying.Should().BeTrue();
    }

    [Fact]
    public void MaxRetries_0_never_retries()
    {
        var factory = new Reconnecting(maxRetries: 0);
        var (reactor, connector) = Connect(factory);
        Refuse(connector);
        reactor.GetDelayedCalls().Should().BeEmpty();
    }

    [Fact]
    public void StopTrying_while_waiting_cancels_the_retry()
    {
        var factory = new Reconnecting();
        var (reactor, connector) = Connect(factory);
        Refuse(connector);
        reactor.GetDelayedCalls().Should().ContainSingle();

        factory.StopTrying();

        reactor.GetDelayedCalls().Should().BeEmpty();
        factory.ContinueTrying.Should().BeFalse();
        reactor.Clock.Advance(Hour);
        connector.Attempts.Should().Be(1);
        connector.State.Should().Be(ConnectorState.Disconnected);
    }

    [Fact]
    public void StopTrying_while_connecting_cancels_the_attempt_and_does_not_retry_it()
    {
        // Twisted's test_stopTryingDoesNotReconnect, on the first attempt and on a retry.
        var factory = new Reconnecting();
        var (reactor, connector) = Connect(factory);
        factory.Connector.Should().BeSameAs(connector, "StartedConnecting remembers the attempt");

        factory.StopTrying();
        reactor.RunPendingCalls(); // the cancelled attempt reports its failure on the next turn of the loop (D26)

        connector.State.Should().Be(ConnectorState.Disconnected);
        factory.Failures.Should().ContainSingle().Which.Should().BeOfType<ConnectingCancelledException>();
        reactor.GetDelayedCalls().Should().BeEmpty();

        factory.ResetDelay();
        connector.Connect();
        FailAndWait(reactor, connector);
        factory.StopTrying();
        reactor.RunPendingCalls();
        factory.Failures.Last().Should().BeOfType<ConnectingCancelledException>();
        reactor.GetDelayedCalls().Should().BeEmpty();
        connector.Attempts.Should().Be(3);
    }

    [Fact]
    public void StopTrying_while_connected_keeps_the_connection_and_does_not_reconnect_after_the_loss()
    {
        // Twisted's test_stopTryingWhenConnected.
        var factory = new Reconnecting();
        var (reactor, connector) = Connect(factory);
        connector.Complete();

        factory.StopTrying();

        connector.State.Should().Be(ConnectorState.Connected, "StopTrying does not close an established connection");
        connector.Transport!.ReceiveFin();
        reactor.GetDelayedCalls().Should().BeEmpty();
        factory.ContinueTrying.Should().BeFalse();
        connector.Attempts.Should().Be(1);
    }

    [Fact]
    public void ResetDelay_when_connected_starts_the_back_off_again_after_a_loss()
    {
        var factory = new Reconnecting { ResetWhenConnected = true };
        var (reactor, connector) = Connect(factory);
        FailAndWait(reactor, connector);
        FailAndWait(reactor, connector);
        FailAndWait(reactor, connector).Should().BeApproximately(Math.E * Math.E, 1e-6);

        connector.Complete();
        factory.Retries.Should().Be(0);
        factory.Delay.Should().Be(factory.InitialDelay);
        connector.Transport!.ReceiveFin();

        ScheduledWait(reactor).Should().Be(1);
    }

    [Fact]
    public void ResetDelay_after_StopTrying_lets_the_factory_retry_again()
    {
        var factory = new Reconnecting();
        var (reactor, connector) = Connect(factory);
        factory.StopTrying();
        reactor.RunPendingCalls(); // the cancelled attempt reports its failure on the next turn of the loop (D26)
        factory.ResetDelay();
        factory.ContinueTrying.Should().BeTrue();

        connector.Connect();
        Refuse(connector);

        ScheduledWait(reactor).Should().Be(1);
    }

    [Fact]
    public void The_Clock_given_drives_the_retry_timing()
    {
        // Twisted's test_parametrizedClock.
        var clock = new Clock();
        var factory = new Reconnecting(clock: clock);
        var (reactor, connector) = Connect(factory);

        Refuse(connector);

        reactor.GetDelayedCalls().Should().BeEmpty("the reactor's own time is not used");
        ScheduledWait(clock).Should().Be(1);
        clock.Advance(TimeSpan.FromSeconds(1));
        connector.Attempts.Should().Be(2);
    }

    [Fact]
    public void Without_a_Clock_retries_are_scheduled_on_the_connectors_reactor()
    {
        var factory = new Reconnecting();
        var (reactor, connector) = Connect(factory);
        Refuse(connector);
        ScheduledWait(reactor).Should().Be(1);
        factory.Clock.Should().BeNull("the default is looked up per retry, not stored");
    }

    [Fact]
    public void A_connector_of_no_reactor_needs_a_Clock()
    {
        var factory = new Reconnecting();
        var connector = new ForeignConnector();
        factory.Invoking(f => f.ClientConnectionLost(connector, new Failure(new ConnectionDoneException())))
            .Should().Throw<InvalidOperationException>().WithMessage("*set Clock*");

        var clock = new Clock();
        factory.Clock = clock;
        factory.ClientConnectionLost(connector, new Failure(new ConnectionDoneException()));
        clock.Advance(TimeSpan.FromSeconds(1));
        connector.Connects.Should().Be(1);
    }

    [Fact]
    public void StopTrying_ignores_a_connector_that_says_it_is_not_connecting()
    {
        var factory = new Reconnecting(clock: new Clock());
        var connector = new ForeignConnector { State = ConnectorState.Connecting };
        factory.StartedConnecting(connector);
        factory.Invoking(f => f.StopTrying()).Should().NotThrow();
        factory.ContinueTrying.Should().BeFalse();
    }

    [Fact]
    public void Retry_replaces_a_retry_already_scheduled()
    {
        var factory = new Reconnecting();
        var (reactor, connector) = Connect(factory);
        Refuse(connector);
        factory.Retry(connector);
        reactor.GetDelayedCalls().Should().ContainSingle();
        reactor.Clock.Advance(Hour);
        connector.Attempts.Should().Be(2);
    }

    [Fact]
    public void The_tunables_are_checked()
    {
        var factory = new Reconnecting();
        factory.Invoking(f => f.Factor = 0.5).Should().Throw<ArgumentOutOfRangeException>();
        factory.Invoking(f => f.Factor = double.PositiveInfinity).Should().Throw<ArgumentOutOfRangeException>();
        factory.Invoking(f => f.Jitter = -0.1).Should().Throw<ArgumentOutOfRangeException>();
        factory.Invoking(f => f.Jitter = double.NaN).Should().Throw<ArgumentOutOfRangeException>();
        factory.Invoking(f => f.InitialDelay = TimeSpan.FromSeconds(-1)).Should().Throw<ArgumentOutOfRangeException>();
        factory.Invoking(f => f.MaxDelay = TimeSpan.FromSeconds(-1)).Should().Throw<ArgumentOutOfRangeException>();
        factory.Invoking(f => f.MaxRetries = -1).Should().Throw<ArgumentOutOfRangeException>();
        FluentActions.Invoking(() => new Reconnecting(factor: 0)).Should().Throw<ArgumentOutOfRangeException>();
    }

    [Fact]
    public void Setting_InitialDelay_before_the_first_retry_sets_the_first_wait()
    {
        // Twisted's #5103: an instance's initialDelay was ignored until resetDelay.
        var factory = new Reconnecting { InitialDelay = TimeSpan.FromSeconds(7) };
        var (reactor, connector) = Connect(factory);
        FailAndWait(reactor, connector).Should().Be(7);
    }
}
