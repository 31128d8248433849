using System.Net;
using Reactor.Testing;
using Reactor.Tests.Support;

namespace Reactor.Tests.Resolve;

/// <summary>
/// A lookup's life once it is in flight (decision D9): delivery on the reactor thread (Twisted's
/// <c>testChildResolve</c>), the sum of the timeouts as its bound (<c>ThreadedResolverTests.test_timeout</c>), Cancel,
/// and cancellation at shutdown. Slow lookups come from a <see cref="FakeResolver"/> holding them; the only real lookup is
/// of <c>localhost</c>, answered from /etc/hosts.
/// </summary>
public class ResolveLifetimeTests
{
    private static readonly TimeSpan FiftyMilliseconds = TimeSpan.FromMilliseconds(50);

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void Localhost_resolves_to_127_0_0_1_later_on_the_reactor_thread(ReactorBackend backend)
    {
        using var reactor = TestBackends.Create(backend);
        Outcome<IPAddress>? outcome = null;
        var firedBeforeResolveReturned = true;
        var reactorThreadId = 0;
        reactor.CallWhenRunning(() =>
        {
            reactorThreadId = Environment.CurrentManagedThreadId;
            var lookup = reactor.Resolve("localhost");
            firedBeforeResolveReturned = lookup.Called;
            outcome = Outcome<IPAddress>.Of(lookup, reactor, reactor.Stop);
        });

        reactor.RunWithTimeout();

        firedBeforeResolveReturned.Should().BeFalse("the operating system's resolver runs on the worker pool");
        outcome!.Error.Should().BeNull();
        outcome.Value.Should().Be(IPAddress.Loopback);
        outcome.OnReactorThread.Should().BeTrue();
        outcome.ThreadId.Should().Be(reactorThreadId);
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void Localhost_through_ResolveAll_and_IPv4Only_includes_127_0_0_1(ReactorBackend backend)
    {
        using var reactor = TestBackends.Create(backend);
        Outcome<IReadOnlyList<IPAddress>>? all = null;
        Outcome<IPAddress>? v4 = null;
        reactor.CallWhenRunning(() =>
        {
            all = Outcome<IReadOnlyList<IPAddress>>.Of(reactor.ResolveAll("localhost"), reactor, StopWhenBothFired);
            v4 = Outcome<IPAddress>.Of(reactor.Resolve("localhost", preference: AddressPreference.IPv4Only), reactor, StopWhenBothFired);
        });

        void StopWhenBothFired()
        {
            if (all?.Fired == 1 && v4?.Fired == 1)
            {
                reactor.Stop();
            }
        }

        reactor.RunWithTimeout();

        all!.Value.Should().Contain(IPAddress.Loopback);
        v4!.Value.Should().Be(IPAddress.Loopback);
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void A_lookup_fails_when_the_sum_of_its_timeouts_has_passed_and_the_late_answer_is_discarded(ReactorBackend backend)
    {
        var logs = new TestLoggerFactory();
        using var reactor = TestBackends.Create(backend, logs);
        var resolver = new FakeResolver { HoldLookups = true };
        var answers = new AnswerRecordingResolver(resolver);
        reactor.InstallResolver(answers);
        var logsBefore = logs.Records.Count;
        double startedAt = 0;
        Outcome<IPAddress>? outcome = null;
        Exception? lateCompletionError = new InvalidOperationException("the late completion did not run");
        reactor.CallWhenRunning(() =>
        {
            startedAt = reactor.Seconds();
            outcome = Outcome<IPAddress>.Of(reactor.Resolve("slow.test", [FiftyMilliseconds, FiftyMilliseconds]), reactor, () =>
                reactor.CallLater(TimeSpan.Zero, () =>
                {
                    lateCompletionError = Record.Exception(() => resolver.Complete("slow.test", IPAddress.Loopback));
                    reactor.Stop();
                }));
        });

        reactor.RunWithTimeout();

        var error = outcome!.Error.Should().BeOfType<DnsLookupException>().Subject;
        error.Message.Should().Be("DNS lookup failed: slow.test.");
        error.InnerException.Should().BeOfType<TimeoutException>();
        (outcome.At - startedAt).Should().BeGreaterThanOrEqualTo(0.1, "the bound is the sum of the timeouts, not the first");
        (outcome.At - startedAt).Should().BeLessThan(5);
        lateCompletionError.Should().BeNull();
        outcome.Fired.Should().Be(1, "the late answer is discarded");
        resolver.PendingLookups.Should().Be(0);
        answers.ShouldAllBeConsumed();
        logs.Records.Count.Should().Be(logsBefore, "a discarded answer is not worth a log line");
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void The_timeouts_sum_bounds_the_lookup_and_default_to_60_seconds(ReactorBackend backend)
    {
        using var reactor = TestBackends.Create(backend);
        var resolver = new FakeResolver { HoldLookups = true };
        reactor.InstallResolver(resolver);

        double BoundOf(IReadOnlyList<TimeSpan>? timeouts)
        {
            var now = reactor.Seconds();
            var lookup = reactor.Resolve("slow.test", timeouts);
            var bound = reactor.GetDelayedCalls().Should().ContainSingle().Subject.Time - now;
            lookup.Cancel();
            Outcome<IPAddress>.Of(lookup, reactor);
            reactor.GetDelayedCalls().Should().BeEmpty("cancelling removes the lookup's timer");
            return bound;
        }

        BoundOf(null).Should().BeApproximately(60, 0.5, "Twisted's default timeouts are 1, 3, 11 and 45 seconds");
        BoundOf([]).Should().BeApproximately(60, 0.5, "an empty sequence means 60 seconds, as in Twisted's ThreadedResolver");
        BoundOf([TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(5)]).Should().BeApproximately(7, 0.5);
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void Cancel_fails_the_lookup_at_once_and_the_late_answer_is_discarded_silently(ReactorBackend backend)
    {
        var logs = new TestLoggerFactory();
        using var reactor = TestBackends.Create(backend, logs);
        var resolver = new FakeResolver { HoldLookups = true };
        resolver.Fail("slow.test", new IOException("late failure"));
        var answers = new AnswerRecordingResolver(resolver);
        reactor.InstallResolver(answers);
        var logsBefore = logs.Records.Count;

        var lookup = reactor.Resolve("slow.test");
        var all = reactor.ResolveAll("slow.test");
        var outcome = Outcome<IPAddress>.Of(lookup, reactor);
        var allOutcome = Outcome<IReadOnlyList<IPAddress>>.Of(all, reactor);
        outcome.Fired.Should().Be(0);

        lookup.Cancel();
        all.Cancel();

        outcome.Fired.Should().Be(1, "Cancel fails the Deferred before it returns");
        outcome.Error.Should().BeOfType<CancelledException>();
        allOutcome.Error.Should().BeOfType<CancelledException>();
        reactor.GetDelayedCalls().Should().BeEmpty();
        resolver.PendingLookups.Should().Be(2, "the resolver is not told; its answer is discarded when it comes");

        FluentActions.Invoking(() => resolver.Complete("slow.test")).Should().NotThrow();
        GC.Collect();
        GC.WaitForPendingFinalizers();

        outcome.Fired.Should().Be(1);
        allOutcome.Fired.Should().Be(1);
        answers.ShouldAllBeConsumed();
        logs.Records.Count.Should().Be(logsBefore, "neither the discarded failure nor the cancel is logged");
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void Lookups_pending_at_shutdown_are_cancelled_and_Run_returns(ReactorBackend backend)
    {
        using var reactor = TestBackends.Create(backend);
        var resolver = new FakeResolver { HoldLookups = true };
        reactor.InstallResolver(resolver);
        Outcome<IPAddress>? one = null;
        Outcome<IReadOnlyList<IPAddress>>? all = null;
        var runningWhenCancelled = true;
        reactor.CallWhenRunning(() =>
        {
            one = Outcome<IPAddress>.Of(reactor.Resolve("slow.test"), reactor, () => runningWhenCancelled = reactor.Running);
            all = Outcome<IReadOnlyList<IPAddress>>.Of(reactor.ResolveAll("slow.test"), reactor);
            reactor.Stop();
        });

        reactor.RunWithTimeout();

        one!.Error.Should().BeOfType<CancelledException>();
        all!.Error.Should().BeOfType<CancelledException>();
        runningWhenCancelled.Should().BeFalse("the lookups are cancelled by the shutdown event, not before it");
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void A_lookup_started_after_shutdown_fails_at_once(ReactorBackend backend)
    {
        using var reactor = TestBackends.Create(backend);
        var resolver = new FakeResolver { HoldLookups = true };
        reactor.InstallResolver(resolver);
        Outcome<IPAddress>? late = null;
        reactor.AddSystemEventTrigger(SystemEventPhase.After, SystemEvents.Shutdown, () =>
            late = Outcome<IPAddress>.Of(reactor.Resolve("late.test"), reactor));
        reactor.CallWhenRunning(reactor.Stop);

        reactor.RunWithTimeout();

        late!.Fired.Should().Be(1);
        late.Error.Should().BeOfType<CancelledException>();
        resolver.Lookups.Should().BeEmpty();
    }
}
