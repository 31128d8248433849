namespace Reactor;

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
