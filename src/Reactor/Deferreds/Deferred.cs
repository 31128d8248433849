using System.Globalization;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Reactor.Internal;
using Reactor.Internal.Deferreds;

namespace Reactor;

/// <summary>
/// A result that is not available yet (Twisted's <c>Deferred</c>): the untyped engine behind <see cref="Deferred{T}"/>.
/// </summary>
/// <remarks>
/// <para>
/// A Deferred holds a list of callback/errback pairs. When it fires, its result (a value, or a <see cref="Failure"/>)
/// runs through them in order: each callback's return value becomes the next result, a thrown exception switches the
/// chain to the errback path, and an errback that returns a value switches it back. A callback that returns another,
/// unfired Deferred pauses this chain until that one fires, and then continues with its result.
/// </para>
/// <para>
/// Use <see cref="Deferred{T}"/> to create and consume Deferreds; this base class holds the state machine, the members
/// that do not depend on the result type (<see cref="Called"/>, <see cref="Pause"/>, <see cref="Cancel"/>) and the static
/// helpers (<see cref="Succeed{T}"/>, <see cref="GatherResults{T}"/>, <see cref="FromTask{T}"/>, …).
/// </para>
/// <para>
/// A Deferred is not thread-safe: fire it, add callbacks to it, await it and cancel it from one thread. A Deferred
/// created on a running reactor's thread, or returned by a reactor (<c>DeferToThread</c>, <c>Resolve</c>,
/// <c>StopListening</c>, <c>DeferLater</c>, a <see cref="LoopingCall"/> on a reactor, …), belongs to that reactor and
/// checks it (decision D42 in docs/decisions.md): used from another thread while the reactor is open, those members throw
/// <see cref="InvalidOperationException"/>, as the reactor's own members do (D12). From another thread, reach it with
/// <c>reactor.CallFromThread(...)</c>. A Deferred created anywhere else has no owner and is not checked.
/// </para>
/// </remarks>
public abstract partial class Deferred
{
    private readonly Action<Deferred>? _canceller;
    private List<CallbackPair>? _callbacks;
    private int _nextCallback;
    private object? _result;
    private bool _called;
    private int _paused;
    private bool _runningCallbacks;
    private bool _suppressAlreadyCalled;
    private Deferred? _chainedTo;
    private Failure? _handledFailure;
    private UnhandledFailureTracker? _tracker;
    private ReactorBase? _owner;

    private protected Deferred(Action<Deferred>? canceller)
    {
        _canceller = canceller;
        _owner = AmbientReactor.Running;
    }

    /// <summary>
    /// Raised, on the finalizer thread, when a Deferred whose last result was a <see cref="Failure"/> that nobody handled
    /// is garbage-collected. The failure is also logged ("Unhandled error in Deferred:") through the logger of the reactor
    /// whose thread ended the Deferred's chain on that failure, if there was one.
    /// </summary>
    /// <remarks>Handlers must be thread-safe and quick; an exception they throw is logged and otherwise ignored.</remarks>
    public static event EventHandler<UnhandledFailureEventArgs>? UnhandledFailure;

    /// <summary>Whether the Deferred has been fired (with <c>Callback</c>, <c>Errback</c> or by <see cref="Cancel"/>).</summary>
    public bool Called => _called;

    /// <summary>Whether the chain is paused, by <see cref="Pause"/> or because it waits for a Deferred a callback returned.</summary>
    public bool Paused => _paused > 0;

    /// <summary>
    /// Whether the result is available now: the Deferred has fired, is not paused and is not waiting for another Deferred.
    /// </summary>
    internal bool HasResultNow =>
        _called && _paused == 0 && _chainedTo is null && !_runningCallbacks && (_callbacks is null || _nextCallback >= _callbacks.Count);

    /// <summary>The current result (a value or a <see cref="Failure"/>); meaningful only when <see cref="HasResultNow"/>.</summary>
    internal object? CurrentResult => _result;

