using Microsoft.Extensions.Logging;
using Reactor.Internal;
using Reactor.Tests.Support;
using static Reactor.Tests.Deferreds.DeferredAssertions;

namespace Reactor.Tests.Deferreds;

public class DeferredListTests
{
    [Fact]
    public void List_fires_with_outcomes_in_input_order_once_all_inputs_fired()
    {
        var a = new Deferred<int>();
        var b = new Deferred<int>();
        var c = new Deferred<int>();
        var exception = new IOException();
        var list = new DeferredList<int>([a, b, c]);

        c.Callback(3);
        b.Errback(exception);
        AssertNoResult(list);
        a.Callback(1);

        IReadOnlyList<DeferredOutcome<int>> outcomes = SuccessResultOf(list);
        outcomes.Should().HaveCount(3);
        outcomes[0].Should().Be(new DeferredOutcome<int>(true, 1, null));
        outcomes[1].Succeeded.Should().BeFalse();
        outcomes[1].Failure!.Exception.Should().BeSameAs(exception);
        outcomes[2].Should().Be(new DeferredOutcome<int>(true, 3, null));
        FailureResultOf(b);
    }

    [Fact]
    public void Empty_list_fires_an_empty_list_at_once()
    {
        var list = new DeferredList<int>([]);

        SuccessResultOf(list).Should().BeEmpty();
    }

    [Fact]
    public void Empty_list_with_fireOnOneCallback_never_fires()
    {
        var list = new DeferredList<int>([], fireOnOneCallback: true);

        list.Called.Should().BeFalse();
    }

    [Fact]
    public void List_of_already_fired_deferreds_fires_at_once()
    {
        var exception = new IOException();
        var failed = Deferred.Fail<string>(exception);
        var list = new DeferredList<string>([Deferred.Succeed("x"), failed]);

        IReadOnlyList<DeferredOutcome<string>> outcomes = SuccessResultOf(list);
        outcomes[0].Result.Should().Be("x");
        outcomes[1].Failure!.Exception.Should().BeSameAs(exception);
        FailureResultOf(failed);
    }

    [Fact]
    public void List_with_fireOnOneErrback_and_already_failed_input_fails_at_once()
    {
        var exception = new IOException();
        var list = new DeferredList<string>([Deferred.Succeed("x"), Deferred.Fail<string>(exception)], fireOnOneErrback: true, consumeErrors: true);

        var error = FailureResultOf(list).Exception.Should().BeOfType<FirstErrorException>().Subject;
        error.Index.Should().Be(1);
        error.SubFailure.Exception.Should().BeSameAs(exception);
    }

    [Fact]
    public void FireOnOneErrback_fails_with_FirstError_on_the_first_failure()
    {
        var a = new Deferred<int>();
        var b = new Deferred<int>();
        var list = new DeferredList<int>([a, b], fireOnOneErrback: true, consumeErrors: true);
        var exception = new IOException();

        b.Errback(exception);

        var error = FailureResultOf(list).Exception.Should().BeOfType<FirstErrorException>().Subject;
        error.Index.Should().Be(1);
        error.SubFailure.Exception.Should().BeSameAs(exception);
        error.InnerException.Should().BeSameAs(exception);
        a.Callback(1);
    }

    [Fact]
    public void FireOnOneErrback_still_fires_with_all_outcomes_when_everything_succeeds()
    {
        var list = new DeferredList<int>([Deferred.Succeed(1), Deferred.Succeed(2)], fireOnOneErrback: true);

        SuccessResultOf(list).Select(o => o.Result).Should().Equal(1, 2);
    }

    [Fact]
    public void FireOnOneCallback_fires_with_the_first_success_and_its_index()
    {
        var a = new Deferred<int>();
        var b = new Deferred<int>();
        var list = new DeferredList<int>([a, b], fireOnOneCallback: true);

        b.Callback(20);

        SuccessResultOf(list).Should().ContainSingle().Which.Should().Be(new DeferredOutcome<int>(true, 20, null));
        list.FirstResultIndex.Should().Be(1);
        a.Called.Should().BeFalse("fireOnOneCallback leaves the other inputs running");
    }

