namespace Reactor;

/// <summary>
/// Crossing between the reactor thread and other threads: Twisted's <c>IReactorThreads</c>.
/// </summary>
/// <remarks>
/// The reactor is single-threaded: every reactor, transport and protocol method must be called on the reactor thread
/// and throws <see cref="InvalidOperationException"/> elsewhere. <see cref="CallFromThread"/> and
/// <see cref="IReactorCore.Stop"/> are the thread-safe ways in. The reactor thread has a
/// <see cref="SynchronizationContext"/>, so an <c>await</c> inside a reactor callback resumes on the reactor thread.
/// </remarks>
public interface IReactorThreads
{
    /// <summary>
    /// <c>true</c> on the reactor thread: the thread running <see cref="IReactorCore.Run"/>, or before it runs, the thread
    /// that created the reactor (Twisted's <c>isInIOThread</c>).
    /// </summary>
    bool IsInReactorThread { get; }

    /// <summary>
    /// Runs <paramref name="callback"/> on the reactor thread at the start of the next iteration, waking a sleeping loop
    /// at once. Callbacks from one thread run in the order they were queued; one queued from inside such a callback runs
    /// on the following iteration. Safe to call from any thread, including before <see cref="IReactorCore.Run"/>
    /// (the callback then runs once the loop starts). After the reactor has shut down, the callback is dropped and logged.
    /// </summary>
    /// <param name="callback">What to call. An exception it throws is logged and the loop goes on.</param>
    void CallFromThread(Action callback);

    /// <summary>
    /// Runs <paramref name="work"/> on the reactor's bounded worker pool (never on the reactor thread). Use it for
    /// blocking work; hand results back with <see cref="CallFromThread"/> or use <see cref="DeferToThread"/>.
    /// </summary>
    /// <param name="work">What to run. An exception it throws is logged.</param>
    void CallInThread(Action work);

    /// <summary>
    /// Runs <paramref name="work"/> on the worker pool and returns a Deferred that fires on the reactor thread with its
    /// result, or fails with its exception (Twisted's <c>deferToThread</c>).
    /// </summary>
    /// <typeparam name="T">The result's type.</typeparam>
    /// <param name="work">What to run.</param>
    /// <returns>A Deferred of the result.</returns>
    Deferred<T> DeferToThread<T>(Func<T> work);

    /// <summary>Sets the most worker threads the pool runs at once (Twisted's <c>suggestThreadPoolSize</c>; the default is 10).</summary>
    /// <param name="size">At least 1.</param>
    void SuggestThreadPoolSize(int size);
}