    /// <summary>The reactor this Deferred belongs to (decision D42 in docs/decisions.md), or <c>null</c> when it belongs to none.</summary>
    internal ReactorBase? Owner => _owner;

    /// <summary>Stops running callbacks until a matching <see cref="Unpause"/>; calls nest.</summary>
    /// <exception cref="InvalidOperationException">The Deferred belongs to a reactor and this is not its thread.</exception>
    public void Pause()
    {
        VerifyThread();
        _paused++;
    }

    /// <summary>Undoes one <see cref="Pause"/>; after the last one, the chain resumes if a result is available.</summary>
    /// <exception cref="InvalidOperationException">The Deferred is not paused, or belongs to a reactor and this is not its thread.</exception>
    public void Unpause()
    {
        VerifyThread();
        if (_paused == 0)
        {
            throw new InvalidOperationException("The Deferred is not paused.");
        }

        _paused--;
        if (_paused == 0 && _called)
        {
            RunCallbacks();
        }
    }

    /// <summary>
    /// Cancels the operation this Deferred stands for.
    /// </summary>
    /// <remarks>
    /// <list type="bullet">
    /// <item>Not fired yet: the canceller given at construction runs (once); if it did not fire the Deferred, the Deferred
    /// fails with <see cref="CancelledException"/>. Without a canceller, the first <c>Callback</c>/<c>Errback</c> that
    /// arrives later is silently ignored (the operation did not know it was cancelled); a second one throws.</item>
    /// <item>Fired but waiting for a Deferred a callback returned: that Deferred is cancelled instead.</item>
    /// <item>Fired with a result: nothing happens.</item>
    /// </list>
    /// </remarks>
    /// <exception cref="InvalidOperationException">The Deferred belongs to a reactor and this is not its thread.</exception>
    public void Cancel()
    {
        VerifyThread();
        // Walk down nested chains iteratively: a deep chain must not overflow the stack.
        Deferred target = this;
        while (target._called && target._chainedTo is { } inner)
        {
            target = inner;
        }

        if (target._called)
        {
            return;
        }

        if (target._canceller is { } canceller)
        {
            canceller(target);
        }
        else
        {
            target._suppressAlreadyCalled = true;
        }

        if (!target._called)
        {
            target.StartRunCallbacks(new Failure(new CancelledException()));
        }
    }

    /// <summary>
    /// Adds a callback/errback pair: the reactor's untyped entry to the engine.
    /// </summary>
    /// <param name="callback">Called with the result on the success path; <c>null</c> passes the result through.</param>
    /// <param name="errback">Called with the failure on the failure path; <c>null</c> passes the failure through.</param>
    /// <remarks>
    /// Either function's return value becomes the next result: a <see cref="Failure"/> continues on the errback path, any other
    /// value on the callback path, and an unfired (or paused) Deferred pauses this chain until it fires, its result then
    /// becoming the next result (its own result becomes <c>null</c>, and its failure is not reported as unhandled).
    /// A thrown exception becomes a <see cref="Failure"/>. If the Deferred has already fired, the pair runs now, unless the
    /// Deferred is paused or already running callbacks, in which case it runs when the chain reaches it.
    /// </remarks>
    internal void AddCallbacksUntyped(Func<object?, object?>? callback, Func<Failure, object?>? errback)
    {
        VerifyThread();
        (_callbacks ??= []).Add(new CallbackPair(callback, errback, null));
        if (_called)
        {
            RunCallbacks();
        }
    }

    /// <summary>Fires the Deferred with <paramref name="result"/> (a <see cref="Failure"/> for the errback path).</summary>
    /// <exception cref="AlreadyCalledException">The Deferred has already fired.</exception>
    private protected void StartRunCallbacks(object? result)
    {
        VerifyThread();
        if (_called)
        {
            if (_suppressAlreadyCalled)
            {
                // Twisted's rule: after a cancel without canceller, the operation's own (late) result is dropped once.
                _suppressAlreadyCalled = false;
                return;
            }

            throw new AlreadyCalledException("The Deferred has already been called.");
        }

        _called = true;
        _result = result;
        RunCallbacks();
    }

