using static Reactor.Tests.Deferreds.DeferredAssertions;

namespace Reactor.Tests.Deferreds;

public class DeferredAwaitTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(5);

    [Fact]
    public void Await_returns_the_result_when_the_deferred_fires()
    {
        using var scope = new SynchronizationContextScope(null);
        var d = new Deferred<int>();
        Task<int> awaiting = AwaitAsync(d);
        awaiting.IsCompleted.Should().BeFalse();

        d.Callback(5);

        BoundedResult(awaiting).Should().Be(5);
    }

    [Fact]
    public void Await_of_an_already_fired_deferred_completes_synchronously()
    {
        using var scope = new SynchronizationContextScope(null);

        Task<int> awaiting = AwaitAsync(Deferred.Succeed(3));

        awaiting.IsCompleted.Should().BeTrue();
        BoundedResult(awaiting).Should().Be(3);
    }

    [Fact]
    public async Task Await_throws_the_failure_exception()
    {
        var exception = new IOException("disk");
        var d = new Deferred<int>();
        Task<int> awaiting = AwaitAsync(d);

        d.Errback(exception);

        (await FluentActions.Awaiting(() => awaiting).Should().ThrowAsync<IOException>()).Which.Should().BeSameAs(exception);
    }

    [Fact]
    public async Task Await_of_a_cancelled_deferred_throws_OperationCanceledException()
    {
        var d = new Deferred<int>();
        Task<int> awaiting = AwaitAsync(d);

        d.Cancel();

        await FluentActions.Awaiting(() => awaiting).Should().ThrowAsync<OperationCanceledException>();
        awaiting.IsCanceled.Should().BeTrue();
    }

    [Fact]
    public void Await_without_a_synchronization_context_resumes_inside_the_callback_chain()
    {
        using var scope = new SynchronizationContextScope(null);
        var order = new List<string>();
        var d = new Deferred<int>();
        _ = RecordAsync(d, order);

        d.Callback(1);
        order.Add("after Callback");

        order.Should().Equal("resumed 1", "after Callback");
    }

    [Fact]
    public void Await_with_a_synchronization_context_posts_the_continuation_to_it()
    {
        var loop = new ManualSynchronizationContext();
        var order = new List<string>();
        var d = new Deferred<int>();
        int awaitingThread = Environment.CurrentManagedThreadId;
        int resumedThread = -1;
        Task awaiting;
        using (new SynchronizationContextScope(loop))
        {
            awaiting = RecordAsync(d, order, () => resumedThread = Environment.CurrentManagedThreadId);
        }

        d.Callback(1);
        order.Add("after Callback");
        loop.PendingCount.Should().Be(1);
        order.Should().Equal("after Callback");

        loop.RunPending();

        order.Should().Equal("after Callback", "resumed 1");
        resumedThread.Should().Be(awaitingThread);
        ((IAsyncResult)awaiting).AsyncWaitHandle.WaitOne(Bound).Should().BeTrue();
    }

    [Fact]
    public void Await_posts_even_when_the_deferred_fires_on_the_captured_context()
    {
        var loop = new ManualSynchronizationContext();
        var order = new List<string>();
        var d = new Deferred<int>();
        using var scope = new SynchronizationContextScope(loop);
        _ = RecordAsync(d, order);

        d.Callback(1);

        order.Should().BeEmpty();
        loop.RunPending();
        order.Should().Equal("resumed 1");
    }

    [Fact]
    public void Await_leaves_the_result_in_place_for_later_callbacks()
    {
        using var scope = new SynchronizationContextScope(null);
        var d = new Deferred<int>();
        _ = AwaitAsync(d);

        d.Callback(4);

        SuccessResultOf(d).Should().Be(4);
    }

    [Fact]
    public void GetResult_before_the_deferred_fires_throws()
    {
        var awaiter = new Deferred<int>().GetAwaiter();

        awaiter.IsCompleted.Should().BeFalse();
        FluentActions.Invoking(() => awaiter.GetResult()).Should().Throw<InvalidOperationException>();
    }

    [Fact]
    public void OnCompleted_flows_the_execution_context()
    {
        using var scope = new SynchronizationContextScope(null);
        var local = new AsyncLocal<string>();
        var d = new Deferred<int>();
        string? seen = null;
        local.Value = "captured";
        d.GetAwaiter().OnCompleted(() => seen = local.Value);
        local.Value = "changed";

        d.Callback(1);

        seen.Should().Be("captured");
    }

    private static async Task<int> AwaitAsync(Deferred<int> d) => await d;

    private static async Task RecordAsync(Deferred<int> d, List<string> order, Action? onResume = null)
    {
        int value = await d;
        onResume?.Invoke();
        order.Add("resumed " + value);
    }
}
