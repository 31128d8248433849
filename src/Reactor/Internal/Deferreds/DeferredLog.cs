using Microsoft.Extensions.Logging;

namespace Reactor.Internal.Deferreds;

/// <summary>Log messages of Deferreds. Event ids 100–119 belong to this class.</summary>
internal static partial class DeferredLog
{
    /// <summary>Twisted's <c>DebugInfo.__del__</c> message, with the failure's exception attached.</summary>
    [LoggerMessage(EventId = 100, EventName = "UnhandledErrorInDeferred", Level = LogLevel.Critical, Message = "Unhandled error in Deferred:")]
    internal static partial void UnhandledError(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 101, EventName = "DeferredListCancelFailed", Level = LogLevel.Error, Message = "Cancelling input {Index} of a DeferredList threw")]
    internal static partial void DeferredListCancelFailed(ILogger logger, int index, Exception exception);

    [LoggerMessage(EventId = 102, EventName = "UnhandledFailureHandlerFailed", Level = LogLevel.Error, Message = "A Deferred.UnhandledFailure handler threw")]
    internal static partial void UnhandledFailureHandlerFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 103, EventName = "RaceCancelFailed", Level = LogLevel.Error, Message = "Cancelling input {Index} of a Deferred race threw")]
    internal static partial void RaceCancelFailed(ILogger logger, int index, Exception exception);
}
