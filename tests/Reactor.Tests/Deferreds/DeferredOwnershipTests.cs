using Reactor.Tests.Support;

namespace Reactor.Tests.Deferreds;

/// <summary>
/// Decision D42: a Deferred created on a running reactor's thread, or returned by the reactor, belongs to it and is
/// used on its thread only while it is open — as the reactor's own members (D12). Other Deferreds are not checked.
/// </summary>
public class DeferredOwnershipTests
{
    /// <summary>Runs <paramref name="onPoolThread"/> on a pool thread while <paramref name="reactor"/> runs, and returns what it threw.</summary>
    private static Exception? ThrownOnAPoolThreadWhileRunning(IReactor reactor, Func<Deferred<object?>> create, Func<Deferred<object?>, Task> onPoolThread)
    {
        Exception? thrown = null;
        reactor.CallWhenRunning(() =>
        {
            var deferred = create();
            Task.Run(async () =>
            {
                try
                {
                    await onPoolThread(deferred);
                }
                catch (Exception e)
                {
                    thrown = e;
                }
                finally
                {
                    reactor.CallFromThread(reactor.Stop);
                }
            });
        });
        reactor.RunWithTimeout();
        return thrown;
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void Awaiting_a_reactor_owned_Deferred_on_a_pool_thread_throws_at_the_await_instead_of_resuming_on_the_reactor_thread(ReactorBackend backend)
    {
        using var reactor = TestBackends.Create(backend);
        var resumedOn = -1;
        var thrown = ThrownOnAPoolThreadWhileRunning(
            reactor,
            () => reactor.DeferLater(TimeSpan.FromMilliseconds(20)),
            async d =>
            {
                await d;
                resumedOn = Environment.CurrentManagedThreadId;
            });

        thrown.Should().BeOfType<InvalidOperationException>().Which.Message.Should().Contain("D42").And.Contain("CallFromThread");
        resumedOn.Should().Be(-1, "the code after the await must never run");
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void A_Deferred_created_on_the_running_reactor_thread_cannot_be_fired_from_another_thread(ReactorBackend backend)
    {
        using var reactor = TestBackends.Create(backend);
        var thrown = ThrownOnAPoolThreadWhileRunning(
            reactor,
            () => new Deferred<object?>(),
            d =>
            {
                d.Callback(null);
                return Task.CompletedTask;
            });
        thrown.Should().BeOfType<InvalidOperationException>().Which.Message.Should().Contain("D42");
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void Adding_callbacks_cancelling_or_taking_a_task_of_a_reactor_owned_Deferred_from_another_thread_throws(ReactorBackend backend)
    {
        using var reactor = TestBackends.Create(backend);
        var results = new List<Exception?>();
        ThrownOnAPoolThreadWhileRunning(
            reactor,
            () => reactor.DeferLater(TimeSpan.FromSeconds(30)),
            d =>
            {
                foreach (var use in new Action[] { () => d.AddCallback(_ => { }), d.Cancel, () => d.AsTask(), d.Pause })
                {
                    results.Add(Record.Exception(use));
                }

                return Task.CompletedTask;
            });

        results.Should().HaveCount(4).And.OnlyContain(e => e is InvalidOperationException);
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void The_Deferreds_the_reactor_returns_belong_to_it_even_when_made_before_Run(ReactorBackend backend)
    {
        using var reactor = TestBackends.Create(backend);
        var port = reactor.ListenUdp(0, new RecordingProtocol(), "127.0.0.1");
        var owned = new Deferred[] { reactor.DeferLater(TimeSpan.FromSeconds(30)), reactor.DeferToThread(() => 1), port.StopListening() };
        var onPool = DeferredAssertions.BoundedResult(Task.Run(() => owned.Select(d => Record.Exception(d.Cancel)).ToList()));
        onPool.Should().HaveCount(3).And.OnlyContain(e => e is InvalidOperationException);
    }

    [Fact]
    public void A_Deferred_made_on_no_reactor_thread_has_no_owner_and_may_be_fired_from_another_thread()
    {
        var deferred = new Deferred<int>();
        DeferredAssertions.BoundedResult(Task.Run(() =>
        {
            deferred.Callback(5);
            return true;
        })).Should().BeTrue();
        DeferredAssertions.SuccessResultOf(deferred).Should().Be(5);
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void Once_its_reactor_has_shut_down_an_owned_Deferred_may_be_used_from_any_thread(ReactorBackend backend)
    {
        var reactor = TestBackends.Create(backend);
        Deferred<int>? deferred = null;
        reactor.CallWhenRunning(() =>
        {
            deferred = reactor.DeferLater(TimeSpan.Zero, () => 3);
            deferred.AddCallback(_ => reactor.Stop());
        });
        reactor.RunWithTimeout();

        DeferredAssertions.BoundedResult(Task.Run(async () => await deferred!)).Should().Be(3);
    }
}
