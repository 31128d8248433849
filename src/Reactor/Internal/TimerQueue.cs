namespace Reactor.Internal;

/// <summary>
/// The timed calls of one clock, in a binary min-heap ordered by due time and then by scheduling order
/// (decision D10: equal due times run first-scheduled first). Each call knows its heap position, so
/// cancel and reset are O(log n) and leave nothing behind in the heap.
/// </summary>
internal sealed class TimerQueue
{
    private readonly Func<long> _now;
    private readonly Action _verifyAccess;
    private readonly bool _instrumented;
    private DelayedCall[] _heap = new DelayedCall[16];
    private int _count;
    private long _nextSequence;

    /// <param name="now">The clock: current time in <see cref="TimeSpan"/> ticks, never decreasing.</param>
    /// <param name="verifyAccess">Throws when called off the owning thread.</param>
    /// <param name="instrumented">Whether runs feed the <c>reactor.timer.*</c> and <c>reactor.callback.*</c> metrics (a reactor's timers; not a test <c>Clock</c>'s).</param>
    internal TimerQueue(Func<long> now, Action verifyAccess, bool instrumented = false)
    {
        _now = now;
        _verifyAccess = verifyAccess;
        _instrumented = instrumented;
    }

    internal int Count => _count;

    internal static double ToSeconds(long ticks) => ticks / (double)TimeSpan.TicksPerSecond;

    internal long NowTicks() => _now();

    internal void VerifyAccess() => _verifyAccess();

    /// <summary>The due time of the earliest call, or <c>null</c> when there is none.</summary>
    internal long? NextDueTicks => _count == 0 ? null : _heap[0].DueTicks;

    internal DelayedCall Schedule(TimeSpan delay, Action callback)
    {
        ArgumentNullException.ThrowIfNull(callback);
        ArgumentOutOfRangeException.ThrowIfLessThan(delay, TimeSpan.Zero);
        _verifyAccess();
        var call = new DelayedCall(this, callback, _now() + delay.Ticks, _nextSequence++);
        Insert(call);
        return call;
    }

    internal void Remove(DelayedCall call)
    {
        var index = call.HeapIndex;
        if (index < 0)
        {
            return;
        }

        var last = _heap[--_count];
        _heap[_count] = null!;
        call.HeapIndex = -1;
        if (index < _count)
        {
            Place(last, index);
            if (!SiftUp(index))
            {
                SiftDown(index);
            }
        }
    }

    internal void Reschedule(DelayedCall call, long dueTicks)
    {
        Remove(call);
        call.DueTicks = dueTicks;
        call.Sequence = _nextSequence++;
        Insert(call);
    }

    /// <summary>
    /// Runs the calls due at <paramref name="nowTicks"/> that were scheduled before this pass began; a call scheduled
    /// (or reset) by one of them waits for the next pass even when already due, so <c>CallLater(0)</c> never runs
    /// re-entrantly and cannot starve I/O.
    /// </summary>
    /// <returns>How many calls ran.</returns>
    internal int RunDue(long nowTicks, Action<Exception> onError)
    {
        var sequenceBound = _nextSequence;
        var ran = 0;
        while (_count > 0)
        {
            var call = _heap[0];
            if (call.DueTicks > nowTicks || call.Sequence >= sequenceBound)
            {
                break;
            }

            Remove(call);
            call.MarkCalled();
            ran++;
            try
            {
                if (_instrumented && (ReactorMetrics.TimerLateness.Enabled || ReactorMetrics.CallbackDuration.Enabled))
                {
                    // Lateness from the start of this pass: calls ahead of this one in the pass count as on time.
                    ReactorMetrics.RunTimedCall(call.Callback, nowTicks - call.DueTicks);
                }
                else
                {
                    call.Callback();
                }
            }
            catch (Exception e)
            {
                onError(e);
            }
        }

        return ran;
    }

    internal IReadOnlyList<IDelayedCall> Snapshot()
    {
        var calls = new IDelayedCall[_count];
        Array.Copy(_heap, calls, _count);
        return calls;
    }

    private static bool Before(DelayedCall a, DelayedCall b) =>
        a.DueTicks < b.DueTicks || (a.DueTicks == b.DueTicks && a.Sequence < b.Sequence);

    private void Insert(DelayedCall call)
    {
        if (_count == _heap.Length)
        {
            Array.Resize(ref _heap, _heap.Length * 2);
        }

        Place(call, _count++);
        SiftUp(call.HeapIndex);
    }

    private void Place(DelayedCall call, int index)
    {
        _heap[index] = call;
        call.HeapIndex = index;
    }

    private bool SiftUp(int index)
    {
        var moved = false;
        var call = _heap[index];
        while (index > 0)
        {
            var parent = (index - 1) / 2;
            if (!Before(call, _heap[parent]))
            {
                break;
            }

            Place(_heap[parent], index);
            index = parent;
            moved = true;
        }

        Place(call, index);
        return moved;
    }

    private void SiftDown(int index)
    {
        var call = _heap[index];
        while (true)
        {
            var child = (2 * index) + 1;
            if (child >= _count)
            {
                break;
            }

            if (child + 1 < _count && Before(_heap[child + 1], _heap[child]))
            {
                child++;
            }

            if (!Before(_heap[child], call))
            {
                break;
            }

            Place(_heap[child], index);
            index = child;
        }

        Place(call, index);
    }
}
