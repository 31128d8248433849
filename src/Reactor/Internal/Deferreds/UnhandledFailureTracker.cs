using Microsoft.Extensions.Logging;

namespace Reactor.Internal.Deferreds;

/// <summary>
/// Reports a Deferred's failure that nobody handled when the Deferred is garbage-collected (Twisted's <c>DebugInfo.__del__</c>).
/// </summary>
/// <remarks>
/// Only a Deferred whose callback chain ended on a failure owns one of these, so ordinary Deferreds carry no finalizer.
/// The tracker holds the failure but not the Deferred: when the Deferred becomes unreachable, so does its tracker, and the
/// finalizer runs. Handling the failure later calls <see cref="Dismiss"/>.
/// </remarks>
internal sealed class UnhandledFailureTracker
{
    private readonly ILogger? _logger;

    internal UnhandledFailureTracker(Failure failure, ILogger? logger)
    {
        Failure = failure;
        _logger = logger;
    }

    ~UnhandledFailureTracker()
    {
        Deferred.ReportUnhandledFailure(Failure, _logger);
    }

    internal Failure Failure { get; }

    /// <summary>The failure was handled after all: never report it.</summary>
    internal void Dismiss() => GC.SuppressFinalize(this);
}
