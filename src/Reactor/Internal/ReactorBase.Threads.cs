namespace Reactor.Internal;

/// <summary>The thread-crossing half of the reactor: CallFromThread, the synchronization context and the worker pool.</summary>
internal abstract partial class ReactorBase
{
    private readonly ThreadCallQueue _threadCalls;
    private readonly WorkerPool _workers;
    private readonly ReactorSynchronizationContext _synchronizationContext;
    private int _crossThreadStopQueued;
    private int _wakeUpPending;

    public bool IsInReactorThread => Environment.CurrentManagedThreadId == _ownerThreadId;

    /// <summary>The context installed on the reactor thread while it runs (a Deferred it owns posts continuations here).</summary>
    internal SynchronizationContext SynchronizationContext => _synchronizationContext;

    public void CallFromThread(Action callback)
    {
        ArgumentNullException.ThrowIfNull(callback);
        if (!_threadCalls.Enqueue(callback))
        {
            ReactorLog.CallDroppedAfterShutdown(Logger);
            return;
        }

        RequestWakeUp();
    }

    public void CallInThread(Action work)
    {
        ArgumentNullException.ThrowIfNull(work);
        _workers.Enqueue(work);
    }

    public Deferred<T> DeferToThread<T>(Func<T> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        VerifyAccess();
        var deferred = new Deferred<T>();
        deferred.SetOwner(this);
        _workers.Enqueue(() =>
        {
            T result;
            try
            {
                result = work();
            }
            catch (Exception e)
            {
                CallFromThread(() => deferred.Errback(e));
                return;
            }

            CallFromThread(() => deferred.Callback(result));
        });
        return deferred;
    }

    public void SuggestThreadPoolSize(int size)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
        _workers.MaxWorkers = size;
    }

    /// <summary>Queues a <see cref="System.Threading.SynchronizationContext.Post"/> continuation onto the loop.</summary>
    internal void PostFromAnyThread(SendOrPostCallback callback, object? state)
    {
        if (!_threadCalls.Enqueue(callback, state))
        {
            ReactorLog.CallDroppedAfterShutdown(Logger);
            return;
        }

        RequestWakeUp();
    }

    /// <summary>The backend calls this just before it blocks or right after it wakes, to re-arm wake-ups.</summary>
    protected void ClearWakeUpRequest() => Volatile.Write(ref _wakeUpPending, 0);

    private void RequestWakeUp()
    {
        // The loop computes a zero timeout when calls are pending, so the reactor thread never needs to wake itself;
        // other threads coalesce: one eventfd write until the loop has woken.
        if (!IsInReactorThread && Interlocked.Exchange(ref _wakeUpPending, 1) == 0)
        {
            WakeUp();
        }
    }
}
