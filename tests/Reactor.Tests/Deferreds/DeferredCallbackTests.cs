using static Reactor.Tests.Deferreds.DeferredAssertions;

namespace Reactor.Tests.Deferreds;

public class DeferredCallbackTests
{
    [Fact]
    public void Callbacks_run_in_sequence_each_receiving_the_previous_result()
    {
        var seen = new List<int>();
        var d = new Deferred<int>();
        d.AddCallback(x => { seen.Add(x); return x + 1; })
         .AddCallback(x => { seen.Add(x); return x * 10; });

        d.Callback(1);

        seen.Should().Equal(1, 2);
        SuccessResultOf(d).Should().Be(20);
    }

    [Fact]
    public void Callback_added_after_firing_runs_immediately()
    {
        var d = Deferred.Succeed("done");
        string? seen = null;

        d.AddCallback(x => { seen = x; });

        seen.Should().Be("done");
    }

    [Fact]
    public void Observer_callback_passes_the_result_through_unchanged()
    {
        var d = new Deferred<int>();
        int observed = 0;
        d.AddCallback(x => { observed = x; });

        d.Callback(7);

        observed.Should().Be(7);
        SuccessResultOf(d).Should().Be(7);
    }

    [Fact]
    public void Throwing_callback_switches_to_the_errback_path_and_skips_later_callbacks()
    {
        var d = new Deferred<int>();
        bool laterCallbackRan = false;
        Failure? caught = null;
        d.AddCallback(x => x > 0 ? throw new InvalidOperationException("boom") : x)
         .AddCallback(x => { laterCallbackRan = true; })
         .AddErrback(f => { caught = f; return -1; });

        d.Callback(1);

        laterCallbackRan.Should().BeFalse();
        caught!.Exception.Should().BeOfType<InvalidOperationException>().Which.Message.Should().Be("boom");
        SuccessResultOf(d).Should().Be(-1);
    }

    [Fact]
    public void Errback_returning_a_value_recovers_to_the_callback_path()
    {
        var d = new Deferred<int>();
        d.AddErrback(f => 42).AddCallback(x => x + 1);

        d.Errback(new IOException("disk"));

        SuccessResultOf(d).Should().Be(43);
    }

    [Fact]
    public void Errback_that_traps_another_type_keeps_the_chain_failing_with_the_same_failure()
    {
        var original = new FormatException("bad");
        var d = Deferred.Fail<int>(original);
        bool trapped = false;

        d.AddErrback(f =>
        {
            f.Trap<IOException>();
            trapped = true;
            return 0;
        });

        FailureResultOf(d).Exception.Should().BeSameAs(original);
        trapped.Should().BeFalse();
    }

    [Fact]
    public void Errbacks_are_skipped_on_the_success_path()
    {
        var d = new Deferred<int>();
        bool errbackRan = false;
        d.AddErrback(f => { errbackRan = true; return 0; });

        d.Callback(3);

        errbackRan.Should().BeFalse();
        SuccessResultOf(d).Should().Be(3);
    }

    [Fact]
    public void Untyped_callback_returning_a_failure_switches_to_the_errback_path()
    {
        var d = new Deferred<int>();
        var failure = new Failure(new ArgumentException("nope"));
        d.AddCallbacksUntyped(_ => failure, null);

        d.Callback(1);

        FailureResultOf(d).Should().BeSameAs(failure);
    }

    [Fact]
    public void Untyped_pair_with_null_members_passes_results_and_failures_through()
    {
        var ok = new Deferred<int>();
        ok.AddCallbacksUntyped(null, null);
        ok.Callback(5);
        SuccessResultOf(ok).Should().Be(5);

        var bad = new Deferred<int>();
        bad.AddCallbacksUntyped(null, null);
        var exception = new IOException();
        bad.Errback(exception);
        FailureResultOf(bad).Exception.Should().BeSameAs(exception);
    }

    [Fact]
    public void AddCallbacks_errback_does_not_see_the_exception_of_its_own_callback()
    {
        var d = new Deferred<int>();
        bool errbackRan = false;
        d.AddCallbacks(_ => throw new InvalidOperationException(), f => { errbackRan = true; return 0; });

        d.Callback(1);

        errbackRan.Should().BeFalse();
        FailureResultOf(d).Exception.Should().BeOfType<InvalidOperationException>();
    }

    [Fact]
    public void AddCallbacks_runs_the_errback_for_an_earlier_failure()
    {
        var d = Deferred.Fail<int>(new IOException());

        d.AddCallbacks(x => x + 1, f => 99);

        SuccessResultOf(d).Should().Be(99);
    }

    [Fact]
    public void AddBoth_runs_on_both_paths_and_passes_the_outcome_through()
    {
        int runs = 0;
        var ok = new Deferred<int>().AddBoth(() => runs++);
        ok.Callback(1);
        var exception = new IOException();
        var bad = new Deferred<int>().AddBoth(() => runs++);
        bad.Errback(exception);

        runs.Should().Be(2);
        SuccessResultOf(ok).Should().Be(1);
        FailureResultOf(bad).Exception.Should().BeSameAs(exception);
    }

