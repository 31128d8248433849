using Reactor.Testing;
using Reactor.Tests.Deferreds;
using Reactor.Tests.Support;

namespace Reactor.Tests.Time;

/// <summary>DeferLater (Twisted's task.deferLater) on a Clock and on a real reactor.</summary>
public class DeferLaterTests
{
    [Fact]
    public void DeferLater_fires_with_null_when_the_delay_has_passed_and_not_before()
    {
        var clock = new Clock();
        var deferred = clock.DeferLater(TimeSpan.FromSeconds(2));
        clock.Advance(TimeSpan.FromSeconds(1.9));
        deferred.Called.Should().BeFalse();
        clock.Advance(TimeSpan.FromSeconds(0.1));
        deferred.Called.Should().BeTrue();
        DeferredAssertions.SuccessResultOf(deferred).Should().BeNull();
    }

    [Fact]
    public void DeferLater_with_a_callable_calls_it_after_the_delay_and_fires_with_its_result()
    {
        var clock = new Clock();
        var calls = 0;
        var deferred = clock.DeferLater(TimeSpan.FromSeconds(1), () => ++calls * 10);
        calls.Should().Be(0);
        clock.Advance(TimeSpan.FromSeconds(1));
        calls.Should().Be(1);
        DeferredAssertions.SuccessResultOf(deferred).Should().Be(10);
    }

    [Fact]
    public void A_callable_that_throws_fails_the_Deferred_with_its_exception()
    {
        var clock = new Clock();
        var deferred = clock.DeferLater<int>(TimeSpan.FromSeconds(1), () => throw new InvalidOperationException("late failure"));
        clock.Advance(TimeSpan.FromSeconds(1));
        DeferredAssertions.FailureResultOf(deferred).Exception.Should().BeOfType<InvalidOperationException>().Which.Message.Should().Be("late failure");
    }

    [Fact]
    public void Cancelling_cancels_the_timed_call_so_the_callable_never_runs_and_fails_with_CancelledException()
    {
        var clock = new Clock();
        var called = false;
        var deferred = clock.DeferLater(TimeSpan.FromSeconds(1), () => called = true);
        deferred.Cancel();
        clock.GetDelayedCalls().Should().BeEmpty("Twisted's deferLater canceller cancels the delayed call");
        clock.Advance(TimeSpan.FromSeconds(5));
        called.Should().BeFalse();
        DeferredAssertions.FailureResultOf(deferred).Exception.Should().BeOfType<CancelledException>();
    }

    [Fact]
    public void A_negative_delay_is_refused()
    {
        var clock = new Clock();
        clock.Invoking(c => c.DeferLater(TimeSpan.FromSeconds(-1))).Should().Throw<ArgumentOutOfRangeException>();
        clock.GetDelayedCalls().Should().BeEmpty();
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void Awaiting_DeferLater_on_a_reactor_resumes_on_the_reactor_thread_after_the_delay_on_its_clock(ReactorBackend backend)
    {
        using var reactor = TestBackends.Create(backend);
        double before = 0, after = 0;
        bool? onReactorThread = null;
        Exception? failure = null;

        async Task Main()
        {
            before = reactor.Seconds();
            await reactor.DeferLater(TimeSpan.FromMilliseconds(50));
            after = reactor.Seconds();
            onReactorThread = reactor.IsInReactorThread;
        }

        reactor.CallWhenRunning(() => Main().ContinueWith(
            t =>
            {
                failure = t.Exception;
                reactor.CallFromThread(reactor.Stop);
            },
            TaskScheduler.Default));
        reactor.RunWithTimeout();

        failure.Should().BeNull();
        onReactorThread.Should().BeTrue();
        (after - before).Should().BeGreaterThanOrEqualTo(0.05);
    }
}
