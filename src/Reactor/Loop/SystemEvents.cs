namespace Reactor;

/// <summary>The names of the system events the reactor fires itself.</summary>
public static class SystemEvents
{
    /// <summary>Fired by <see cref="IReactorCore.Run"/> as the loop starts.</summary>
    public const string Startup = "startup";

    /// <summary>Fired after <see cref="IReactorCore.Stop"/>; the loop ends when it completes.</summary>
    public const string Shutdown = "shutdown";
}
