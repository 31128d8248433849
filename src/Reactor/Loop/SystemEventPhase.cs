namespace Reactor;

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