    /// <summary>Fires the Deferred unless it has already fired (then the result is dropped): for results arriving after a cancel.</summary>
    internal void TryStartRunCallbacks(object? result)
    {
        VerifyThread();
        if (!_called)
        {
            _called = true;
            _result = result;
            RunCallbacks();
        }
    }

    /// <summary>
    /// Records that <paramref name="failure"/> was seen by a consumer (an await, a task, a <c>Then</c>) that passed it on,
    /// so it is not reported as unhandled by this Deferred.
    /// </summary>
    internal void MarkFailureHandled(Failure failure)
    {
        _handledFailure = failure;
        if (_tracker is { } tracker && ReferenceEquals(tracker.Failure, failure))
        {
            tracker.Dismiss();
            _tracker = null;
        }
    }

    /// <summary>Makes <paramref name="reactor"/> this Deferred's owner: for the Deferreds a reactor creates and returns (decision D42 in docs/decisions.md).</summary>
    internal void SetOwner(ReactorBase reactor) => _owner = reactor;

    /// <summary>
    /// Decision D42 (docs/decisions.md): a Deferred that belongs to a reactor is used on that reactor's thread only, while the reactor is open.
    /// Awaiting it elsewhere would otherwise resume on whichever thread fires it, and adding callbacks would race the
    /// reactor thread's firing.
    /// </summary>
    /// <exception cref="InvalidOperationException">The Deferred belongs to a reactor and this is not its thread.</exception>
    internal void VerifyThread()
    {
        if (_owner is { } owner && !owner.MayUseOwnedDeferredHere)
        {
            ThrowWrongThread();
        }
    }

    /// <summary>Where to post work for this Deferred when the caller has no context: its reactor's loop, if it has one.</summary>
    internal SynchronizationContext? OwnerContext => _owner?.SynchronizationContext;

    private static void ThrowWrongThread() =>
        throw new InvalidOperationException(
            "This Deferred belongs to a reactor and can only be used on that reactor's thread (decision D42). " +
            "Use reactor.CallFromThread(...) to reach it from another thread.");

    internal static void ReportUnhandledFailure(Failure failure, ILogger? logger)
    {
        if (logger is not null)
        {
            DeferredLog.UnhandledError(logger, failure.Exception);
        }

        try
        {
            UnhandledFailure?.Invoke(null, new UnhandledFailureEventArgs(failure));
        }
        catch (Exception handlerException)
        {
            if (logger is not null)
            {
                DeferredLog.UnhandledFailureHandlerFailed(logger, handlerException);
            }
        }
    }

    /// <summary>Describes the Deferred's state: <c>&lt;Deferred at 0x… current result: …&gt;</c>, <c>… waiting on Deferred at 0x…</c>, or neither.</summary>
    /// <returns>The description; never throws.</returns>
    public override string ToString()
    {
        string text = "<Deferred at " + Address(this);
        if (_chainedTo is { } inner)
        {
            text += " waiting on Deferred at " + Address(inner);
        }
        else if (_called)
        {
            string described;
            try
            {
                described = _result switch
                {
                    null => "null",
                    Failure failure => $"[Failure instance: {failure.ExceptionType.FullName}: {failure.Exception.Message}]",
                    _ => _result.ToString() ?? "null",
                };
            }
            catch (Exception)
            {
                described = "<unprintable " + _result!.GetType().Name + ">";
            }

            text += " current result: " + described;
        }

        return text + ">";
    }

    private static string Address(object value) =>
        "0x" + RuntimeHelpers.GetHashCode(value).ToString("x", CultureInfo.InvariantCulture);

