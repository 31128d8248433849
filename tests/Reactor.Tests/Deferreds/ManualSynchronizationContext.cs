namespace Reactor.Tests.Deferreds;

/// <summary>
/// Stands in for the reactor's SynchronizationContext: <see cref="Post"/> queues work, and the test runs it with
/// <see cref="RunPending"/>, like one iteration of the reactor loop.
/// </summary>
internal sealed class ManualSynchronizationContext : SynchronizationContext
{
    private readonly Queue<(SendOrPostCallback Callback, object? State)> _pending = new();
    private readonly SemaphoreSlim _posted = new(0);

    public int PendingCount
    {
        get
        {
            lock (_pending)
            {
                return _pending.Count;
            }
        }
    }

    public override void Post(SendOrPostCallback d, object? state)
    {
        lock (_pending)
        {
            _pending.Enqueue((d, state));
        }

        _posted.Release();
    }

    /// <summary>Waits (bounded) until something is posted from any thread, then runs the pending work.</summary>
    public bool WaitAndRunPending(TimeSpan timeout)
    {
        if (!_posted.Wait(timeout))
        {
            return false;
        }

        RunPending();
        return true;
    }

    public override void Send(SendOrPostCallback d, object? state) => throw new NotSupportedException();

    /// <summary>Runs the queued work (and work it queues), with this context installed, on the calling thread.</summary>
    public void RunPending()
    {
        using var scope = new SynchronizationContextScope(this);
        while (true)
        {
            (SendOrPostCallback Callback, object? State) item;
            lock (_pending)
            {
                if (_pending.Count == 0)
                {
                    return;
                }

                item = _pending.Dequeue();
            }

            item.Callback(item.State);
        }
    }
}

/// <summary>Installs a SynchronizationContext (or none) on the current thread for the duration of a test.</summary>
internal sealed class SynchronizationContextScope : IDisposable
{
    private readonly SynchronizationContext? _previous = SynchronizationContext.Current;

    public SynchronizationContextScope(SynchronizationContext? context) => SynchronizationContext.SetSynchronizationContext(context);

    public void Dispose() => SynchronizationContext.SetSynchronizationContext(_previous);
}
