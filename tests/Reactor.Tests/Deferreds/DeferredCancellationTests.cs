using static Reactor.Tests.Deferreds.DeferredAssertions;

namespace Reactor.Tests.Deferreds;

public class DeferredCancellationTests
{
    [Fact]
    public void Callback_twice_throws_AlreadyCalled()
    {
        var d = new Deferred<int>();
        d.Callback(1);

        FluentActions.Invoking(() => d.Callback(2)).Should().Throw<AlreadyCalledException>();
    }

    [Fact]
    public void Callback_then_errback_throws_AlreadyCalled()
    {
        var d = new Deferred<int>();
        d.Callback(1);

        FluentActions.Invoking(() => d.Errback(new IOException())).Should().Throw<AlreadyCalledException>();
    }

    [Fact]
    public void Errback_then_callback_throws_AlreadyCalled()
    {
        var d = new Deferred<int>();
        d.Errback(new IOException());

        FluentActions.Invoking(() => d.Callback(1)).Should().Throw<AlreadyCalledException>();
        FailureResultOf(d);
    }

    [Fact]
    public void Errback_twice_throws_AlreadyCalled()
    {
        var d = new Deferred<int>();
        d.Errback(new IOException());

        FluentActions.Invoking(() => d.Errback(new Failure(new IOException()))).Should().Throw<AlreadyCalledException>();
        FailureResultOf(d);
    }

    [Fact]
    public void Cancel_without_canceller_fails_with_CancelledException()
    {
        var d = new Deferred<int>();

        d.Cancel();

        d.Called.Should().BeTrue();
        FailureResultOf(d).Exception.Should().BeOfType<CancelledException>().And.BeAssignableTo<OperationCanceledException>();
    }

    [Fact]
    public void After_cancel_without_canceller_the_first_late_callback_is_swallowed_and_the_second_throws()
    {
        var d = new Deferred<int>();
        d.Cancel();

        d.Callback(1);

        FluentActions.Invoking(() => d.Callback(2)).Should().Throw<AlreadyCalledException>();
        FailureResultOf(d).Exception.Should().BeOfType<CancelledException>();
    }

    [Fact]
    public void After_cancel_without_canceller_the_first_late_errback_is_swallowed_and_the_second_throws()
    {
        var d = new Deferred<int>();
        d.Cancel();

        d.Errback(new IOException());

        FluentActions.Invoking(() => d.Errback(new IOException())).Should().Throw<AlreadyCalledException>();
        FailureResultOf(d).Exception.Should().BeOfType<CancelledException>();
    }

    [Fact]
    public void Repeated_cancel_without_canceller_is_ignored()
    {
        var d = new Deferred<int>();
        int errbacks = 0;
        d.AddErrback(f => { errbacks++; return 0; });

        d.Cancel();
        d.Cancel();

        errbacks.Should().Be(1);
    }

    [Fact]
    public void Canceller_receives_the_deferred_and_is_called_once()
    {
        int calls = 0;
        Deferred<int>? received = null;
        var d = new Deferred<int>(self => { calls++; received = self; });

        d.Cancel();
        d.Cancel();

        calls.Should().Be(1);
        received.Should().BeSameAs(d);
        FailureResultOf(d).Exception.Should().BeOfType<CancelledException>();
    }

    [Fact]
    public void Canceller_that_does_not_fire_leaves_a_late_callback_raising()
    {
        var d = new Deferred<int>(_ => { });
        d.Cancel();

        FluentActions.Invoking(() => d.Callback(1)).Should().Throw<AlreadyCalledException>();
        FailureResultOf(d);
    }

    [Fact]
    public void Canceller_that_callbacks_delivers_its_value()
    {
        var d = new Deferred<string>(self => self.Callback("cancelled nicely"));

        d.Cancel();

        SuccessResultOf(d).Should().Be("cancelled nicely");
    }

    [Fact]
    public void Canceller_that_errbacks_delivers_its_failure()
    {
        var exception = new TimeoutException();
        var d = new Deferred<string>(self => self.Errback(exception));

        d.Cancel();

        FailureResultOf(d).Exception.Should().BeSameAs(exception);
    }

    [Fact]
    public void Cancel_after_callback_is_a_no_op()
    {
        int cancellerCalls = 0;
        var d = new Deferred<int>(_ => cancellerCalls++);
        d.Callback(3);

        d.Cancel();

        cancellerCalls.Should().Be(0);
        SuccessResultOf(d).Should().Be(3);
    }

    [Fact]
    public void Cancel_after_errback_is_a_no_op()
    {
        var exception = new IOException();
        var d = new Deferred<int>();
        d.Errback(exception);

        d.Cancel();

        FailureResultOf(d).Exception.Should().BeSameAs(exception);
    }

    [Fact]
    public void Cancel_propagates_to_the_inner_deferred_it_waits_on()
    {
        bool innerCancelled = false;
        var inner = new Deferred<int>(_ => innerCancelled = true);
        var outer = new Deferred<int>();
        outer.AddCallback(_ => inner);
        outer.Callback(0);

        outer.Cancel();

        innerCancelled.Should().BeTrue();
        FailureResultOf(outer).Exception.Should().BeOfType<CancelledException>();
    }
}
