namespace Reactor.Internal;

/// <summary>
/// The rate limit of every log message that could repeat once per datagram, connection or error (drops, accept
/// failures): the first ten, then the 16th, 32nd, 64th, … (docs/logging-and-metrics.md). The counters still count all.
/// </summary>
internal static class DropLogging
{
    /// <summary>Whether the <paramref name="total"/>th occurrence is logged.</summary>
    internal static bool ShouldLog(long total) => total <= 10 || (total & (total - 1)) == 0;
}
