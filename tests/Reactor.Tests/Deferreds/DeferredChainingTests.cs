using static Reactor.Tests.Deferreds.DeferredAssertions;

namespace Reactor.Tests.Deferreds;

public class DeferredChainingTests
{
    [Fact]
    public void Callback_returning_a_deferred_pauses_the_chain_until_it_fires()
    {
        var inner = new Deferred<int>();
        var outer = new Deferred<int>();
        int seen = 0;
        outer.AddCallback(_ => inner).AddCallback(x => { seen = x; });

        outer.Callback(1);
        seen.Should().Be(0);
        outer.Paused.Should().BeTrue();

        inner.Callback(5);
        seen.Should().Be(5);
        outer.Paused.Should().BeFalse();
    }

    [Fact]
    public void Synchronous_implicit_chain_takes_the_inner_result_and_leaves_null_behind()
    {
        var inner = Deferred.Succeed("inner");
        var outer = new Deferred<string>();
        outer.AddCallback(_ => inner);

        outer.Callback("outer");

        SuccessResultOf(outer).Should().Be("inner");
        SuccessResultOf(inner).Should().BeNull();
    }

    [Fact]
    public void Asynchronous_implicit_chain_takes_the_inner_result_and_leaves_null_behind()
    {
        var inner = new Deferred<string>();
        var outer = new Deferred<string>();
        outer.AddCallback(_ => inner);
        outer.Callback("outer");

        inner.Callback("inner");

        SuccessResultOf(outer).Should().Be("inner");
        SuccessResultOf(inner).Should().BeNull();
    }

    [Fact]
    public void Synchronous_implicit_error_chain_moves_the_failure_to_the_outer_deferred()
    {
        var exception = new IOException();
        var inner = Deferred.Fail<int>(exception);
        var outer = new Deferred<int>();
        outer.AddCallback(_ => inner);

        outer.Callback(1);

        FailureResultOf(outer).Exception.Should().BeSameAs(exception);
        SuccessResultOf(inner).Should().Be(0);
    }

    [Fact]
    public void Asynchronous_implicit_error_chain_moves_the_failure_to_the_outer_deferred()
    {
        var exception = new IOException();
        var inner = new Deferred<int>();
        var outer = new Deferred<int>();
        outer.AddCallback(_ => inner);
        outer.Callback(1);

        inner.Errback(exception);

        FailureResultOf(outer).Exception.Should().BeSameAs(exception);
        SuccessResultOf(inner).Should().Be(0);
    }

    [Fact]
    public void Errback_returning_a_deferred_chains_too()
    {
        var recovery = new Deferred<int>();
        var d = Deferred.Fail<int>(new IOException());
        d.AddErrback(_ => recovery);

        AssertNoResult(d);
        recovery.Callback(8);

        SuccessResultOf(d).Should().Be(8);
    }

    [Fact]
    public void Inner_callbacks_added_before_chaining_run_before_the_outer_continues()
    {
        var order = new List<string>();
        var inner = new Deferred<int>();
        inner.AddCallback(x => { order.Add("inner"); return x + 1; });
        var outer = new Deferred<int>();
        outer.AddCallback(_ => inner).AddCallback(x => { order.Add("outer " + x); });
        outer.Callback(0);

        inner.Callback(1);

        order.Should().Equal("inner", "outer 2");
    }

    [Fact]
    public void Chaining_to_a_paused_deferred_with_a_result_waits_for_its_unpause()
    {
        var inner = new Deferred<int>();
        inner.Callback(3);
        inner.Pause();
        var outer = new Deferred<int>();
        outer.AddCallback(_ => inner);
        outer.Callback(0);

        AssertNoResult(outer);
        inner.Unpause();

        SuccessResultOf(outer).Should().Be(3);
    }

    [Fact]
    public void Double_asynchronous_chaining_delivers_the_innermost_result()
    {
        var innermost = new Deferred<int>();
        var middle = new Deferred<int>();
        middle.AddCallback(_ => innermost);
        var outer = new Deferred<int>();
        outer.AddCallback(_ => middle);

        outer.Callback(0);
        middle.Callback(0);
        AssertNoResult(outer);
        innermost.Callback(7);

        SuccessResultOf(outer).Should().Be(7);
    }

    [Fact]
    public void Callback_returning_its_own_deferred_fails_instead_of_hanging()
    {
        var d = new Deferred<int>();
        d.AddCallback(_ => d);

        d.Callback(1);

        FailureResultOf(d).Exception.Should().BeOfType<InvalidOperationException>();
    }

    [Fact]
    public void ChainDeferred_fires_the_other_deferred_and_leaves_default_behind()
    {
        var first = new Deferred<int>();
        var second = new Deferred<int>();
        first.ChainDeferred(second);

        first.Callback(4);

        SuccessResultOf(second).Should().Be(4);
        SuccessResultOf(first).Should().Be(0);
    }

    [Fact]
    public void ChainDeferred_passes_a_failure_on_and_clears_it_from_the_first()
    {
        var exception = new IOException();
        var first = new Deferred<int>();
        var second = new Deferred<int>();
        first.ChainDeferred(second);

        first.Errback(exception);

        FailureResultOf(second).Exception.Should().BeSameAs(exception);
        SuccessResultOf(first).Should().Be(0);
    }