    [Fact]
    public void FireOnOneCallback_fires_with_all_outcomes_when_every_input_fails()
    {
        var a = new Deferred<int>();
        var b = new Deferred<int>();
        var list = new DeferredList<int>([a, b], fireOnOneCallback: true, consumeErrors: true);

        a.Errback(new IOException());
        b.Errback(new IOException());

        SuccessResultOf(list).Should().HaveCount(2).And.OnlyContain(o => !o.Succeeded);
        list.FirstResultIndex.Should().Be(-1);
    }

    [Fact]
    public void Both_flags_fire_on_whichever_comes_first()
    {
        var a = new Deferred<int>();
        var b = new Deferred<int>();
        var list = new DeferredList<int>([a, b], fireOnOneCallback: true, fireOnOneErrback: true, consumeErrors: true);

        a.Errback(new IOException());

        FailureResultOf(list).Exception.Should().BeOfType<FirstErrorException>().Which.Index.Should().Be(0);
        b.Callback(1);
    }

    [Fact]
    public void Without_consumeErrors_the_input_keeps_its_failure()
    {
        var exception = new IOException();
        var a = new Deferred<int>();
        _ = new DeferredList<int>([a]);

        a.Errback(exception);

        FailureResultOf(a).Exception.Should().BeSameAs(exception);
    }

    [Fact]
    public void With_consumeErrors_the_input_failure_becomes_default()
    {
        var a = new Deferred<int>();
        _ = new DeferredList<int>([a], consumeErrors: true);

        a.Errback(new IOException());

        SuccessResultOf(a).Should().Be(0);
    }

    [Fact]
    public void Input_results_pass_through_the_list_callbacks()
    {
        var a = new Deferred<int>();
        _ = new DeferredList<int>([a]);

        a.Callback(9);

        SuccessResultOf(a).Should().Be(9);
    }

    [Fact]
    public void List_snapshots_its_inputs()
    {
        var inputs = new List<Deferred<int>> { new() };
        var list = new DeferredList<int>(inputs);
        inputs.Add(new Deferred<int>());

        inputs[0].Callback(1);

        SuccessResultOf(list).Should().HaveCount(1);
    }

    [Fact]
    public void Cancel_cancels_every_input_and_the_list_fires_with_their_cancellations()
    {
        var a = new Deferred<int>();
        var b = new Deferred<int>();
        var list = new DeferredList<int>([a, b], consumeErrors: true);

        list.Cancel();

        IReadOnlyList<DeferredOutcome<int>> outcomes = SuccessResultOf(list);
        outcomes.Should().OnlyContain(o => o.Failure!.Exception is CancelledException);
    }

    [Fact]
    public void Cancel_with_fireOnOneErrback_fails_with_FirstError_of_the_cancellation()
    {
        var a = new Deferred<int>();
        var b = new Deferred<int>();
        var list = new DeferredList<int>([a, b], fireOnOneErrback: true, consumeErrors: true);

        list.Cancel();

        FailureResultOf(list).Exception.Should().BeOfType<FirstErrorException>()
            .Which.SubFailure.Exception.Should().BeOfType<CancelledException>();
        b.Called.Should().BeTrue();
    }

    [Fact]
    public void Cancel_with_some_inputs_already_fired_cancels_only_the_rest()
    {
        var a = Deferred.Succeed(1);
        var b = new Deferred<int>();
        var list = new DeferredList<int>([a, b], consumeErrors: true);

        list.Cancel();

        IReadOnlyList<DeferredOutcome<int>> outcomes = SuccessResultOf(list);
        outcomes[0].Result.Should().Be(1);
        outcomes[1].Failure!.Exception.Should().BeOfType<CancelledException>();
    }

    [Fact]
    public void Cancel_after_the_list_fired_is_a_no_op()
    {
        int cancellerCalls = 0;
        var a = new Deferred<int>(_ => cancellerCalls++);
        var b = Deferred.Succeed(2);
        var list = new DeferredList<int>([a, b], fireOnOneCallback: true);

        list.Cancel();

        cancellerCalls.Should().Be(0);
        list.FirstResultIndex.Should().Be(1);
    }

