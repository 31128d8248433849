using Reactor.Testing;

namespace Reactor.Tests.Time;

/// <summary>The test clock behaves like Twisted's <c>task.Clock</c>.</summary>
public class ClockTests
{
    [Fact]
    public void Time_starts_at_zero_and_moves_only_on_Advance()
    {
        var clock = new Clock();
        clock.Seconds().Should().Be(0);
        clock.Advance(TimeSpan.FromSeconds(2.5));
        clock.Seconds().Should().Be(2.5);
    }

    [Fact]
    public void Advance_runs_calls_that_came_due_in_time_order()
    {
        var clock = new Clock();
        var order = new List<string>();
        clock.CallLater(TimeSpan.FromSeconds(3), () => order.Add("3s"));
        clock.CallLater(TimeSpan.FromSeconds(1), () => order.Add("1s"));
        clock.CallLater(TimeSpan.FromSeconds(5), () => order.Add("5s"));
        clock.Advance(TimeSpan.FromSeconds(0.5));
        order.Should().BeEmpty();
        clock.Advance(TimeSpan.FromSeconds(3));
        order.Should().Equal("1s", "3s");
        clock.GetDelayedCalls().Should().ContainSingle().Which.Time.Should().Be(5);
    }

    [Fact]
    public void Equal_due_times_run_in_scheduling_order()
    {
        var clock = new Clock();
        var order = new List<int>();
        for (var i = 0; i < 50; i++)
        {
            var n = i;
            clock.CallLater(TimeSpan.FromSeconds(1), () => order.Add(n));
        }

        clock.Advance(TimeSpan.FromSeconds(1));
        order.Should().Equal(Enumerable.Range(0, 50));
    }

    [Fact]
    public void A_call_scheduled_for_a_time_already_reached_runs_within_the_same_Advance()
    {
        var clock = new Clock();
        var ran = new List<string>();
        clock.CallLater(TimeSpan.FromSeconds(1), () =>
        {
            ran.Add("first");
            clock.CallLater(TimeSpan.Zero, () => ran.Add("scheduled by first"));
        });
        clock.Advance(TimeSpan.FromSeconds(1));
        ran.Should().Equal("first", "scheduled by first");
    }

    [Fact]
    public void Reset_and_Delay_move_a_call_on_the_clock()
    {
        var clock = new Clock();
        var ran = false;
        var call = clock.CallLater(TimeSpan.FromSeconds(10), () => ran = true);
        call.Reset(TimeSpan.FromSeconds(2));
        call.Time.Should().Be(2);
        call.Delay(TimeSpan.FromSeconds(1));
        call.Time.Should().Be(3);
        clock.Advance(TimeSpan.FromSeconds(2.9));
        ran.Should().BeFalse();
        clock.Advance(TimeSpan.FromSeconds(0.1));
        ran.Should().BeTrue();
    }

    [Fact]
    public void Pump_advances_step_by_step()
    {
        var clock = new Clock();
        var seen = new List<double>();
        var loop = new LoopingCall(clock, () => seen.Add(clock.Seconds()));
        loop.Start(TimeSpan.FromSeconds(1));
        clock.Pump([TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1)]);
        seen.Should().Equal(0, 1, 2, 3);
    }

    [Fact]
    public void An_exception_from_a_call_propagates_out_of_Advance()
    {
        var clock = new Clock();
        clock.CallLater(TimeSpan.FromSeconds(1), () => throw new InvalidOperationException("boom"));
        var after = clock.CallLater(TimeSpan.FromSeconds(2), () => { });
        clock.Invoking(c => c.Advance(TimeSpan.FromSeconds(5))).Should().Throw<InvalidOperationException>().WithMessage("boom");
        after.Active.Should().BeTrue("calls after the failing one wait for the next Advance");
    }

    [Fact]
    public void Advance_rejects_going_backwards()
    {
        new Clock().Invoking(c => c.Advance(TimeSpan.FromSeconds(-1))).Should().Throw<ArgumentOutOfRangeException>();
    }
}
