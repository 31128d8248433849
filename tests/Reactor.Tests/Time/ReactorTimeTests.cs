using Reactor.Tests.Support;

namespace Reactor.Tests.Time;

/// <summary>CallLater and IDelayedCall on a real reactor: Twisted's test_internet <c>TimeTests</c>/<c>DelayedTests</c> and test_time.</summary>
public class ReactorTimeTests
{
    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void Seconds_is_monotonic_and_moves_forward(ReactorBackend backend)
    {
        using var reactor = TestBackends.Create(backend);
        var first = reactor.Seconds();
        var later = first;
        ReactorRunner.WaitUntil(() => (later = reactor.Seconds()) > first).Should().BeTrue();
        later.Should().BeGreaterThan(first);
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void A_scheduled_call_runs_and_is_then_inactive(ReactorBackend backend)
    {
        var reactor = TestBackends.Create(backend);
        IDelayedCall? call = null;
        var ran = false;
        call = reactor.CallLater(TimeSpan.FromMilliseconds(5), () =>
        {
            ran = true;
            reactor.Stop();
        });
        call.Active.Should().BeTrue();
        reactor.RunWithTimeout();
        ran.Should().BeTrue();
        call.Active.Should().BeFalse();
        call.Called.Should().BeTrue();
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void Time_is_now_plus_the_delay(ReactorBackend backend)
    {
        using var reactor = TestBackends.Create(backend);
        var before = reactor.Seconds();
        var call = reactor.CallLater(TimeSpan.FromSeconds(10), () => { });
        var after = reactor.Seconds();
        call.Time.Should().BeInRange(before + 10, after + 10);
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void The_call_waits_at_least_its_delay(ReactorBackend backend)
    {
        var reactor = TestBackends.Create(backend);
        var scheduledAt = reactor.Seconds();
        double ranAt = 0;
        reactor.CallLater(TimeSpan.FromMilliseconds(50), () =>
        {
            ranAt = reactor.Seconds();
            reactor.Stop();
        });
        reactor.RunWithTimeout();
        (ranAt - scheduledAt).Should().BeGreaterThanOrEqualTo(0.05);
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void A_cancelled_call_never_runs(ReactorBackend backend)
    {
        var reactor = TestBackends.Create(backend);
        var ran = false;
        var call = reactor.CallLater(TimeSpan.FromMilliseconds(1), () => ran = true);
        call.Cancel();
        call.Cancelled.Should().BeTrue();
        call.Active.Should().BeFalse();
        reactor.CallLater(TimeSpan.FromMilliseconds(30), reactor.Stop);
        reactor.RunWithTimeout();
        ran.Should().BeFalse();
    }

    [Fact]
    public void Cancelling_twice_throws_AlreadyCancelled()
    {
        using var reactor = ReactorFactory.Create();
        var call = reactor.CallLater(TimeSpan.FromSeconds(1), () => { });
        call.Cancel();
        call.Invoking(c => c.Cancel()).Should().Throw<AlreadyCancelledException>();
        call.Invoking(c => c.Reset(TimeSpan.FromSeconds(1))).Should().Throw<AlreadyCancelledException>();
        call.Invoking(c => c.Delay(TimeSpan.FromSeconds(1))).Should().Throw<AlreadyCancelledException>();
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void Cancelling_from_inside_the_call_or_after_it_ran_throws_AlreadyCalled(ReactorBackend backend)
    {
        var reactor = TestBackends.Create(backend);
        IDelayedCall? call = null;
        Exception? inside = null;
        call = reactor.CallLater(TimeSpan.Zero, () =>
        {
            inside = Record.Exception(call!.Cancel);
            reactor.Stop();
        });
        reactor.RunWithTimeout();
        inside.Should().BeOfType<AlreadyCalledException>();
        call.Invoking(c => c.Cancel()).Should().Throw<AlreadyCalledException>();
        call.Invoking(c => c.Reset(TimeSpan.Zero)).Should().Throw<AlreadyCalledException>();
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void Reset_moves_the_due_time(ReactorBackend backend)
    {
        var reactor = TestBackends.Create(backend);
        var order = new List<string>();
        var late = reactor.CallLater(TimeSpan.FromHours(1), () => order.Add("reset"));
        reactor.CallLater(TimeSpan.FromMilliseconds(40), () =>
        {
            order.Add("40ms");
            reactor.Stop();
        });
        late.Reset(TimeSpan.FromMilliseconds(10));
        reactor.RunWithTimeout();
        order.Should().Equal("reset", "40ms");
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void Delay_pushes_the_call_back(ReactorBackend backend)
    {
        var reactor = TestBackends.Create(backend);
        var order = new List<string>();
        var early = reactor.CallLater(TimeSpan.FromMilliseconds(10), () => order.Add("delayed"));
        reactor.CallLater(TimeSpan.FromMilliseconds(30), () => order.Add("30ms"));
        var before = early.Time;
        early.Delay(TimeSpan.FromMilliseconds(50));
        early.Time.Should().BeApproximately(before + 0.05, 1e-6);
        reactor.CallLater(TimeSpan.FromMilliseconds(100), reactor.Stop);
        reactor.RunWithTimeout();
        order.Should().Equal("30ms", "delayed");
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void Calls_due_at_the_same_time_run_in_scheduling_order(ReactorBackend backend)
    {
        var reactor = TestBackends.Create(backend, time: new FrozenTime());
        var order = new List<int>();
        for (var i = 0; i < 100; i++)
        {
            var n = i;
            reactor.CallLater(TimeSpan.Zero, () => order.Add(n));
        }

        reactor.CallLater(TimeSpan.Zero, reactor.Stop);
        reactor.RunWithTimeout();
        order.Should().Equal(Enumerable.Range(0, 100));
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void CallLater_zero_from_inside_a_call_runs_on_a_later_iteration_not_reentrantly(ReactorBackend backend)
    {
        var reactor = TestBackends.Create(backend);
        var order = new List<string>();
        reactor.CallLater(TimeSpan.Zero, () =>
        {
            reactor.CallLater(TimeSpan.Zero, () =>
            {
                order.Add("inner");
                reactor.Stop();
            });
            order.Add("outer done");
        });
        reactor.RunWithTimeout();
        order.Should().Equal("outer done", "inner");
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void GetDelayedCalls_lists_pending_calls_only(ReactorBackend backend)
    {
        using var reactor = TestBackends.Create(backend);
        var a = reactor.CallLater(TimeSpan.FromSeconds(1), () => { });
        var b = reactor.CallLater(TimeSpan.FromSeconds(2), () => { });
        var c = reactor.CallLater(TimeSpan.FromSeconds(3), () => { });
        b.Cancel();
        reactor.GetDelayedCalls().Should().BeEquivalentTo(new[] { a, c });
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void An_exception_from_a_timed_call_is_logged_and_the_loop_goes_on(ReactorBackend backend)
    {
        var logs = new TestLoggerFactory();
        var reactor = TestBackends.Create(backend, logs);
        reactor.CallLater(TimeSpan.Zero, () => throw new InvalidOperationException("timer boom"));
        var later = false;
        reactor.CallLater(TimeSpan.FromMilliseconds(10), () =>
        {
            later = true;
            reactor.Stop();
        });
        reactor.RunWithTimeout();
        later.Should().BeTrue();
        var record = logs.WithEventId(1).Should().ContainSingle().Subject;
        record.Message.Should().Be("Unhandled Error while handling timed call");
        record.Exception!.Message.Should().Be("timer boom");
        record.Exception.StackTrace.Should().NotBeNullOrEmpty();
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void A_call_scheduled_in_the_distant_future_does_not_break_the_loop(ReactorBackend backend)
    {
        var reactor = TestBackends.Create(backend);
        reactor.CallLater(TimeSpan.FromDays(365 * 100), () => { });
        reactor.CallLater(TimeSpan.FromMilliseconds(10), reactor.Stop);
        reactor.RunWithTimeout();
        reactor.Running.Should().BeFalse();
    }

    [Fact]
    public void A_negative_delay_is_rejected()
    {
        using var reactor = ReactorFactory.Create();
        reactor.Invoking(r => r.CallLater(TimeSpan.FromSeconds(-1), () => { })).Should().Throw<ArgumentOutOfRangeException>();
        reactor.Invoking(r => r.CallLater(TimeSpan.Zero, null!)).Should().Throw<ArgumentNullException>();
    }

    [Fact]
    public void DelayedCall_string_form_never_throws_and_names_its_state()
    {
        using var reactor = ReactorFactory.Create();
        var call = reactor.CallLater(TimeSpan.FromSeconds(10.5), () => { });
        call.ToString().Should().StartWith("<DelayedCall 0x").And.Contain("called=0 cancelled=0");
        call.Cancel();
        call.ToString().Should().Contain("cancelled=1");
    }

    [Fact]
    public void Time_comes_from_the_given_TimeProvider()
    {
        var time = new FrozenTime();
        using var reactor = ReactorFactory.Create(new ReactorOptions { TimeProvider = time });
        var start = reactor.Seconds();
        time.Advance(TimeSpan.FromSeconds(42));
        (reactor.Seconds() - start).Should().BeApproximately(42, 1e-6);
    }

    /// <summary>A TimeProvider whose timestamp moves only when told, so equal due times are really equal.</summary>
    private sealed class FrozenTime : TimeProvider
    {
        private long _timestamp = 1_000_000;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => Interlocked.Read(ref _timestamp);

        public void Advance(TimeSpan by) => Interlocked.Add(ref _timestamp, by.Ticks);
    }
}
