using System.Diagnostics.CodeAnalysis;

namespace Reactor;

/// <summary>
/// A result of type <typeparamref name="T"/> that is not available yet (Twisted's <c>Deferred</c>).
/// </summary>
/// <typeparam name="T">The type of the result. It should not itself be a Deferred.</typeparam>
/// <remarks>
/// <para>
/// Whoever produces the result fires the Deferred once, with <see cref="Callback"/> or <see cref="Errback(Exception)"/>.
/// Whoever consumes it adds callbacks (<see cref="AddCallback(Func{T, T})"/>), errbacks (<see cref="AddErrback(Func{Failure, T})"/>),
/// maps it to another type with <see cref="Then{TNew}(Func{T, TNew})"/>, or simply <c>await</c>s it. Callbacks added after
/// the Deferred fired run at once. Every <c>Add…</c> method returns this Deferred, so calls chain.
/// </para>
/// <para>
/// After a result has been handed to another Deferred (a callback of an outer Deferred returned this one, or
/// <see cref="ChainDeferred"/>), this Deferred's own result becomes <c>default</c>, as in Twisted.
/// </para>
/// </remarks>
public class Deferred<T> : Deferred
{
    /// <summary>Creates an unfired Deferred.</summary>
    /// <param name="canceller">
    /// Called by <see cref="Deferred.Cancel"/> (at most once) to stop the underlying operation. It may fire the Deferred
    /// itself; if it does not, the Deferred fails with <see cref="CancelledException"/>.
    /// </param>
    [SuppressMessage("ApiDesign", "RS0022:Constructor make noninheritable base class inheritable", Justification = "The base class is public so that code can take any Deferred; its private protected constructor only stops other derivations, and the protected members are meant for this subclass's subclasses.")]
    public Deferred(Action<Deferred<T>>? canceller = null)
        : base(canceller is null ? null : deferred => canceller((Deferred<T>)deferred))
    {
    }

    /// <summary>Fires the Deferred with a successful <paramref name="result"/>, running the callbacks.</summary>
    /// <param name="result">The result.</param>
    /// <exception cref="AlreadyCalledException">The Deferred has already fired.</exception>
    public void Callback(T result) => StartRunCallbacks(result);

    /// <summary>Fires the Deferred with a failure, running the errbacks.</summary>
    /// <param name="exception">What went wrong.</param>
    /// <exception cref="AlreadyCalledException">The Deferred has already fired.</exception>
    public void Errback(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        StartRunCallbacks(new Failure(exception));
    }

    /// <summary>Fires the Deferred with <paramref name="failure"/>, running the errbacks.</summary>
    /// <param name="failure">What went wrong.</param>
    /// <exception cref="AlreadyCalledException">The Deferred has already fired.</exception>
    public void Errback(Failure failure)
    {
        ArgumentNullException.ThrowIfNull(failure);
        StartRunCallbacks(failure);
    }

    /// <summary>Adds a callback whose return value becomes the new result. Throwing switches the chain to the errback path.</summary>
    /// <param name="callback">Maps the result.</param>
    /// <returns>This Deferred.</returns>
    public Deferred<T> AddCallback(Func<T, T> callback)
    {
        ArgumentNullException.ThrowIfNull(callback);
        AddCallbacksUntyped(result => callback(Unbox(result)), null);
        return this;
    }

    /// <summary>
    /// Adds a callback that returns another Deferred: the chain pauses until that Deferred fires, then continues with
    /// its result (or failure).
    /// </summary>
    /// <param name="callback">Starts the next asynchronous step.</param>
    /// <returns>This Deferred.</returns>
    public Deferred<T> AddCallback(Func<T, Deferred<T>> callback)
    {
        ArgumentNullException.ThrowIfNull(callback);
        AddCallbacksUntyped(result => callback(Unbox(result)), null);
        return this;
    }

    /// <summary>
    /// Adds a callback that only observes the result, which passes through unchanged (a C# convenience: in Twisted a
    /// callback that returns nothing replaces the result with <c>None</c>). Throwing switches the chain to the errback path.
    /// </summary>
    /// <param name="callback">Observes the result.</param>
    /// <returns>This Deferred.</returns>
    public Deferred<T> AddCallback(Action<T> callback)
    {
        ArgumentNullException.ThrowIfNull(callback);
        AddCallbacksUntyped(
            result =>
            {
                callback(Unbox(result));
                return result;
            },
            null);
        return this;
    }

    /// <summary>
    /// Adds an errback. Returning a value recovers: the chain continues on the callback path with it. To keep failing,
    /// throw, typically with <c>failure.Trap&lt;IOException&gt;()</c> (handles only that type) or <see cref="Failure.Rethrow"/>.
    /// </summary>
    /// <param name="errback">Handles the failure.</param>
    /// <returns>This Deferred.</returns>
    public Deferred<T> AddErrback(Func<Failure, T> errback)
    {
        ArgumentNullException.ThrowIfNull(errback);
        AddCallbacksUntyped(null, failure => errback(failure));
        return this;
    }

