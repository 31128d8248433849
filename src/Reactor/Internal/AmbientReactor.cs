using Microsoft.Extensions.Logging;

namespace Reactor.Internal;

/// <summary>
/// What a piece of code running on a reactor thread can learn about that reactor without being handed it: the logger
/// that Deferred failures nobody handled are reported through, and the reactor that owns the Deferreds created there.
/// </summary>
internal static class AmbientReactor
{
    [ThreadStatic]
    private static ILogger? t_logger;

    [ThreadStatic]
    private static ReactorBase? t_running;

    /// <summary>The logger of the reactor that owns the current thread, or <c>null</c> off reactor threads.</summary>
    internal static ILogger? Logger
    {
        get => t_logger;
        set => t_logger = value;
    }

    /// <summary>
    /// The reactor whose <c>Run()</c> is running on the current thread, or <c>null</c>. Only while it runs: a reactor merely
    /// created on a thread does not claim it, so a thread that outlives (or never runs) its reactor keeps Deferreds free.
    /// </summary>
    internal static ReactorBase? Running
    {
        get => t_running;
        set => t_running = value;
    }
}
