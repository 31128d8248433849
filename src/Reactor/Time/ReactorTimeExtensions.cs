using Reactor.Internal;

namespace Reactor;

/// <summary>
/// Waiting on a clock (Twisted's <c>task.deferLater</c>): extension methods of <see cref="IReactorTime"/>, so they work on
/// a reactor and on a <see cref="Testing.Clock"/> alike.
/// </summary>
public static class ReactorTimeExtensions
{
    /// <summary>
    /// Returns a Deferred that fires with <c>null</c> once <paramref name="delay"/> has passed on <paramref name="clock"/>:
    /// <c>await reactor.DeferLater(TimeSpan.FromSeconds(1))</c> is a delay on the reactor's clock that resumes on the
    /// reactor thread (Twisted's <c>deferLater(clock, delay)</c>).
    /// </summary>
    /// <param name="clock">The clock: a reactor, or a <see cref="Testing.Clock"/> in tests.</param>
    /// <param name="delay">How long to wait; zero fires on the clock's next run of due calls.</param>
    /// <returns>The Deferred. Cancelling it cancels the timed call and fails it with <see cref="CancelledException"/>.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="delay"/> is negative.</exception>
    public static Deferred<object?> DeferLater(this IReactorTime clock, TimeSpan delay) =>
        DeferLater<object?>(clock, delay, static () => null);

    /// <summary>
    /// Returns a Deferred that fires with the result of <paramref name="callable"/>, called once <paramref name="delay"/>
    /// has passed on <paramref name="clock"/> (Twisted's <c>deferLater(clock, delay, callable)</c>).
    /// </summary>
    /// <typeparam name="T">The type of the result.</typeparam>
    /// <param name="clock">The clock: a reactor, or a <see cref="Testing.Clock"/> in tests.</param>
    /// <param name="delay">How long to wait.</param>
    /// <param name="callable">What to call then; an exception it throws fails the Deferred.</param>
    /// <returns>The Deferred. Cancelling it before the delay has passed cancels the timed call, so
    /// <paramref name="callable"/> never runs, and fails it with <see cref="CancelledException"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="clock"/> or <paramref name="callable"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="delay"/> is negative.</exception>
    /// <remarks>On a reactor, the Deferred belongs to it (decision D42 in docs/decisions.md): use it on the reactor thread.</remarks>
    public static Deferred<T> DeferLater<T>(this IReactorTime clock, TimeSpan delay, Func<T> callable)
    {
        ArgumentNullException.ThrowIfNull(clock);
        ArgumentNullException.ThrowIfNull(callable);
        IDelayedCall? call = null;
        var deferred = new Deferred<T>(_ =>
        {
            if (call is { Active: true })
            {
                call.Cancel();
            }
        });
        if (clock is ReactorBase reactor)
        {
            deferred.SetOwner(reactor);
        }

        call = clock.CallLater(delay, () =>
        {
            T result;
            try
            {
                result = callable();
            }
            catch (Exception exception)
            {
                deferred.Errback(exception);
                return;
            }

            deferred.Callback(result);
        });
        return deferred;
    }
}
