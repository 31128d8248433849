using Reactor.Testing;

namespace Reactor.Tests.Time;

/// <summary>LoopingCall, driven by the test clock (Twisted's test_task <c>LoopingCallTests</c>).</summary>
public class LoopingCallTests
{
    [Fact]
    public void Start_with_now_calls_at_once_and_then_every_interval()
    {
        var clock = new Clock();
        var calls = new List<double>();
        var loop = new LoopingCall(clock, () => calls.Add(clock.Seconds()));
        loop.Start(TimeSpan.FromSeconds(2));
        calls.Should().Equal(0);
        clock.Pump([TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2)]);
        calls.Should().Equal(0, 2, 4);
        loop.Running.Should().BeTrue();
        loop.Interval.Should().Be(TimeSpan.FromSeconds(2));
    }

    [Fact]
    public void Start_without_now_waits_one_interval()
    {
        var clock = new Clock();
        var calls = 0;
        var loop = new LoopingCall(clock, () => calls++);
        loop.Start(TimeSpan.FromSeconds(1), now: false);
        calls.Should().Be(0);
        clock.Advance(TimeSpan.FromSeconds(1));
        calls.Should().Be(1);
    }

    [Fact]
    public void Stop_cancels_the_next_call_and_fires_the_deferred_with_the_loop()
    {
        var clock = new Clock();
        var calls = 0;
        var loop = new LoopingCall(clock, () => calls++);
        LoopingCall? stoppedWith = null;
        loop.Start(TimeSpan.FromSeconds(1)).AddCallback(l => stoppedWith = l);
        loop.Stop();
        stoppedWith.Should().BeSameAs(loop);
        loop.Running.Should().BeFalse();
        clock.GetDelayedCalls().Should().BeEmpty();
        clock.Advance(TimeSpan.FromSeconds(5));
        calls.Should().Be(1);
    }

    [Fact]
    public void Stopping_from_inside_the_function_fires_the_deferred()
    {
        var clock = new Clock();
        LoopingCall? loop = null;
        var calls = 0;
        loop = new LoopingCall(clock, () =>
        {
            if (++calls == 3)
            {
                loop!.Stop();
            }
        });
        var stopped = false;
        loop.Start(TimeSpan.FromSeconds(1)).AddCallback(_ => stopped = true);
        clock.Pump([TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1)]);
        calls.Should().Be(3);
        stopped.Should().BeTrue();
    }

    [Fact]
    public void Late_calls_skip_the_intervals_that_already_passed()
    {
        var clock = new Clock();
        var calls = new List<double>();
        var loop = new LoopingCall(clock, () => calls.Add(clock.Seconds()));
        loop.Start(TimeSpan.FromSeconds(1));

        // The clock jumps 3.5 intervals at once: one late call, then back on the 1-second grid.
        clock.Advance(TimeSpan.FromSeconds(3.5));
        clock.Advance(TimeSpan.FromSeconds(0.5));
        calls.Should().Equal(0, 3.5, 4);
    }

    [Fact]
    public void WithCount_reports_how_many_intervals_passed()
    {
        var clock = new Clock();
        var counts = new List<int>();
        var loop = LoopingCall.WithCount(clock, counts.Add);
        loop.Start(TimeSpan.FromSeconds(1));
        clock.Advance(TimeSpan.FromSeconds(1));
        clock.Advance(TimeSpan.FromSeconds(3));
        clock.Advance(TimeSpan.FromSeconds(1));
        counts.Should().Equal(1, 1, 3, 1);
    }

    [Fact]
    public void A_returned_deferred_delays_the_next_call_until_it_fires()
    {
        var clock = new Clock();
        var pending = new List<Deferred<int>>();
        var loop = new LoopingCall(clock, () =>
        {
            var d = new Deferred<int>();
            pending.Add(d);
            return d;
        });
        loop.Start(TimeSpan.FromSeconds(1));
        clock.Advance(TimeSpan.FromSeconds(5));
        pending.Should().HaveCount(1, "the loop waits for the first Deferred");
        pending[0].Callback(0);
        clock.Advance(TimeSpan.FromSeconds(1));
        pending.Should().HaveCount(2);
    }

    [Fact]
    public void An_exception_stops_the_loop_and_fails_its_deferred()
    {
        var clock = new Clock();
        var calls = 0;
        var loop = new LoopingCall(clock, () =>
        {
            if (++calls == 2)
            {
                throw new InvalidOperationException("loop boom");
            }
        });
        Failure? failure = null;
        loop.Start(TimeSpan.FromSeconds(1)).AddErrback(f =>
        {
            failure = f;
            return loop;
        });
        clock.Advance(TimeSpan.FromSeconds(1));
        failure!.Exception.Message.Should().Be("loop boom");
        loop.Running.Should().BeFalse();
        clock.Advance(TimeSpan.FromSeconds(5));
        calls.Should().Be(2);
    }

    [Fact]
    public void A_failing_returned_deferred_stops_the_loop()
    {
        var clock = new Clock();
        var loop = new LoopingCall(clock, () => Deferred.Fail<int>(new IOException("async boom")));
        string? message = null;
        loop.Start(TimeSpan.FromSeconds(1)).AddErrback(f =>
        {
            message = f.Exception.Message;
            return loop;
        });
        message.Should().Be("async boom");
        loop.Running.Should().BeFalse();
    }

    [Fact]
    public void Starting_twice_stopping_when_stopped_and_negative_intervals_are_errors()
    {
        var clock = new Clock();
        var loop = new LoopingCall(clock, () => { });
        loop.Invoking(l => l.Stop()).Should().Throw<InvalidOperationException>();
        loop.Invoking(l => l.Start(TimeSpan.FromSeconds(-1))).Should().Throw<ArgumentOutOfRangeException>();
        loop.Start(TimeSpan.FromSeconds(1));
        loop.Invoking(l => l.Start(TimeSpan.FromSeconds(1))).Should().Throw<InvalidOperationException>();
    }

    [Fact]
    public void Reset_restarts_the_interval_from_now()
    {
        var clock = new Clock();
        var calls = new List<double>();
        var loop = new LoopingCall(clock, () => calls.Add(clock.Seconds()));
        loop.Start(TimeSpan.FromSeconds(2));
        clock.Advance(TimeSpan.FromSeconds(1.5));
        loop.Reset();
        clock.Advance(TimeSpan.FromSeconds(1));
        calls.Should().Equal(0);
        clock.Advance(TimeSpan.FromSeconds(1));
        calls.Should().Equal(0, 3.5);
    }

    [Fact]
    public void A_zero_interval_calls_on_every_pass()
    {
        var clock = new Clock();
        var calls = 0;
        LoopingCall? loop = null;
        loop = new LoopingCall(clock, () =>
        {
            if (++calls == 5)
            {
                loop!.Stop();
            }
        });
        loop.Start(TimeSpan.Zero);
        clock.Advance(TimeSpan.Zero);
        calls.Should().Be(5);
    }

    [Fact]
    public void It_runs_on_a_real_reactor()
    {
        var reactor = ReactorFactory.Create();
        var ticks = 0;
        LoopingCall? loop = null;
        loop = new LoopingCall(reactor, () =>
        {
            if (++ticks == 3)
            {
                loop!.Stop();
            }
        });
        reactor.CallWhenRunning(() => loop.Start(TimeSpan.FromMilliseconds(5)).AddCallback(_ => reactor.Stop()));
        Support.ReactorRunner.RunWithTimeout(reactor);
        ticks.Should().Be(3);
    }
}
