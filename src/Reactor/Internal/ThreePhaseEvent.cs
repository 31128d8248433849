using Microsoft.Extensions.Logging;

namespace Reactor.Internal;

/// <summary>
/// One system event's triggers (Twisted's <c>_ThreePhaseEvent</c>): "before" triggers run first and may return Deferreds;
/// once they have all fired, "during" then "after" triggers run. A trigger is removed from its list as it runs, so each
/// registration fires once. Exceptions from triggers are logged and the others still run.
/// </summary>
internal sealed class ThreePhaseEvent
{
    private readonly ILogger _logger;
    private readonly string _eventType;
    private readonly List<Trigger> _before = [];
    private readonly List<Trigger> _during = [];
    private readonly List<Trigger> _after = [];
    private readonly List<Trigger> _finishedBefore = [];
    private bool _inBeforePhase;

    internal ThreePhaseEvent(ILogger logger, string eventType)
    {
        _logger = logger;
        _eventType = eventType;
    }

    internal SystemEventTriggerId Add(SystemEventPhase phase, Action? action, Func<Deferred?>? function)
    {
        var id = new SystemEventTriggerId(_eventType, phase);
        ListFor(phase).Add(new Trigger(id, action, function));
        return id;
    }

    internal void Remove(SystemEventTriggerId id)
    {
        var list = ListFor(id.Phase);
        var index = list.FindIndex(t => ReferenceEquals(t.Id, id));
        if (index >= 0)
        {
            list.RemoveAt(index);
            return;
        }

        // Twisted only warns when a "before" trigger that already ran is removed while its event is still firing.
        if (_inBeforePhase && id.Phase == SystemEventPhase.Before && _finishedBefore.Exists(t => ReferenceEquals(t.Id, id)))
        {
            ReactorLog.RemovingFiredTrigger(_logger, id);
            return;
        }

        throw new ArgumentException($"{id} is not registered: it was never added, was removed, or has already run.", nameof(id));
    }

    internal void Fire()
    {
        _inBeforePhase = true;
        List<Deferred>? waitFor = null;
        while (_before.Count > 0)
        {
            var trigger = _before[0];
            _before.RemoveAt(0);
            _finishedBefore.Add(trigger);
            var deferred = Invoke(trigger);
            if (deferred is not null)
            {
                (waitFor ??= []).Add(deferred);
            }
        }

        if (waitFor is null)
        {
            ContinueFiring();
            return;
        }

        // Counts one extra until every Deferred is attached, so ones that already fired cannot continue early.
        var remaining = waitFor.Count + 1;
        void OneDone()
        {
            if (--remaining == 0)
            {
                ContinueFiring();
            }
        }

        foreach (var deferred in waitFor)
        {
            deferred.AddCallbacksUntyped(
                result =>
                {
                    OneDone();
                    return result;
                },
                failure =>
                {
                    ReactorLog.BeforeTriggerDeferredFailed(_logger, _eventType, failure.Exception);
                    OneDone();
                    return null;
                });
        }

        OneDone();
    }

    private void ContinueFiring()
    {
        _inBeforePhase = false;
        _finishedBefore.Clear();
        RunAll(_during);
        RunAll(_after);
    }

    private void RunAll(List<Trigger> triggers)
    {
        while (triggers.Count > 0)
        {
            var trigger = triggers[0];
            triggers.RemoveAt(0);
            Invoke(trigger);
        }
    }

    private Deferred? Invoke(Trigger trigger)
    {
        try
        {
            if (trigger.Action is not null)
            {
                trigger.Action();
                return null;
            }

            return trigger.Function!();
        }
        catch (Exception e)
        {
            ReactorLog.SystemEventTriggerFailed(_logger, trigger.Id.Phase, _eventType, e);
            return null;
        }
    }

    private List<Trigger> ListFor(SystemEventPhase phase) => phase switch
    {
        SystemEventPhase.Before => _before,
        SystemEventPhase.During => _during,
        SystemEventPhase.After => _after,
        _ => throw new ArgumentOutOfRangeException(nameof(phase), phase, "Not a system event phase."),
    };

    private sealed record Trigger(SystemEventTriggerId Id, Action? Action, Func<Deferred?>? Function);
}
