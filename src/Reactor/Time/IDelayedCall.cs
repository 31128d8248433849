namespace Reactor;

/// <summary>
/// A call scheduled with <see cref="IReactorTime.CallLater"/>: Twisted's <c>DelayedCall</c>.
/// </summary>
public interface IDelayedCall
{
    /// <summary>When the call is due, in seconds on its clock (see <see cref="IReactorTime.Seconds"/>).</summary>
    double Time { get; }

    /// <summary><c>true</c> while the call has neither run nor been cancelled.</summary>
    bool Active { get; }

    /// <summary><c>true</c> once the call has run (or is running).</summary>
    bool Called { get; }

    /// <summary><c>true</c> once the call has been cancelled.</summary>
    bool Cancelled { get; }

    /// <summary>Cancels the call so that it never runs.</summary>
    /// <exception cref="AlreadyCalledException">The call has already run, or is running now.</exception>
    /// <exception cref="AlreadyCancelledException">The call was already cancelled.</exception>
    void Cancel();

    /// <summary>Reschedules the call to run <paramref name="delayFromNow"/> from now instead.</summary>
    /// <exception cref="AlreadyCalledException">The call has already run, or is running now.</exception>
    /// <exception cref="AlreadyCancelledException">The call was cancelled.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="delayFromNow"/> is negative.</exception>
    void Reset(TimeSpan delayFromNow);

    /// <summary>Pushes the call back by <paramref name="delay"/> (a negative value brings it forward).</summary>
    /// <exception cref="AlreadyCalledException">The call has already run, or is running now.</exception>
    /// <exception cref="AlreadyCancelledException">The call was cancelled.</exception>
    void Delay(TimeSpan delay);
}
