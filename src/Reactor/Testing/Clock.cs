using System.Runtime.ExceptionServices;
using Reactor.Internal;

namespace Reactor.Testing;

/// <summary>
/// A clock for tests, like Twisted's <c>twisted.internet.task.Clock</c>: time starts at zero and moves only when the test
/// calls <see cref="Advance"/>, which runs every call that has come due, synchronously, on the calling thread.
/// Hand it to code written against <see cref="IReactorTime"/> (a <see cref="LoopingCall"/>, a protocol's timeouts,
/// <c>Deferred.AddTimeout</c>) to test timing without waiting.
/// </summary>
/// <example>
/// <code>
/// var clock = new Clock();
/// var fired = false;
/// clock.CallLater(TimeSpan.FromSeconds(5), () => fired = true);
/// clock.Advance(TimeSpan.FromSeconds(5));   // fired is now true
/// </code>
/// </example>
public sealed class Clock : IReactorTime
{
    private readonly TimerQueue _timers;
    private long _nowTicks;

    /// <summary>Creates a clock reading zero seconds.</summary>
    public Clock() => _timers = new TimerQueue(() => _nowTicks, static () => { });

    /// <inheritdoc/>
    public double Seconds() => TimerQueue.ToSeconds(_nowTicks);

    /// <inheritdoc/>
    public IDelayedCall CallLater(TimeSpan delay, Action callback) => _timers.Schedule(delay, callback);

    /// <inheritdoc/>
    public IReadOnlyList<IDelayedCall> GetDelayedCalls() => _timers.Snapshot();

    /// <summary>
    /// Moves time forward by <paramref name="amount"/> and runs every call now due, in due-time order (ties in scheduling
    /// order), including calls that those calls schedule for a time already reached. An exception from a call propagates
    /// to the caller, as in Twisted; calls not yet run stay scheduled.
    /// </summary>
    /// <param name="amount">How far to move; not negative.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="amount"/> is negative.</exception>
    public void Advance(TimeSpan amount)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(amount, TimeSpan.Zero);
        _nowTicks += amount.Ticks;
        while (_timers.RunDue(_nowTicks, static e => ExceptionDispatchInfo.Capture(e).Throw()) > 0)
        {
        }
    }

    /// <summary>Advances by each amount in turn (Twisted's <c>Clock.pump</c>).</summary>
    /// <param name="timings">The steps.</param>
    public void Pump(IEnumerable<TimeSpan> timings)
    {
        ArgumentNullException.ThrowIfNull(timings);
        foreach (var amount in timings)
        {
            Advance(amount);
        }
    }
}
