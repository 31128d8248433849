namespace Reactor.Internal;

/// <summary>
/// The body of <see cref="ReactorFactory.React(Func{IReactor, Task{int}}, ReactorOptions?)"/>: Twisted's <c>task.react</c>.
/// Starts a program's asynchronous main on the reactor thread once the reactor runs, stops the reactor when main
/// finishes, and turns main's outcome into an exit code.
/// </summary>
/// <remarks>
/// As in Twisted: main's failure is logged ("main function encountered error") and gives exit code 1; a reactor stopped
/// by something else (a signal, <c>Stop()</c>) before main finished ends the run with exit code 0. Unlike Twisted, main is
/// called once the reactor is running rather than before <c>run()</c>, so that every <c>await</c> in it resumes on the
/// reactor thread through the reactor's synchronization context.
/// </remarks>
internal static class ReactorMain
{
    internal static int Run(ReactorBase reactor, Func<IReactor, Task<int>> main)
    {
        var exitCode = 0;
        var stopping = false;
        reactor.AddSystemEventTrigger(SystemEventPhase.Before, SystemEvents.Shutdown, () => stopping = true);
        reactor.CallWhenRunning(() =>
        {
            Deferred.FromTask(Start(reactor, main)).AddCallbacksUntyped(
                result =>
                {
                    exitCode = (int)result!;
                    Finish();
                    return null;
                },
                failure =>
                {
                    ReactorLog.MainFailed(reactor.Logger, failure.Exception);
                    exitCode = 1;
                    Finish();
                    return null;
                });
        });
        reactor.Run();
        return exitCode;

        void Finish()
        {
            if (stopping)
            {
                return;
            }

            try
            {
                reactor.Stop();
            }
            catch (ReactorNotRunningException)
            {
                // main stopped the reactor itself just before finishing (Twisted ignores ReactorNotRunning here too).
            }
        }
    }

    /// <summary>Calls main; a synchronous throw or a null task becomes a faulted task, so every failure takes one path.</summary>
    private static Task<int> Start(ReactorBase reactor, Func<IReactor, Task<int>> main)
    {
        try
        {
            return main(reactor) ?? Task.FromException<int>(new InvalidOperationException("main returned null instead of a Task."));
        }
        catch (Exception exception)
        {
            return Task.FromException<int>(exception);
        }
    }
}
