namespace Reactor;

/// <summary>
/// Scheduling of timed calls: Twisted's <c>IReactorTime</c>.
/// Implemented by every reactor and by <see cref="Testing.Clock"/>, so code written against this interface
/// (a <see cref="LoopingCall"/>, a protocol's timeouts, <c>Deferred.AddTimeout</c>) can be unit-tested without real time passing.
/// </summary>
/// <remarks>
/// Time is monotonic: it comes from a <see cref="TimeProvider"/>'s timestamp, never from the wall clock, so a clock
/// jump does not move timers. Calls due at the same time run in the order they were scheduled.
/// All members are reactor-thread-only.
/// </remarks>
public interface IReactorTime
{
    /// <summary>
    /// The current time on this clock, in seconds. Only differences between two readings are meaningful
    /// (the origin is arbitrary); it never goes backwards.
    /// </summary>
    double Seconds();

    /// <summary>
    /// Calls <paramref name="callback"/> once, <paramref name="delay"/> from now, on the reactor thread.
    /// A delay of zero runs it on the next iteration of the loop, never re-entrantly.
    /// An exception it throws is logged and the loop goes on.
    /// </summary>
    /// <param name="delay">How long to wait; must not be negative.</param>
    /// <param name="callback">What to call.</param>
    /// <returns>A handle to cancel, reset or delay the call.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="delay"/> is negative.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="callback"/> is null.</exception>
    IDelayedCall CallLater(TimeSpan delay, Action callback);

    /// <summary>The calls scheduled with <see cref="CallLater"/> that have neither run nor been cancelled.</summary>
    IReadOnlyList<IDelayedCall> GetDelayedCalls();
}
