using Microsoft.Extensions.Logging;

namespace Reactor.Internal;

/// <summary>
/// What a piece of code running on a reactor thread can learn about that reactor without being handed it:
/// the logger that Deferred failures nobody handled are reported through.
/// </summary>
internal static class AmbientReactor
{
    [ThreadStatic]
    private static ILogger? t_logger;

    /// <summary>The logger of the reactor that owns the current thread, or <c>null</c> off reactor threads.</summary>
    internal static ILogger? Logger
    {
        get => t_logger;
        set => t_logger = value;
    }
}