    [Fact]
    public void Then_maps_the_result_to_a_new_type()
    {
        var d = new Deferred<int>();
        Deferred<string> text = d.Then(x => "#" + x);

        d.Callback(3);

        SuccessResultOf(text).Should().Be("#3");
        SuccessResultOf(d).Should().Be(3);
    }

    [Fact]
    public void Then_passes_a_failure_on_to_the_new_deferred()
    {
        var exception = new IOException();
        var d = new Deferred<int>();
        Deferred<string> text = d.Then(x => "#" + x);

        d.Errback(exception);

        FailureResultOf(text).Exception.Should().BeSameAs(exception);
    }

    [Fact]
    public void Then_fails_the_new_deferred_when_the_map_throws()
    {
        var d = Deferred.Succeed(1);

        Deferred<string> text = d.Then(new Func<int, string>(_ => throw new FormatException()));

        FailureResultOf(text).Exception.Should().BeOfType<FormatException>();
    }

    [Fact]
    public void Then_with_a_deferred_waits_for_it()
    {
        var step = new Deferred<string>();
        var d = Deferred.Succeed(1);
        Deferred<string> next = d.Then(_ => step);

        AssertNoResult(next);
        step.Callback("done");

        SuccessResultOf(next).Should().Be("done");
    }

    [Fact]
    public void Cancelling_the_result_of_Then_cancels_the_source()
    {
        var source = new Deferred<int>();
        Deferred<string> next = source.Then(x => x.ToString(System.Globalization.CultureInfo.InvariantCulture));

        next.Cancel();

        FailureResultOf(source).Exception.Should().BeOfType<CancelledException>();
        FailureResultOf(next).Exception.Should().BeOfType<CancelledException>();
    }

    [Fact]
    public void Callback_added_while_the_chain_runs_goes_to_the_end_and_runs_after_the_current_one()
    {
        var order = new List<string>();
        var d = new Deferred<int>();
        d.AddCallback(x =>
        {
            d.AddCallback(_ => { order.Add("added during first"); });
            order.Add("first returns");
        });
        d.AddCallback(_ => { order.Add("second"); });

        d.Callback(1);

        order.Should().Equal("first returns", "second", "added during first");
    }

    [Fact]
    public void Firing_another_deferred_from_a_callback_runs_its_chain_without_interleaving()
    {
        var order = new List<string>();
        var other = new Deferred<int>();
        other.AddCallback(_ => { order.Add("other"); });
        var d = new Deferred<int>();
        d.AddCallback(_ =>
        {
            order.Add("d start");
            other.Callback(1);
            order.Add("d end");
        });

        d.Callback(1);

        order.Should().Equal("d start", "other", "d end");
    }

    [Fact]
    public void Callback_added_while_running_with_a_failure_gets_the_failure()
    {
        var d = new Deferred<int>();
        Failure? seen = null;
        d.AddCallback(new Func<int, int>(_ =>
        {
            d.AddErrback(f => { seen = f; return 0; });
            throw new IOException();
        }));

        d.Callback(1);

        seen!.Exception.Should().BeOfType<IOException>();
    }

    [Fact]
    public void Deep_chain_of_pending_deferreds_fires_without_overflowing_the_stack()
    {
        const int depth = 10_000;
        var deferreds = new Deferred<int>[depth + 1];
        for (int i = 0; i <= depth; i++)
        {
            deferreds[i] = new Deferred<int>();
        }

        for (int i = 0; i < depth; i++)
        {
            Deferred<int> next = deferreds[i + 1];
            deferreds[i].AddCallback(_ => next);
        }

        // Each fire makes deferreds[i] wait on the still-pending deferreds[i + 1].
        for (int i = 0; i < depth; i++)
        {
            deferreds[i].Callback(0);
        }

        AssertNoResult(deferreds[0]);
        deferreds[depth].Callback(42);

        SuccessResultOf(deferreds[0]).Should().Be(42);
    }

    [Fact]
    public void Deep_chain_of_already_fired_deferreds_resolves_without_overflowing_the_stack()
    {
        const int depth = 10_000;
        Deferred<int> innermost = new();
        Deferred<int> current = innermost;
        for (int i = 0; i < depth; i++)
        {
            Deferred<int> wrapped = current;
            var outer = new Deferred<int>();
            outer.AddCallback(_ => wrapped);
            outer.Callback(0);
            current = outer;
        }

        innermost.Callback(5);

        SuccessResultOf(current).Should().Be(5);
    }

    [Fact]
    public void Cancel_on_a_deep_chain_reaches_the_innermost_deferred()
    {
        const int depth = 10_000;
        var innermost = new Deferred<int>();
        Deferred<int> current = innermost;
        for (int i = 0; i < depth; i++)
        {
            Deferred<int> wrapped = current;
            var outer = new Deferred<int>();
            outer.AddCallback(_ => wrapped);
            outer.Callback(0);
            current = outer;
        }

        current.Cancel();

        FailureResultOf(current).Exception.Should().BeOfType<CancelledException>();
    }
}
