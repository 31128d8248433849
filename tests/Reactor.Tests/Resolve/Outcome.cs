namespace Reactor.Tests.Resolve;

/// <summary>Records how a Deferred fired: its value or failure, when (reactor seconds), on which thread, how often.</summary>
internal sealed class Outcome<T>
{
    public int Fired { get; private set; }

    public T? Value { get; private set; }

    public Exception? Error { get; private set; }

    public double At { get; private set; }

    public int ThreadId { get; private set; }

    public bool OnReactorThread { get; private set; }

    /// <summary>Watches <paramref name="deferred"/>; a failure is consumed (handled) here.</summary>
    public static Outcome<T> Of(Deferred<T> deferred, IReactor reactor, Action? then = null)
    {
        var outcome = new Outcome<T>();
        deferred.AddCallbacksUntyped(
            result =>
            {
                outcome.Record(reactor);
                outcome.Value = Deferred<T>.Unbox(result);
                then?.Invoke();
                return null;
            },
            failure =>
            {
                outcome.Record(reactor);
                outcome.Error = failure.Exception;
                then?.Invoke();
                return null;
            });
        return outcome;
    }

    private void Record(IReactor reactor)
    {
        Fired++;
        At = reactor.Seconds();
        ThreadId = Environment.CurrentManagedThreadId;
        OnReactorThread = reactor.IsInReactorThread;
    }
}
