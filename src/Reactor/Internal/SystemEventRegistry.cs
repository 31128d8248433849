using Microsoft.Extensions.Logging;

namespace Reactor.Internal;

/// <summary>
/// A reactor's system events by name (startup, shutdown, and any of the user's own), each a <see cref="ThreePhaseEvent"/>
/// created on first use. Shared by the real reactors and <c>Reactor.Testing.MemoryReactor</c>; the thread rule is the
/// caller's.
/// </summary>
internal sealed class SystemEventRegistry
{
    private readonly Dictionary<string, ThreePhaseEvent> _events = new(StringComparer.Ordinal);
    private readonly ILogger _logger;

    internal SystemEventRegistry(ILogger logger) => _logger = logger;

    internal SystemEventTriggerId Add(SystemEventPhase phase, string eventType, Action trigger)
    {
        ArgumentNullException.ThrowIfNull(trigger);
        return EventFor(eventType).Add(phase, trigger, null);
    }

    internal SystemEventTriggerId Add(SystemEventPhase phase, string eventType, Func<Deferred?> trigger)
    {
        ArgumentNullException.ThrowIfNull(trigger);
        return EventFor(eventType).Add(phase, null, trigger);
    }

    internal void Remove(SystemEventTriggerId triggerId)
    {
        ArgumentNullException.ThrowIfNull(triggerId);
        if (!_events.TryGetValue(triggerId.EventType, out var systemEvent))
        {
            throw new ArgumentException($"{triggerId} is not registered.", nameof(triggerId));
        }

        systemEvent.Remove(triggerId);
    }

    internal void Fire(string eventType)
    {
        ArgumentNullException.ThrowIfNull(eventType);
        if (_events.TryGetValue(eventType, out var systemEvent))
        {
            systemEvent.Fire();
        }
    }

    private ThreePhaseEvent EventFor(string eventType)
    {
        ArgumentNullException.ThrowIfNull(eventType);
        if (!_events.TryGetValue(eventType, out var systemEvent))
        {
            systemEvent = new ThreePhaseEvent(_logger, eventType);
            _events.Add(eventType, systemEvent);
        }

        return systemEvent;
    }
}