    [Fact]
    public void Cancel_goes_on_after_a_canceller_throws_and_logs_the_exception()
    {
        using var logs = new TestLoggerFactory();
        ILogger? previous = AmbientReactor.Logger;
        AmbientReactor.Logger = logs.CreateLogger("Reactor");
        try
        {
            var throwing = new Deferred<int>(_ => throw new InvalidOperationException("canceller broke"));
            var other = new Deferred<int>();
            var list = new DeferredList<int>([throwing, other], consumeErrors: true);

            list.Cancel();

            other.Called.Should().BeTrue();
            logs.Records.Should().ContainSingle(r => r.EventId.Id == 101 && r.Exception!.Message == "canceller broke");
            // The throwing input did not fire, so the list fails with its own cancellation; a late result is ignored.
            FailureResultOf(list).Exception.Should().BeOfType<CancelledException>();
            throwing.Callback(1);
        }
        finally
        {
            AmbientReactor.Logger = previous;
        }
    }

    [Fact]
    public void GatherResults_fires_with_the_results_in_input_order()
    {
        var a = new Deferred<string>();
        var b = new Deferred<string>();
        Deferred<IReadOnlyList<string>> all = Deferred.GatherResults([a, b]);

        b.Callback("b");
        a.Callback("a");

        SuccessResultOf(all).Should().Equal("a", "b");
    }

    [Fact]
    public void GatherResults_fails_with_FirstError_and_keeps_the_input_failure_without_consumeErrors()
    {
        var exception = new IOException();
        var a = new Deferred<string>();
        var b = new Deferred<string>();
        Deferred<IReadOnlyList<string>> all = Deferred.GatherResults([a, b]);

        a.Errback(exception);

        var error = FailureResultOf(all).Exception.Should().BeOfType<FirstErrorException>().Subject;
        error.Index.Should().Be(0);
        error.SubFailure.Exception.Should().BeSameAs(exception);
        FailureResultOf(a).Exception.Should().BeSameAs(exception);
        b.Callback("late");
    }

    [Fact]
    public void GatherResults_with_consumeErrors_consumes_the_input_failure()
    {
        var a = new Deferred<string>();
        Deferred<IReadOnlyList<string>> all = Deferred.GatherResults([a], consumeErrors: true);

        a.Errback(new IOException());

        SuccessResultOf(a).Should().BeNull();
        FailureResultOf(all);
    }

    [Fact]
    public void Cancelling_GatherResults_cancels_the_inputs()
    {
        var a = new Deferred<int>();
        var b = new Deferred<int>();
        Deferred<IReadOnlyList<int>> all = Deferred.GatherResults([a, b], consumeErrors: true);

        all.Cancel();

        a.Called.Should().BeTrue();
        b.Called.Should().BeTrue();
        FailureResultOf(all).Exception.Should().BeOfType<FirstErrorException>()
            .Which.SubFailure.Exception.Should().BeOfType<CancelledException>();
    }

    [Fact]
    public void Cancelling_GatherResults_whose_inputs_all_succeed_on_cancel_gives_the_results()
    {
        var a = new Deferred<int>(self => self.Callback(1));
        var b = new Deferred<int>(self => self.Callback(2));
        Deferred<IReadOnlyList<int>> all = Deferred.GatherResults([a, b]);

        all.Cancel();

        SuccessResultOf(all).Should().Equal(1, 2);
    }

    [Fact]
    public void Race_fires_with_the_first_success_and_cancels_the_others()
    {
        var a = new Deferred<int>();
        var b = new Deferred<int>();
        var c = new Deferred<int>();
        Deferred<(int Index, int Result)> race = Deferred.Race([a, b, c]);

        b.Callback(5);

        SuccessResultOf(race).Should().Be((1, 5));
        a.Called.Should().BeTrue();
        c.Called.Should().BeTrue();
    }

    [Fact]
    public void Race_fails_with_all_exceptions_when_every_input_fails()
    {
        var first = new IOException("1");
        var second = new FormatException("2");
        var a = new Deferred<int>();
        var b = new Deferred<int>();
        Deferred<(int Index, int Result)> race = Deferred.Race([a, b]);

        b.Errback(second);
        AssertNoResult(race);
        a.Errback(first);

        FailureResultOf(race).Exception.Should().BeOfType<AggregateException>()
            .Which.InnerExceptions.Should().Equal(first, second);
    }

    [Fact]
    public void Cancelling_a_race_cancels_every_input()
    {
        var a = new Deferred<int>();
        var b = new Deferred<int>();
        Deferred<(int Index, int Result)> race = Deferred.Race([a, b]);

        race.Cancel();

        a.Called.Should().BeTrue();
        b.Called.Should().BeTrue();
        FailureResultOf(race).Exception.Should().BeOfType<AggregateException>();
    }
}
