using Reactor.Internal;
using Reactor.Internal.Deferreds;

namespace Reactor;

/// <summary>Static helpers that create Deferreds: already-fired ones, aggregates, and bridges from tasks.</summary>
public abstract partial class Deferred
{
    /// <summary>Returns a Deferred that has already succeeded with <paramref name="result"/> (Twisted's <c>succeed</c>).</summary>
    /// <typeparam name="T">The type of the result.</typeparam>
    /// <param name="result">The result.</param>
    /// <returns>The fired Deferred.</returns>
    public static Deferred<T> Succeed<T>(T result)
    {
        var deferred = new Deferred<T>();
        deferred.Callback(result);
        return deferred;
    }

    /// <summary>Returns a Deferred that has already failed with <paramref name="exception"/> (Twisted's <c>fail</c>).</summary>
    /// <typeparam name="T">The type the result would have had.</typeparam>
    /// <param name="exception">What went wrong.</param>
    /// <returns>The failed Deferred.</returns>
    public static Deferred<T> Fail<T>(Exception exception)
    {
        var deferred = new Deferred<T>();
        deferred.Errback(exception);
        return deferred;
    }

    /// <summary>Returns a Deferred that has already failed with <paramref name="failure"/> (Twisted's <c>fail</c>).</summary>
    /// <typeparam name="T">The type the result would have had.</typeparam>
    /// <param name="failure">What went wrong.</param>
    /// <returns>The failed Deferred.</returns>
    public static Deferred<T> Fail<T>(Failure failure)
    {
        var deferred = new Deferred<T>();
        deferred.Errback(failure);
        return deferred;
    }

    /// <summary>
    /// Calls <paramref name="function"/> and returns its result as a fired Deferred, or a failed one if it throws
    /// (Twisted's <c>maybeDeferred</c>).
    /// </summary>
    /// <typeparam name="T">The type of the result.</typeparam>
    /// <param name="function">The function to call.</param>
    /// <returns>A fired Deferred.</returns>
    public static Deferred<T> MaybeDeferred<T>(Func<T> function)
    {
        ArgumentNullException.ThrowIfNull(function);
        T result;
        try
        {
            result = function();
        }
        catch (Exception exception)
        {
            return Fail<T>(exception);
        }

        return Succeed(result);
    }

    /// <summary>
    /// Calls <paramref name="function"/> and returns the Deferred it returns, or a failed Deferred if it throws
    /// (or returns <c>null</c>) (Twisted's <c>maybeDeferred</c>).
    /// </summary>
    /// <typeparam name="T">The type of the result.</typeparam>
    /// <param name="function">The function to call.</param>
    /// <returns>The function's Deferred, or a failed one.</returns>
    public static Deferred<T> MaybeDeferred<T>(Func<Deferred<T>> function)
    {
        ArgumentNullException.ThrowIfNull(function);
        try
        {
            return function() ?? Fail<T>(new InvalidOperationException("The function returned null instead of a Deferred."));
        }
        catch (Exception exception)
        {
            return Fail<T>(exception);
        }
    }

    /// <summary>
    /// Returns a Deferred that fires when <paramref name="task"/> completes: with its result, with its exception, or with
    /// a <see cref="CancelledException"/> if it was cancelled (Twisted's <c>fromFuture</c>).
    /// </summary>
    /// <typeparam name="T">The type of the result.</typeparam>
    /// <param name="task">The task.</param>
    /// <returns>The Deferred.</returns>
    /// <remarks>
    /// If the task has already completed, the Deferred is fired before this method returns. Otherwise it is fired by posting
    /// to the <see cref="SynchronizationContext"/> current when this method was called (on a reactor thread, the reactor's:
    /// the Deferred then fires on the reactor thread); without one, it fires on whichever thread completes the task.
    /// Cancelling the Deferred cannot stop the task (use <see cref="FromAsync{T}"/> for that): it fails the Deferred with a
    /// <see cref="CancelledException"/> at once and the task's outcome is ignored.
    /// </remarks>
    public static Deferred<T> FromTask<T>(Task<T> task)
    {
        ArgumentNullException.ThrowIfNull(task);
        var deferred = new Deferred<T>();
        TaskBridge.FireWhenCompleted(task, deferred, static completed => ((Task<T>)completed).Result);
        return deferred;
    }

    /// <summary>
    /// Returns a Deferred that fires with <c>null</c> when <paramref name="task"/> completes successfully, and fails as
    /// <see cref="FromTask{T}"/> describes otherwise.
    /// </summary>
    /// <param name="task">The task.</param>
    /// <returns>The Deferred.</returns>
    /// <remarks>Threading and cancellation as for <see cref="FromTask{T}"/>.</remarks>
    public static Deferred<object?> FromTask(Task task)
    {
        ArgumentNullException.ThrowIfNull(task);
        var deferred = new Deferred<object?>();
        TaskBridge.FireWhenCompleted(task, deferred, static _ => null);
        return deferred;
    }

