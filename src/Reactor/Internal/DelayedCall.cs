namespace Reactor.Internal;

/// <summary>A call scheduled on a <see cref="TimerQueue"/>; the handle <c>CallLater</c> returns.</summary>
internal sealed class DelayedCall : IDelayedCall
{
    private readonly TimerQueue _queue;
    private State _state;

    internal DelayedCall(TimerQueue queue, Action callback, long dueTicks, long sequence)
    {
        _queue = queue;
        Callback = callback;
        DueTicks = dueTicks;
        Sequence = sequence;
    }

    private enum State
    {
        Pending,
        Called,
        Cancelled,
    }

    internal Action Callback { get; }

    /// <summary>When the call is due, in <see cref="TimeSpan"/> ticks on the queue's clock.</summary>
    internal long DueTicks { get; set; }

    /// <summary>Breaks ties between equal due times: lower runs first (decision D10: scheduling order).</summary>
    internal long Sequence { get; set; }

    /// <summary>Position in the queue's heap, or -1 when not in it.</summary>
    internal int HeapIndex { get; set; } = -1;

    public double Time => TimerQueue.ToSeconds(DueTicks);

    public bool Active => _state == State.Pending;

    public bool Called => _state == State.Called;

    public bool Cancelled => _state == State.Cancelled;

    public void Cancel()
    {
        ThrowUnlessPending();
        _state = State.Cancelled;
        _queue.Remove(this);
    }

    public void Reset(TimeSpan delayFromNow)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(delayFromNow, TimeSpan.Zero);
        ThrowUnlessPending();
        _queue.Reschedule(this, _queue.NowTicks() + delayFromNow.Ticks);
    }

    public void Delay(TimeSpan delay)
    {
        ThrowUnlessPending();
        _queue.Reschedule(this, DueTicks + delay.Ticks);
    }

    /// <summary>Marks the call as run; the queue calls this just before invoking it.</summary>
    internal void MarkCalled() => _state = State.Called;

    public override string ToString() =>
        $"<DelayedCall 0x{System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(this):x} [{(DueTicks - _queue.NowTicks()) / (double)TimeSpan.TicksPerSecond}s] " +
        $"called={(Called ? 1 : 0)} cancelled={(Cancelled ? 1 : 0)} {Callback.Method.Name}>";

    private void ThrowUnlessPending()
    {
        _queue.VerifyAccess();
        switch (_state)
        {
            case State.Called:
                throw new AlreadyCalledException("Tried to cancel an already-called event.");
            case State.Cancelled:
                throw new AlreadyCancelledException("Tried to cancel an already-cancelled event.");
        }
    }
}
