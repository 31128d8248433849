namespace Reactor.Internal;

/// <summary>
/// Work the reactor thread queues for itself to run "soon": after the current callback has returned, in this
/// iteration (asyncio's <c>call_soon</c>). Transports use it so that nothing they owe a protocol — a
/// <c>ConnectionLost</c> after <c>LoseConnection</c>, a flush of writes made from a timer — ever runs inside the
/// protocol's own call. Allocation-free and lock-free: only the reactor thread adds and drains.
/// </summary>
/// <remarks>
/// The loop drains it after the timers of each iteration (and the wait for I/O does not block while it holds
/// anything). A call queued while draining runs in the next drain, so a call that queues itself cannot livelock the loop.
/// </remarks>
internal sealed class SoonCalls
{
    private List<Item> _incoming = new(16);
    private List<Item> _draining = new(16);

    internal bool HasPending => _incoming.Count > 0;

    internal void Add(SendOrPostCallback callback, object? state) => _incoming.Add(new Item(callback, state));

    /// <summary>Runs every call queued before this drain began, in order; an exception is passed to <paramref name="onError"/>.</summary>
    internal void RunPending(Action<Exception> onError)
    {
        if (_incoming.Count == 0)
        {
            return;
        }

        (_incoming, _draining) = (_draining, _incoming);
        var batch = _draining;
        for (var i = 0; i < batch.Count; i++)
        {
            var item = batch[i];
            try
            {
                item.Callback(item.State);
            }
            catch (Exception e)
            {
                onError(e);
            }
        }

        batch.Clear();
    }

    private readonly record struct Item(SendOrPostCallback Callback, object? State);
}