    /// <summary>Adds an errback that recovers with another Deferred: the chain pauses until it fires and continues with its outcome.</summary>
    /// <param name="errback">Handles the failure.</param>
    /// <returns>This Deferred.</returns>
    public Deferred<T> AddErrback(Func<Failure, Deferred<T>> errback)
    {
        ArgumentNullException.ThrowIfNull(errback);
        AddCallbacksUntyped(null, failure => errback(failure));
        return this;
    }

    /// <summary>
    /// Adds a callback and an errback at the same level: exactly one of them runs, and the errback does not see an exception
    /// thrown by the callback (unlike <c>AddCallback(…).AddErrback(…)</c>).
    /// </summary>
    /// <param name="callback">Maps the result.</param>
    /// <param name="errback">Handles a failure that arrived before this point.</param>
    /// <returns>This Deferred.</returns>
    public Deferred<T> AddCallbacks(Func<T, T> callback, Func<Failure, T> errback)
    {
        ArgumentNullException.ThrowIfNull(callback);
        ArgumentNullException.ThrowIfNull(errback);
        AddCallbacksUntyped(result => callback(Unbox(result)), failure => errback(failure));
        return this;
    }

    /// <summary>
    /// Adds an action that runs on either path, like <c>finally</c>: the result or failure passes through unchanged.
    /// If the action throws, the chain continues with that exception.
    /// </summary>
    /// <param name="action">What to run.</param>
    /// <returns>This Deferred.</returns>
    public Deferred<T> AddBoth(Action action)
    {
        ArgumentNullException.ThrowIfNull(action);
        AddCallbacksUntyped(
            result =>
            {
                action();
                return result;
            },
            failure =>
            {
                action();
                return failure;
            });
        return this;
    }

    /// <summary>
    /// Returns a new Deferred that fires with <paramref name="map"/> applied to this Deferred's result, or with this
    /// Deferred's failure. Cancelling the new Deferred cancels this one.
    /// </summary>
    /// <typeparam name="TNew">The type of the new result.</typeparam>
    /// <param name="map">Maps the result; an exception it throws fails the new Deferred.</param>
    /// <returns>The new Deferred.</returns>
    /// <remarks>
    /// This Deferred's result passes through unchanged, so callbacks added to it later still see it; a failure is handed
    /// to the new Deferred and reported as unhandled only there.
    /// </remarks>
    public Deferred<TNew> Then<TNew>(Func<T, TNew> map)
    {
        ArgumentNullException.ThrowIfNull(map);
        Deferred<TNew> next = NewContinuation<TNew>();
        next.AddCallbacksUntyped(result => map(Unbox(result)), null);
        HandOffTo(next);
        return next;
    }

    /// <summary>
    /// Returns a new Deferred that fires with the outcome of the Deferred <paramref name="next"/> returns for this
    /// Deferred's result, or with this Deferred's failure. Cancelling the new Deferred cancels this one, or the Deferred
    /// <paramref name="next"/> returned if it is waiting on it.
    /// </summary>
    /// <typeparam name="TNew">The type of the new result.</typeparam>
    /// <param name="next">Starts the next asynchronous step.</param>
    /// <returns>The new Deferred.</returns>
    /// <remarks>As for <see cref="Then{TNew}(Func{T, TNew})"/>, this Deferred's own result passes through unchanged.</remarks>
    public Deferred<TNew> Then<TNew>(Func<T, Deferred<TNew>> next)
    {
        ArgumentNullException.ThrowIfNull(next);
        Deferred<TNew> continuation = NewContinuation<TNew>();
        continuation.AddCallbacksUntyped(result => next(Unbox(result)), null);
        HandOffTo(continuation);
        return continuation;
    }

    /// <summary>
    /// Fires <paramref name="other"/> with this Deferred's result or failure when it reaches this point of the chain
    /// (Twisted's <c>chainDeferred</c>). This Deferred's result then becomes <c>default</c>, and a failure counts as handled here.
    /// </summary>
    /// <param name="other">The Deferred to fire.</param>
    /// <returns>This Deferred.</returns>
    /// <remarks>The link is one-way: cancelling <paramref name="other"/> does not cancel this Deferred.</remarks>
    public Deferred<T> ChainDeferred(Deferred<T> other)
    {
        ArgumentNullException.ThrowIfNull(other);
        AddCallbacksUntyped(
            result =>
            {
                other.Callback(Unbox(result));
                return null;
            },
            failure =>
            {
                other.Errback(failure);
                return null;
            });
        return this;
    }

