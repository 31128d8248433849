namespace Reactor.Internal;

/// <summary>
/// Installed on the reactor thread while <c>Run()</c> runs, so that <c>await</c> inside a reactor callback resumes on the
/// reactor thread: <see cref="Post"/> queues the continuation like <c>CallFromThread</c>.
/// </summary>
internal sealed class ReactorSynchronizationContext : SynchronizationContext
{
    private readonly ReactorBase _reactor;

    internal ReactorSynchronizationContext(ReactorBase reactor) => _reactor = reactor;

    public override void Post(SendOrPostCallback d, object? state) => _reactor.PostFromAnyThread(d, state);

    public override void Send(SendOrPostCallback d, object? state)
    {
        if (_reactor.IsInReactorThread)
        {
            d(state);
            return;
        }

        using var done = new ManualResetEventSlim();
        Exception? error = null;
        _reactor.PostFromAnyThread(
            _ =>
            {
                try
                {
                    d(state);
                }
                catch (Exception e)
                {
                    error = e;
                }
                finally
                {
                    done.Set();
                }
            },
            null);
        done.Wait();
        if (error is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(error);
        }
    }

    public override SynchronizationContext CreateCopy() => this;
}
