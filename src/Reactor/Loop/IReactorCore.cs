namespace Reactor;

/// <summary>
/// Running and stopping the loop, and the system events around it: Twisted's <c>IReactorCore</c>.
/// </summary>
/// <remarks>
/// Start-up runs the <c>startup</c> event (before → during → after); <see cref="Run"/> then loops until
/// <see cref="Stop"/>. Shutdown runs the <c>shutdown</c> event: "before" triggers (shutdown waits for any Deferred they
/// return), then every open port is closed (each protocol's <c>StopProtocol</c> runs), then "during" and "after" triggers,
/// and <see cref="Run"/> returns. A reactor runs once: it cannot be restarted after it has been stopped.
/// </remarks>
public interface IReactorCore
{
    /// <summary>
    /// <c>true</c> from the "during" phase of start-up until shutdown begins its "during" phase
    /// (Twisted's <c>reactor.running</c>).
    /// </summary>
    bool Running { get; }

    /// <summary>
    /// Runs the loop on the calling thread, which becomes the reactor thread, until <see cref="Stop"/> is called
    /// and shutdown has finished.
    /// </summary>
    /// <exception cref="ReactorAlreadyRunningException">The reactor is already running.</exception>
    /// <exception cref="ReactorNotRestartableException">The reactor has run and been stopped before.</exception>
    void Run();

    /// <summary>
    /// Asks the loop to shut down: the <c>shutdown</c> event fires at the end of the current iteration (never
    /// synchronously inside this call) and <see cref="Run"/> returns once it has completed. Safe to call from any thread.
    /// </summary>
    /// <exception cref="ReactorNotRunningException">The reactor is not running, or is already stopping.</exception>
    void Stop();

    /// <summary>
    /// Stops the loop at the end of the current iteration without running shutdown triggers or closing ports
    /// (Twisted's <c>crash</c>, meant for tests). <see cref="Run"/> may be called again afterwards.
    /// </summary>
    void Crash();

    /// <summary>
    /// Runs one iteration of the loop from the calling thread: due calls and timers, then waits at most
    /// <paramref name="maxWait"/> for I/O and dispatches it. Meant for tests and for embedding the loop in another one.
    /// </summary>
    /// <param name="maxWait">The longest time to wait for I/O; <see cref="TimeSpan.Zero"/> never blocks.</param>
    void Iterate(TimeSpan maxWait);

    /// <summary>
    /// Calls <paramref name="callback"/> once the reactor is running: immediately (synchronously) when it already is,
    /// otherwise as an "after startup" trigger.
    /// </summary>
    /// <param name="callback">What to call.</param>
    /// <returns>The trigger's id (for <see cref="RemoveSystemEventTrigger"/>), or <c>null</c> when the callback already ran.</returns>
    SystemEventTriggerId? CallWhenRunning(Action callback);

    /// <summary>
    /// Adds a trigger to a phase of a system event (<see cref="SystemEvents.Startup"/>, <see cref="SystemEvents.Shutdown"/>,
    /// or an event of your own fired with <see cref="FireSystemEvent"/>). A trigger runs once, the next time the event fires.
    /// </summary>
    /// <param name="phase">Before, during or after the event.</param>
    /// <param name="eventType">The event's name.</param>
    /// <param name="trigger">What to call. An exception it throws is logged and the other triggers still run.</param>
    /// <returns>An id for <see cref="RemoveSystemEventTrigger"/>.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="phase"/> is not a defined phase.</exception>
    SystemEventTriggerId AddSystemEventTrigger(SystemEventPhase phase, string eventType, Action trigger);

    /// <summary>
    /// Adds a trigger that may return a <see cref="Deferred"/>. For the "before" phase, the "during" phase waits until
    /// every Deferred returned by a "before" trigger has fired (a failure is logged and does not stop the event).
    /// </summary>
    /// <param name="phase">Before, during or after the event.</param>
    /// <param name="eventType">The event's name.</param>
    /// <param name="trigger">What to call; it returns a Deferred to wait for, or <c>null</c>.</param>
    /// <returns>An id for <see cref="RemoveSystemEventTrigger"/>.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="phase"/> is not a defined phase.</exception>
    SystemEventTriggerId AddSystemEventTrigger(SystemEventPhase phase, string eventType, Func<Deferred?> trigger);

    /// <summary>Removes a trigger added with <see cref="AddSystemEventTrigger(SystemEventPhase, string, Action)"/>.</summary>
    /// <param name="triggerId">The id it returned.</param>
    /// <exception cref="ArgumentException">The id is unknown, was already removed, or its trigger has already run.</exception>
    void RemoveSystemEventTrigger(SystemEventTriggerId triggerId);

    /// <summary>Fires a system event: its before, during and after triggers, in that order.</summary>
    /// <param name="eventType">The event's name.</param>
    void FireSystemEvent(string eventType);
}
