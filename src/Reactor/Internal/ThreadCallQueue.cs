namespace Reactor.Internal;

/// <summary>
/// The queue behind <c>CallFromThread</c> and the reactor's <see cref="SynchronizationContext"/>: any thread adds, the
/// reactor thread drains. Two lists swapped under a lock, so draining never blocks producers for long and a call queued
/// while draining waits for the next iteration (Twisted's <c>testCallFromThreadStops</c>: no livelock).
/// </summary>
internal sealed class ThreadCallQueue
{
    private readonly Lock _lock = new();
    private List<Item> _incoming = new(64);
    private List<Item> _draining = new(64);
    private volatile int _pending;
    private bool _closed;

    /// <summary><c>true</c> when calls are waiting (a racy read, fine for choosing a poll timeout: producers also wake the loop).</summary>
    internal bool HasPending => _pending != 0;

    /// <summary>Adds a call; <c>false</c> when the queue is closed (the reactor has shut down).</summary>
    internal bool Enqueue(Action callback) => Enqueue(new Item(callback, null, null));

    /// <summary>Adds a <see cref="SynchronizationContext.Post"/> call without allocating a closure.</summary>
    internal bool Enqueue(SendOrPostCallback callback, object? state) => Enqueue(new Item(null, callback, state));

    /// <summary>Runs every call queued before this call began, in order.</summary>
    /// <returns>How many calls ran.</returns>
    internal int RunPending(Action<Exception> onError)
    {
        List<Item> batch;
        lock (_lock)
        {
            if (_incoming.Count == 0)
            {
                return 0;
            }

            batch = _incoming;
            _incoming = _draining;
            _draining = batch;
            _pending = 0;
        }

        var count = batch.Count;
        var timed = ReactorMetrics.CallbackDuration.Enabled;
        for (var i = 0; i < count; i++)
        {
            var item = batch[i];
            var start = timed ? System.Diagnostics.Stopwatch.GetTimestamp() : 0;
            try
            {
                if (item.Action is not null)
                {
                    item.Action();
                }
                else
                {
                    item.Post!(item.State);
                }
            }
            catch (Exception e)
            {
                onError(e);
            }

            if (timed)
            {
                ReactorMetrics.RecordCallbackDuration(start, ReactorMetrics.ThreadCallKind);
            }
        }

        batch.Clear();
        return count;
    }

    /// <summary>Refuses further calls; returns how many queued calls will now never run.</summary>
    internal int Close()
    {
        lock (_lock)
        {
            _closed = true;
            var dropped = _incoming.Count;
            _incoming.Clear();
            _pending = 0;
            return dropped;
        }
    }

    private bool Enqueue(Item item)
    {
        lock (_lock)
        {
            if (_closed)
            {
                return false;
            }

            _incoming.Add(item);
            _pending = 1;
        }

        return true;
    }

    private readonly record struct Item(Action? Action, SendOrPostCallback? Post, object? State);
}