    /// <summary>
    /// Twisted's <c>_runCallbacks</c>: runs pending callbacks, following chained Deferreds with an explicit stack rather
    /// than recursion, so that arbitrarily deep chains use bounded call-stack depth.
    /// </summary>
    private void RunCallbacks()
    {
        if (_runningCallbacks)
        {
            // Re-entrant call from inside one of our callbacks: the running loop picks up what was added.
            return;
        }

        Deferred current = this;
        Stack<Deferred>? waiting = null;
        while (true)
        {
            Deferred? resumeNext = null;
            if (current._paused == 0)
            {
                current._chainedTo = null;
                resumeNext = current.RunOwnCallbacks();
            }

            if (resumeNext is not null)
            {
                // current handed its result to the Deferred that was waiting on it; run that one, then come back.
                (waiting ??= new Stack<Deferred>()).Push(current);
                current = resumeNext;
                continue;
            }

            if (waiting is null || waiting.Count == 0)
            {
                return;
            }

            current = waiting.Pop();
        }
    }

    /// <summary>
    /// Runs this Deferred's pending callbacks. Returns the Deferred to resume when a continuation handed the result to
    /// an outer Deferred that was waiting on this one; returns <c>null</c> when the list is exhausted or this Deferred
    /// paused to wait on another.
    /// </summary>
    private Deferred? RunOwnCallbacks()
    {
        List<CallbackPair>? callbacks = _callbacks;
        while (callbacks is not null && _nextCallback < callbacks.Count)
        {
            if (_paused > 0)
            {
                // A callback paused us (Twisted would keep going; stopping is what Pause promises). Unpause resumes here.
                return null;
            }

            CallbackPair item = callbacks[_nextCallback++];
            if (item.Waiter is { } waiter)
            {
                // Implicit chaining (Twisted's _CONTINUE): the waiter takes our result, ours becomes null.
                waiter._result = _result;
                _result = null;
                DismissTracker();
                waiter._paused--;
                return waiter;
            }

            object? result = _result;
            _runningCallbacks = true;
            try
            {
                _result = result is Failure failure
                    ? (item.Errback is null ? failure : item.Errback(failure))
                    : (item.Callback is null ? result : item.Callback(result));
            }
            catch (Exception exception)
            {
                // Rethrowing the failure's own exception (Failure.Trap/Rethrow) keeps the same Failure.
                _result = result is Failure previous && ReferenceEquals(previous.Exception, exception)
                    ? previous
                    : new Failure(exception);
            }
            finally
            {
                _runningCallbacks = false;
            }

            if (_result is Deferred inner)
            {
                if (ReferenceEquals(inner, this))
                {
                    _result = new Failure(new InvalidOperationException(
                        "A callback returned the Deferred it was added to; that Deferred could never fire."));
                    continue;
                }

                if (!inner._called || inner._paused > 0 || inner._runningCallbacks)
                {
                    // Wait for it: pause, and let it hand us its result through a continuation.
                    _result = null;
                    _paused++;
                    _chainedTo = inner;
                    (inner._callbacks ??= []).Add(new CallbackPair(null, null, this));
                    DismissTracker();
                    return null;
                }

                // Already has a result: take it (Twisted steals it and leaves null behind).
                _result = inner._result;
                inner._result = null;
                inner.DismissTracker();
            }
        }

        callbacks?.Clear();
        _nextCallback = 0;
        UpdateTracker();
        return null;
    }

    /// <summary>The chain ran out of callbacks: start or stop tracking an unhandled failure.</summary>
    private void UpdateTracker()
    {
        if (_result is Failure failure && !ReferenceEquals(failure, _handledFailure))
        {
            if (_tracker is null || !ReferenceEquals(_tracker.Failure, failure))
            {
                _tracker?.Dismiss();
                _tracker = new UnhandledFailureTracker(failure, AmbientReactor.Logger);
            }
        }
        else
        {
            DismissTracker();
        }
    }

    private void DismissTracker()
    {
        if (_tracker is { } tracker)
        {
            tracker.Dismiss();
            _tracker = null;
        }
    }

    /// <summary>One entry of the callback list: a callback/errback pair, or a continuation that resumes <see cref="Waiter"/>.</summary>
    private readonly record struct CallbackPair(Func<object?, object?>? Callback, Func<Failure, object?>? Errback, Deferred? Waiter);
}