    /// <summary>
    /// Cancels this Deferred if it has not fired within <paramref name="timeout"/> on <paramref name="clock"/>; the
    /// resulting <see cref="CancelledException"/> is turned into a <see cref="TimeoutException"/>. When the Deferred fires
    /// first, the pending timeout is cancelled.
    /// </summary>
    /// <param name="timeout">How long to wait.</param>
    /// <param name="clock">The clock to schedule the timeout on, usually the reactor.</param>
    /// <returns>This Deferred.</returns>
    /// <remarks>
    /// The conversion happens at this point of the chain: callbacks added before <c>AddTimeout</c> see the
    /// <see cref="CancelledException"/>, later ones the <see cref="TimeoutException"/>. A canceller that fires the Deferred with a
    /// value on timeout delivers that value.
    /// </remarks>
    public Deferred<T> AddTimeout(TimeSpan timeout, IReactorTime clock)
    {
        ArgumentNullException.ThrowIfNull(clock);
        bool timedOut = false;
        IDelayedCall timeoutCall = clock.CallLater(timeout, () =>
        {
            timedOut = true;
            Cancel();
        });
        AddCallbacksUntyped(
            result =>
            {
                if (timeoutCall.Active)
                {
                    timeoutCall.Cancel();
                }

                return result;
            },
            failure =>
            {
                if (timeoutCall.Active)
                {
                    timeoutCall.Cancel();
                }

                if (timedOut && failure.Exception is CancelledException cancelled)
                {
                    return new Failure(new TimeoutException(
                        $"Deferred timed out after {timeout.TotalSeconds} seconds.",
                        cancelled));
                }

                return failure;
            });
        return this;
    }

    /// <summary>
    /// Lets <c>await</c> wait for the result: <c>await d</c> returns the result or throws the failure's exception
    /// (a <see cref="CancelledException"/>, hence an <see cref="OperationCanceledException"/>, when cancelled).
    /// </summary>
    /// <returns>The awaiter.</returns>
    /// <remarks>See <see cref="DeferredAwaiter{T}"/> for where the code after <c>await</c> runs.</remarks>
    /// <exception cref="InvalidOperationException">
    /// The Deferred belongs to a reactor and this is not its thread (decision D42 in docs/decisions.md): thrown here, by the <c>await</c>
    /// itself, so the awaiting method fails rather than resuming on the reactor thread.
    /// </exception>
    public DeferredAwaiter<T> GetAwaiter()
    {
        VerifyThread();
        return new(this);
    }

    /// <summary>
    /// Returns a task that completes when this Deferred's chain reaches this point: with the result, faulted with the
    /// failure's exception, or cancelled when the failure is an <see cref="OperationCanceledException"/> (such as
    /// <see cref="CancelledException"/>).
    /// </summary>
    /// <param name="cancellationToken">
    /// Cancelling it cancels this Deferred (through the <see cref="SynchronizationContext"/> current when <c>AsTask</c> was
    /// called, so on the reactor thread when called there; directly on the cancelling thread when there was none).
    /// </param>
    /// <returns>The task. Its continuations never run inside the Deferred's callback chain.</returns>
    /// <remarks>The result passes through; a failure counts as handled.</remarks>
    public Task<T> AsTask(CancellationToken cancellationToken = default)
    {
        var completion = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        CancellationTokenRegistration registration = default;
        if (cancellationToken.CanBeCanceled)
        {
            SynchronizationContext? context = SynchronizationContext.Current ?? OwnerContext;
            registration = cancellationToken.Register(() =>
            {
                if (context is null)
                {
                    Cancel();
                }
                else
                {
                    context.Post(static state => ((Deferred)state!).Cancel(), this);
                }
            });
        }

        AddCallbacksUntyped(
            result =>
            {
                registration.Dispose();
                completion.TrySetResult(Unbox(result));
                return result;
            },
            failure =>
            {
                registration.Dispose();
                MarkFailureHandled(failure);
                if (failure.Exception is OperationCanceledException cancelled)
                {
                    completion.TrySetCanceled(cancelled.CancellationToken);
                }
                else
                {
                    completion.TrySetException(failure.Exception);
                }

                return failure;
            });
        return completion.Task;
    }

    /// <summary>Converts an untyped result to <typeparamref name="T"/>; <c>null</c> (a result handed on) becomes <c>default</c>.</summary>
    internal static T Unbox(object? result) => result is null ? default! : (T)result;

    private Deferred<TNew> NewContinuation<TNew>() => new(_ => Cancel());

    /// <summary>Fires <paramref name="next"/> with this Deferred's raw result or failure; the failure counts as handled here.</summary>
    private void HandOffTo(Deferred next)
    {
        AddCallbacksUntyped(
            result =>
            {
                next.TryStartRunCallbacks(result);
                return result;
            },
            failure =>
            {
                MarkFailureHandled(failure);
                next.TryStartRunCallbacks(failure);
                return failure;
            });
    }
}
