namespace Reactor;

/// <summary>The names of the system events the reactor fires itself.</summary>
public static class SystemEvents
{
    /// <summary>Fired by <see cref="IReactorCore.Run"/> as the loop starts.</summary>
    public const string Startup = "startup";

    /// <summary>Fired after <see cref="IReactorCore.Stop"/>; the loop ends when it completes.</summary>
    public const string Shutdown = "shutdown";
}

/// <summary>The three phases of a system event, run in this order.</summary>
public enum SystemEventPhase
{
    /// <summary>Runs first; a trigger may return a Deferred that the "during" phase waits for.</summary>
    Before,

    /// <summary>Runs once every "before" Deferred has fired. During shutdown, ports are closed at the start of this phase.</summary>
    During,

    /// <summary>Runs last.</summary>
    After,
}

/// <summary>Identifies a trigger added with <c>AddSystemEventTrigger</c>, so it can be removed.</summary>
public sealed class SystemEventTriggerId
{
    internal SystemEventTriggerId(string eventType, SystemEventPhase phase)
    {
        EventType = eventType;
        Phase = phase;
    }

    /// <summary>The event the trigger belongs to.</summary>
    public string EventType { get; }

    /// <summary>The phase the trigger runs in.</summary>
    public SystemEventPhase Phase { get; }

    /// <inheritdoc/>
    public override string ToString() => $"<trigger {Phase} {EventType}>";
}