    [Fact]
    public void Succeed_returns_a_fired_deferred_like_a_manual_callback()
    {
        var manual = new Deferred<string>();
        manual.Callback("x");
        var succeeded = Deferred.Succeed("x");

        succeeded.Called.Should().BeTrue();
        SuccessResultOf(succeeded).Should().Be(SuccessResultOf(manual));
    }

    [Fact]
    public void Fail_returns_a_failed_deferred()
    {
        var exception = new IOException();

        Deferred.Fail<int>(exception).Called.Should().BeTrue();
        FailureResultOf(Deferred.Fail<int>(new Failure(exception))).Exception.Should().BeSameAs(exception);
    }

    [Fact]
    public void Pause_holds_callbacks_until_unpause()
    {
        var d = new Deferred<int>();
        int seen = 0;
        d.Pause();
        d.AddCallback(x => { seen = x; });
        d.Callback(4);

        seen.Should().Be(0);
        d.Paused.Should().BeTrue();

        d.Unpause();

        seen.Should().Be(4);
        d.Paused.Should().BeFalse();
    }

    [Fact]
    public void Unpause_before_callback_does_not_run_anything()
    {
        var d = new Deferred<int>();
        int runs = 0;
        d.AddCallback(_ => { runs++; });
        d.Pause();
        d.Unpause();

        runs.Should().Be(0);
        d.Callback(1);
        runs.Should().Be(1);
    }

    [Fact]
    public void Pauses_nest_and_the_last_unpause_resumes()
    {
        var d = new Deferred<int>();
        int runs = 0;
        d.Pause();
        d.Pause();
        d.Callback(1);
        d.AddCallback(_ => { runs++; });

        d.Unpause();
        runs.Should().Be(0);
        d.Unpause();
        runs.Should().Be(1);
    }

    [Fact]
    public void Paused_failure_is_delivered_to_errbacks_on_unpause()
    {
        var d = new Deferred<int>();
        d.Pause();
        d.Errback(new IOException());
        Failure? seen = null;
        d.AddErrback(f => { seen = f; return 0; });

        seen.Should().BeNull();
        d.Unpause();
        seen!.Exception.Should().BeOfType<IOException>();
    }

    [Fact]
    public void Pause_inside_a_callback_stops_the_chain_until_unpause()
    {
        var d = new Deferred<int>();
        var order = new List<string>();
        d.AddCallback(x => { order.Add("first"); d.Pause(); })
         .AddCallback(x => { order.Add("second"); });

        d.Callback(1);
        order.Should().Equal("first");

        d.Unpause();
        order.Should().Equal("first", "second");
    }

    [Fact]
    public void Unpause_without_pause_throws()
    {
        var d = new Deferred<int>();

        FluentActions.Invoking(d.Unpause).Should().Throw<InvalidOperationException>();
    }

    [Fact]
    public void Common_lambda_shapes_bind_to_the_intended_overloads()
    {
        var d = new Deferred<int>();
        var log = new List<string>();

        // Statement lambda with no value: the observer overload.
        d.AddCallback(x => log.Add("saw " + x));
        // Expression of type T: the mapping overload.
        d.AddCallback(x => x + 1);
        // Method call returning T: the mapping overload wins over the observer.
        d.AddCallback(x => Double(x));
        // Method group.
        d.AddCallback(Double);
        // Returning a Deferred: the chaining overload.
        d.AddCallback(x => Deferred.Succeed(x + 1));
        // Errbacks recovering with a value or a Deferred.
        d.AddErrback(f => 0);
        d.AddErrback(f => Deferred.Succeed(0));
        // Then picks the Deferred-returning overload when the lambda returns a Deferred.
        Deferred<string> text = d.Then(x => x.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Deferred<string> chained = d.Then(x => Deferred.Succeed("#" + x));

        d.Callback(1);

        log.Should().Equal("saw 1");
        SuccessResultOf(d).Should().Be(9);
        SuccessResultOf(text).Should().Be("9");
        SuccessResultOf(chained).Should().Be("#9");

        static int Double(int x) => x * 2;
    }

    [Fact]
    public void ToString_describes_an_unfired_a_fired_and_a_waiting_deferred()
    {
        var unfired = new Deferred<int>();
        unfired.ToString().Should().MatchRegex("^<Deferred at 0x[0-9a-f]+>$");

        var fired = Deferred.Succeed(12);
        fired.ToString().Should().MatchRegex("^<Deferred at 0x[0-9a-f]+ current result: 12>$");

        var inner = new Deferred<int>();
        var outer = new Deferred<int>();
        outer.AddCallback(_ => inner);
        outer.Callback(0);
        outer.ToString().Should().MatchRegex("^<Deferred at 0x[0-9a-f]+ waiting on Deferred at 0x[0-9a-f]+>$");
        outer.ToString().Should().EndWith(inner.ToString()[("<Deferred at ".Length)..]);

        var failed = new Deferred<int>();
        failed.Errback(new IOException("disk"));
        failed.ToString().Should().Contain("current result: [Failure instance: System.IO.IOException: disk]");
        FailureResultOf(failed);
        inner.Callback(1);
    }

    [Fact]
    public void ToString_does_not_throw_when_the_result_does()
    {
        var d = Deferred.Succeed(new ThrowingToString());

        d.ToString().Should().Contain("unprintable");
    }

    private sealed class ThrowingToString
    {
        public override string ToString() => throw new InvalidOperationException();
    }
}
