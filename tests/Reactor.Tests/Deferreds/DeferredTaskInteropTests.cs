using static Reactor.Tests.Deferreds.DeferredAssertions;

namespace Reactor.Tests.Deferreds;

public class DeferredTaskInteropTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30); // the thread pool is slow to grow on a loaded 2-core machine

    [Fact]
    public void AsTask_completes_with_the_result()
    {
        var d = new Deferred<string>();
        Task<string> task = d.AsTask();

        d.Callback("ok");

        BoundedResult(task).Should().Be("ok");
    }

    [Fact]
    public void AsTask_faults_with_the_failure_exception()
    {
        var exception = new IOException();
        var d = new Deferred<string>();
        Task<string> task = d.AsTask();

        d.Errback(exception);

        ((IAsyncResult)task).AsyncWaitHandle.WaitOne(Bound).Should().BeTrue();
        task.IsFaulted.Should().BeTrue();
        task.Exception!.InnerException.Should().BeSameAs(exception);
    }

    [Fact]
    public void AsTask_of_a_cancelled_deferred_is_a_cancelled_task()
    {
        var d = new Deferred<string>();
        Task<string> task = d.AsTask();

        d.Cancel();

        ((IAsyncResult)task).AsyncWaitHandle.WaitOne(Bound).Should().BeTrue();
        task.IsCanceled.Should().BeTrue();
    }

    [Fact]
    public void AsTask_token_cancels_the_deferred()
    {
        using var scope = new SynchronizationContextScope(null);
        using var cancellation = new CancellationTokenSource();
        var d = new Deferred<string>();
        Task<string> task = d.AsTask(cancellation.Token);

        cancellation.Cancel();

        d.Called.Should().BeTrue();
        ((IAsyncResult)task).AsyncWaitHandle.WaitOne(Bound).Should().BeTrue();
        task.IsCanceled.Should().BeTrue();
    }

    [Fact]
    public void AsTask_token_cancels_through_the_captured_synchronization_context()
    {
        var loop = new ManualSynchronizationContext();
        using var cancellation = new CancellationTokenSource();
        var d = new Deferred<string>();
        using (new SynchronizationContextScope(loop))
        {
            _ = d.AsTask(cancellation.Token);
        }

        cancellation.Cancel();
        d.Called.Should().BeFalse();
        loop.RunPending();

        d.Called.Should().BeTrue();
    }

    [Fact]
    public void FromTask_of_a_completed_task_fires_at_once()
    {
        Deferred<int> d = Deferred.FromTask(Task.FromResult(3));

        SuccessResultOf(d).Should().Be(3);
    }

    [Fact]
    public void FromTask_without_a_synchronization_context_fires_on_the_completing_thread()
    {
        using var scope = new SynchronizationContextScope(null);
        var source = new TaskCompletionSource<int>();
        Deferred<int> d = Deferred.FromTask(source.Task);
        d.Called.Should().BeFalse();

        source.SetResult(8);

        SuccessResultOf(d).Should().Be(8);
    }

    [Fact]
    public void FromTask_fires_through_the_captured_synchronization_context()
    {
        var loop = new ManualSynchronizationContext();
        var source = new TaskCompletionSource<int>();
        Deferred<int> d;
        using (new SynchronizationContextScope(loop))
        {
            d = Deferred.FromTask(source.Task);
        }

        source.SetResult(8);
        d.Called.Should().BeFalse();
        loop.RunPending();

        SuccessResultOf(d).Should().Be(8);
    }

    [Fact]
    public void FromTask_of_a_faulted_task_fails_with_its_exception()
    {
        var exception = new IOException();

        Deferred<int> d = Deferred.FromTask(Task.FromException<int>(exception));

        FailureResultOf(d).Exception.Should().BeSameAs(exception);
    }

    [Fact]
    public void FromTask_of_a_cancelled_task_fails_with_CancelledException()
    {
        Deferred<int> d = Deferred.FromTask(Task.FromCanceled<int>(new CancellationToken(true)));

        FailureResultOf(d).Exception.Should().BeOfType<CancelledException>();
    }

    [Fact]
    public void FromTask_of_a_plain_task_fires_with_null()
    {
        using var scope = new SynchronizationContextScope(null);
        var source = new TaskCompletionSource();
        Deferred<object?> d = Deferred.FromTask(source.Task);

        source.SetResult();

        d.Called.Should().BeTrue();
        SuccessResultOf(d).Should().BeNull();
    }

    [Fact]
    public void Cancelling_a_FromTask_deferred_fails_it_at_once_and_ignores_the_late_result()
    {
        using var scope = new SynchronizationContextScope(null);
        var source = new TaskCompletionSource<int>();
        Deferred<int> d = Deferred.FromTask(source.Task);

        d.Cancel();
        source.SetResult(1);

        FailureResultOf(d).Exception.Should().BeOfType<CancelledException>();
    }

    [Fact]
    public void FromAsync_cancel_cancels_the_token()
    {
        using var scope = new SynchronizationContextScope(null);
        CancellationToken seen = default;
        var source = new TaskCompletionSource<int>();
        Deferred<int> d = Deferred.FromAsync(token =>
        {
            seen = token;
            token.Register(() => source.TrySetCanceled(token));
            return source.Task;
        });

        d.Cancel();

        seen.IsCancellationRequested.Should().BeTrue();
        FailureResultOf(d).Exception.Should().BeOfType<CancelledException>();
    }

    [Fact]
    public void FromAsync_cancel_fails_at_once_even_when_the_task_completes_later()
    {
        var loop = new ManualSynchronizationContext();
        var source = new TaskCompletionSource<int>();
        Deferred<int> d;
        using (new SynchronizationContextScope(loop))
        {
            d = Deferred.FromAsync(_ => source.Task);
        }

        d.Cancel();
        source.SetResult(3);
        loop.RunPending();

        FailureResultOf(d).Exception.Should().BeOfType<CancelledException>();
    }

    [Fact]
    public void FromAsync_delivers_the_task_result()
    {
        using var scope = new SynchronizationContextScope(null);
        var source = new TaskCompletionSource<string>();
        Deferred<string> d = Deferred.FromAsync(_ => source.Task);

        source.SetResult("hi");

        SuccessResultOf(d).Should().Be("hi");
    }

    [Fact]
    public void FromAsync_turns_a_synchronous_throw_into_a_failure()
    {
        var exception = new IOException();

        Deferred<string> d = Deferred.FromAsync<string>(_ => throw exception);

        FailureResultOf(d).Exception.Should().BeSameAs(exception);
    }

    [Fact]
    public void FromAsync_runs_a_real_async_method_and_fires_on_the_loop_thread()
    {
        var loop = new ManualSynchronizationContext();
        int loopThread = Environment.CurrentManagedThreadId;
        int firedOn = -1;
        Deferred<int> d;
        using (new SynchronizationContextScope(loop))
        {
            d = Deferred.FromAsync(async token =>
            {
                await Task.Delay(1, token).ConfigureAwait(false);
                return 21 * 2;
            });
            d.AddCallback(_ => { firedOn = Environment.CurrentManagedThreadId; });
        }

        loop.WaitAndRunPending(Bound).Should().BeTrue();

        SuccessResultOf(d).Should().Be(42);
        firedOn.Should().Be(loopThread);
    }
}
