using System.Runtime.CompilerServices;

namespace Reactor;

/// <summary>
/// Waits for a <see cref="Deferred{T}"/> on behalf of <c>await</c>. You do not use it directly: write <c>await deferred</c>.
/// </summary>
/// <typeparam name="T">The type of the result.</typeparam>
/// <remarks>
/// <para>
/// Where the code after <c>await</c> runs: if the Deferred already has its result, right away. Otherwise the awaiter
/// captures <see cref="SynchronizationContext.Current"/> when the <c>await</c> starts. With a context (on a reactor
/// thread, the reactor's own), the continuation is always <see cref="SynchronizationContext.Post"/>ed to it when the
/// Deferred fires, so it runs on a later iteration of that loop, on that thread, and never inside the Deferred's
/// callback chain. Without one, it runs synchronously inside the callback chain, on whichever thread fired the Deferred
/// (as a Twisted coroutine resumes inside the callback).
/// </para>
/// <para>
/// The awaiter adds a callback/errback pair to the Deferred at the point where the <c>await</c> starts; the result passes
/// through it unchanged, and a failure counts as handled (it is not reported as unhandled).
/// </para>
/// </remarks>
public sealed class DeferredAwaiter<T> : ICriticalNotifyCompletion
{
    private readonly Deferred<T> _deferred;
    private object? _outcome;
    private bool _hasOutcome;

    internal DeferredAwaiter(Deferred<T> deferred)
    {
        ArgumentNullException.ThrowIfNull(deferred);
        _deferred = deferred;
    }

    /// <summary>Whether the result is available already, so <c>await</c> need not suspend.</summary>
    public bool IsCompleted => _hasOutcome || _deferred.HasResultNow;

    /// <summary>Returns the result, or throws the failure's exception with its original stack trace.</summary>
    /// <returns>The result.</returns>
    /// <exception cref="InvalidOperationException">The Deferred has no result yet.</exception>
    public T GetResult()
    {
        object? outcome;
        if (_hasOutcome)
        {
            outcome = _outcome;
        }
        else if (_deferred.HasResultNow)
        {
            outcome = _deferred.CurrentResult;
        }
        else
        {
            throw new InvalidOperationException("The Deferred has no result yet.");
        }

        if (outcome is Failure failure)
        {
            _deferred.MarkFailureHandled(failure);
            failure.Rethrow();
        }

        return Deferred<T>.Unbox(outcome);
    }

    /// <summary>Schedules <paramref name="continuation"/> to run when the Deferred fires, flowing the <see cref="ExecutionContext"/>.</summary>
    /// <param name="continuation">The code after the <c>await</c>.</param>
    public void OnCompleted(Action continuation) => Register(continuation, ExecutionContext.Capture());

    /// <summary>Schedules <paramref name="continuation"/> to run when the Deferred fires.</summary>
    /// <param name="continuation">The code after the <c>await</c>.</param>
    public void UnsafeOnCompleted(Action continuation) => Register(continuation, null);

    private void Register(Action continuation, ExecutionContext? executionContext)
    {
        ArgumentNullException.ThrowIfNull(continuation);
        SynchronizationContext? context = SynchronizationContext.Current;
        _deferred.AddCallbacksUntyped(
            result =>
            {
                Resume(result, continuation, context, executionContext);
                return result;
            },
            failure =>
            {
                _deferred.MarkFailureHandled(failure);
                Resume(failure, continuation, context, executionContext);
                return failure;
            });
    }

    private void Resume(object? outcome, Action continuation, SynchronizationContext? context, ExecutionContext? executionContext)
    {
        _outcome = outcome;
        _hasOutcome = true;
        if (context is not null)
        {
            // Always post, even to the current context: never re-enter the Deferred's running callback chain.
            context.Post(
                static state =>
                {
                    var (action, flowed) = ((Action, ExecutionContext?))state!;
                    RunContinuation(action, flowed);
                },
                (continuation, executionContext));
        }
        else
        {
            RunContinuation(continuation, executionContext);
        }
    }

    private static void RunContinuation(Action continuation, ExecutionContext? executionContext)
    {
        if (executionContext is null)
        {
            continuation();
        }
        else
        {
            ExecutionContext.Run(executionContext, static state => ((Action)state!)(), continuation);
        }
    }
}
