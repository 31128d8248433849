using Reactor.Testing;
using static Reactor.Tests.Deferreds.DeferredAssertions;

namespace Reactor.Tests.Deferreds;

public class DeferredTimeoutTests
{
    [Fact]
    public void Timeout_cancels_the_deferred_and_turns_the_cancellation_into_TimeoutException()
    {
        var clock = new Clock();
        var d = new Deferred<int>().AddTimeout(TimeSpan.FromSeconds(10), clock);

        clock.Advance(TimeSpan.FromSeconds(9));
        AssertNoResult(d);
        clock.Advance(TimeSpan.FromSeconds(1));

        FailureResultOf(d).Exception.Should().BeOfType<TimeoutException>()
            .Which.InnerException.Should().BeOfType<CancelledException>();
    }

    [Fact]
    public void Result_before_the_timeout_cancels_the_timer()
    {
        var clock = new Clock();
        var d = new Deferred<int>().AddTimeout(TimeSpan.FromSeconds(10), clock);

        d.Callback(5);

        clock.GetDelayedCalls().Should().BeEmpty();
        clock.Advance(TimeSpan.FromSeconds(20));
        SuccessResultOf(d).Should().Be(5);
    }

    [Fact]
    public void Failure_before_the_timeout_is_not_converted_and_cancels_the_timer()
    {
        var clock = new Clock();
        var exception = new IOException();
        var d = new Deferred<int>().AddTimeout(TimeSpan.FromSeconds(10), clock);

        d.Errback(exception);

        clock.GetDelayedCalls().Should().BeEmpty();
        FailureResultOf(d).Exception.Should().BeSameAs(exception);
    }

    [Fact]
    public void Cancel_by_the_user_gives_CancelledException_not_TimeoutException()
    {
        var clock = new Clock();
        var d = new Deferred<int>().AddTimeout(TimeSpan.FromSeconds(10), clock);

        d.Cancel();

        FailureResultOf(d).Exception.Should().BeOfType<CancelledException>();
        clock.GetDelayedCalls().Should().BeEmpty();
    }

    [Fact]
    public void Canceller_value_on_timeout_is_delivered()
    {
        var clock = new Clock();
        var d = new Deferred<string>(self => self.Callback("fallback")).AddTimeout(TimeSpan.FromSeconds(1), clock);

        clock.Advance(TimeSpan.FromSeconds(1));

        SuccessResultOf(d).Should().Be("fallback");
    }

    [Fact]
    public void Canceller_failure_other_than_cancellation_is_not_converted()
    {
        var clock = new Clock();
        var exception = new IOException();
        var d = new Deferred<string>(self => self.Errback(exception)).AddTimeout(TimeSpan.FromSeconds(1), clock);

        clock.Advance(TimeSpan.FromSeconds(1));

        FailureResultOf(d).Exception.Should().BeSameAs(exception);
    }

    [Fact]
    public void Timeout_on_a_deferred_waiting_on_another_cancels_the_inner_one()
    {
        var clock = new Clock();
        var inner = new Deferred<int>();
        var outer = new Deferred<int>();
        outer.AddCallback(_ => inner);
        outer.Callback(0);
        outer.AddTimeout(TimeSpan.FromSeconds(2), clock);

        clock.Advance(TimeSpan.FromSeconds(2));

        inner.Called.Should().BeTrue();
        FailureResultOf(outer).Exception.Should().BeOfType<TimeoutException>();
    }
}
