namespace Reactor.Tests.Support;

/// <summary>Bounded ways to run a reactor in a test: every run has a deadline, after which the test fails.</summary>
public static class ReactorRunner
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Runs the reactor until something calls Stop, failing the test if that takes longer than <paramref name="timeout"/>.</summary>
    public static void RunWithTimeout(this IReactor reactor, TimeSpan? timeout = null)
    {
        var timedOut = false;
        var guard = reactor.CallLater(timeout ?? DefaultTimeout, () =>
        {
            timedOut = true;
            reactor.Stop();
        });
        reactor.Run();
        timedOut.Should().BeFalse("the reactor should have been stopped before the test's deadline");
        _ = guard;
    }

    /// <summary>Runs the reactor on a new thread; returns that thread so the test can join it with a timeout.</summary>
    public static Thread RunOnNewThread(this IReactor reactor)
    {
        var thread = new Thread(reactor.Run)
        {
            IsBackground = true,
            Name = "reactor under test",
        };
        thread.Start();
        return thread;
    }

    /// <summary>Waits for <paramref name="condition"/>, polling, for at most <paramref name="timeout"/>.</summary>
    public static bool WaitUntil(Func<bool> condition, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? DefaultTimeout);
        while (DateTime.UtcNow < deadline)
        {
            if (condition())
            {
                return true;
            }

            Thread.Yield();
            Thread.SpinWait(1000);
        }

        return condition();
    }
}
