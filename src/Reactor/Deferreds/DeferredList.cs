using Reactor.Internal;
using Reactor.Internal.Deferreds;

namespace Reactor;

/// <summary>
/// A Deferred that waits for several Deferreds (Twisted's <c>DeferredList</c>) and fires with how each one ended.
/// </summary>
/// <typeparam name="T">The type of the inputs' results.</typeparam>
/// <remarks>
/// <para>
/// By default the list fires once every input has fired, with one <see cref="DeferredOutcome{T}"/> per input, in input
/// order, and it never fails: an input's failure is reported in its outcome.
/// </para>
/// <para>
/// With <c>fireOnOneCallback</c>, the list fires as soon as one input succeeds, with a list holding only that input's
/// outcome; <see cref="FirstResultIndex"/> tells which input it was. (Twisted fires with a <c>(result, index)</c> tuple,
/// which does not fit this Deferred's type.) The other inputs are left running; use <see cref="Deferred.Race{T}"/> to
/// cancel them. If every input fails first, the list fires with all outcomes as usual.
/// </para>
/// <para>With <c>fireOnOneErrback</c>, the list fails as soon as one input fails, with a <see cref="FirstErrorException"/>.</para>
/// <para>
/// The list attaches a callback/errback pair to each input; results pass through it unchanged. A failure passes through
/// too, so an input nobody else handles is still reported as unhandled, unless <c>consumeErrors</c> is set: then the
/// input's failure is consumed (its result becomes <c>default</c>) and only the list reports it.
/// </para>
/// <para>
/// An empty list fires with an empty list at once (with <c>fireOnOneCallback</c>, it never fires). Cancelling the list
/// before it fired cancels every input; an exception a canceller throws is logged, and the other inputs are still cancelled.
/// The inputs' cancellation failures then fire the list as described above. If some input still has not fired after
/// being cancelled (its canceller threw), the list itself fails with <see cref="CancelledException"/> rather than waiting
/// (Twisted's list would keep waiting), and the inputs' later results are ignored by the list.
/// </para>
/// </remarks>
public sealed class DeferredList<T> : Deferred<IReadOnlyList<DeferredOutcome<T>>>
{
    private readonly List<Deferred<T>> _inputs;
    private readonly DeferredOutcome<T>[] _outcomes;
    private readonly bool _fireOnOneCallback;
    private readonly bool _fireOnOneErrback;
    private readonly bool _consumeErrors;
    private int _finishedCount;

    /// <summary>Creates the list and attaches it to <paramref name="deferreds"/> (taken as a snapshot: later changes to the sequence are ignored).</summary>
    /// <param name="deferreds">The Deferreds to wait for.</param>
    /// <param name="fireOnOneCallback">Fire as soon as one input succeeds.</param>
    /// <param name="fireOnOneErrback">Fail as soon as one input fails.</param>
    /// <param name="consumeErrors">Consume the inputs' failures so they are not reported as unhandled.</param>
    /// <exception cref="ArgumentNullException"><paramref name="deferreds"/> or one of its items is null.</exception>
    public DeferredList(
        IEnumerable<Deferred<T>> deferreds,
        bool fireOnOneCallback = false,
        bool fireOnOneErrback = false,
        bool consumeErrors = false)
        : base(static list => ((DeferredList<T>)list).CancelInputs())
    {
        ArgumentNullException.ThrowIfNull(deferreds);
        _inputs = new List<Deferred<T>>(deferreds);
        foreach (Deferred<T> input in _inputs)
        {
            ArgumentNullException.ThrowIfNull(input, nameof(deferreds));
        }

        _outcomes = new DeferredOutcome<T>[_inputs.Count];
        _fireOnOneCallback = fireOnOneCallback;
        _fireOnOneErrback = fireOnOneErrback;
        _consumeErrors = consumeErrors;

        if (_inputs.Count == 0 && !fireOnOneCallback)
        {
            Callback(_outcomes);
            return;
        }

        for (int i = 0; i < _inputs.Count; i++)
        {
            int index = i;
            _inputs[i].AddCallbacksUntyped(
                result =>
                {
                    OnInputFired(index, new DeferredOutcome<T>(true, Deferred<T>.Unbox(result), null));
                    return result;
                },
                failure =>
                {
                    OnInputFired(index, new DeferredOutcome<T>(false, default, failure));
                    return _consumeErrors ? null : failure;
                });
        }
    }

    /// <summary>With <c>fireOnOneCallback</c>, the index of the input whose success fired the list; otherwise -1.</summary>
    public int FirstResultIndex { get; private set; } = -1;

    private void OnInputFired(int index, DeferredOutcome<T> outcome)
    {
        _outcomes[index] = outcome;
        _finishedCount++;
        if (Called)
        {
            return;
        }

        if (outcome.Succeeded && _fireOnOneCallback)
        {
            FirstResultIndex = index;
            Callback(new[] { outcome });
        }
        else if (!outcome.Succeeded && _fireOnOneErrback)
        {
            Errback(new FirstErrorException(outcome.Failure!, index));
        }
        else if (_finishedCount == _outcomes.Length)
        {
            Callback(_outcomes);
        }
    }

    private void CancelInputs()
    {
        for (int i = 0; i < _inputs.Count; i++)
        {
            try
            {
                _inputs[i].Cancel();
            }
            catch (Exception exception)
            {
                if (AmbientReactor.Logger is { } logger)
                {
                    DeferredLog.DeferredListCancelFailed(logger, i, exception);
                }
            }
        }
    }
}