    /// <summary>
    /// Starts <paramref name="start"/> and returns a Deferred for its task; cancelling the Deferred cancels the token passed
    /// to <paramref name="start"/>.
    /// </summary>
    /// <typeparam name="T">The type of the result.</typeparam>
    /// <param name="start">Starts the asynchronous operation.</param>
    /// <returns>The Deferred. If <paramref name="start"/> throws, it has already failed.</returns>
    /// <remarks>
    /// Threading as for <see cref="FromTask{T}"/>. On <see cref="Cancel"/>, the token is cancelled and, unless the task
    /// completes during that call, the Deferred fails at once with a <see cref="CancelledException"/>; the task's later
    /// outcome is ignored.
    /// </remarks>
    public static Deferred<T> FromAsync<T>(Func<CancellationToken, Task<T>> start)
    {
        ArgumentNullException.ThrowIfNull(start);

        // Not disposed: it has no timer, and a late Cancel() must not meet a disposed source.
        var cancellation = new CancellationTokenSource();
        var deferred = new Deferred<T>(_ => cancellation.Cancel());
        Task<T> task;
        try
        {
            task = start(cancellation.Token);
        }
        catch (Exception exception)
        {
            deferred.Errback(exception);
            return deferred;
        }

        TaskBridge.FireWhenCompleted(task, deferred, static completed => ((Task<T>)completed).Result);
        return deferred;
    }

    /// <summary>
    /// Returns a Deferred that fires with the results of all <paramref name="deferreds"/>, in input order, or fails with a
    /// <see cref="FirstErrorException"/> as soon as one fails (Twisted's <c>gatherResults</c>). Cancelling it cancels the inputs.
    /// </summary>
    /// <typeparam name="T">The type of the inputs' results.</typeparam>
    /// <param name="deferreds">The Deferreds to wait for.</param>
    /// <param name="consumeErrors">Consume the inputs' failures so they are not also reported as unhandled on the inputs.</param>
    /// <returns>The Deferred.</returns>
    public static Deferred<IReadOnlyList<T>> GatherResults<T>(IEnumerable<Deferred<T>> deferreds, bool consumeErrors = false)
    {
        var list = new DeferredList<T>(deferreds, fireOnOneErrback: true, consumeErrors: consumeErrors);
        return list.Then<IReadOnlyList<T>>(outcomes =>
        {
            var results = new T[outcomes.Count];
            for (int i = 0; i < results.Length; i++)
            {
                results[i] = outcomes[i].Result!;
            }

            return results;
        });
    }

    /// <summary>
    /// Returns a Deferred that fires with the index and result of the first of <paramref name="deferreds"/> to succeed,
    /// then cancels the others (Twisted's <c>race</c>; also this library's typed form of <c>DeferredList</c>'s
    /// <c>fireOnOneCallback</c>). If all fail, it fails with an <see cref="AggregateException"/> of their exceptions, in
    /// input order; with no inputs, it fails at once that way. Cancelling it cancels every input.
    /// </summary>
    /// <typeparam name="T">The type of the inputs' results.</typeparam>
    /// <param name="deferreds">The competing Deferreds.</param>
    /// <returns>The Deferred.</returns>
    /// <remarks>The inputs' failures (including those from cancelling the losers) are consumed.</remarks>
    public static Deferred<(int Index, T Result)> Race<T>(IEnumerable<Deferred<T>> deferreds)
    {
        ArgumentNullException.ThrowIfNull(deferreds);
        var inputs = new List<Deferred<T>>(deferreds);
        var failures = new Failure?[inputs.Count];
        int failedCount = 0;
        var race = new Deferred<(int Index, T Result)>(_ => CancelAll(inputs, -1));
        if (inputs.Count == 0)
        {
            race.Errback(new AggregateException("No Deferred took part in the race."));
            return race;
        }

        for (int i = 0; i < inputs.Count; i++)
        {
            int index = i;
            inputs[i].AddCallbacksUntyped(
                result =>
                {
                    if (!race.Called)
                    {
                        race.Callback((index, Deferred<T>.Unbox(result)));
                        CancelAll(inputs, index);
                    }

                    return null;
                },
                failure =>
                {
                    failures[index] = failure;
                    failedCount++;
                    if (failedCount == failures.Length && !race.Called)
                    {
                        var exceptions = new Exception[failures.Length];
                        for (int f = 0; f < failures.Length; f++)
                        {
                            exceptions[f] = failures[f]!.Exception;
                        }

                        race.Errback(new AggregateException("Every Deferred in the race failed.", exceptions));
                    }

                    return null;
                });
        }

        return race;
    }

    private static void CancelAll<T>(List<Deferred<T>> inputs, int except)
    {
        for (int i = 0; i < inputs.Count; i++)
        {
            if (i == except)
            {
                continue;
            }

            try
            {
                inputs[i].Cancel();
            }
            catch (Exception exception)
            {
                if (AmbientReactor.Logger is { } logger)
                {
                    DeferredLog.RaceCancelFailed(logger, i, exception);
                }
            }
        }
    }
}
