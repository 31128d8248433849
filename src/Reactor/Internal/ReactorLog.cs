using Microsoft.Extensions.Logging;

namespace Reactor.Internal;

/// <summary>
/// The reactor core's log messages (category <c>Reactor</c>), event ids 1–99. Ids are never reused.
/// Wording follows Twisted's where Twisted has the message.
/// </summary>
internal static partial class ReactorLog
{
    internal const string Category = "Reactor";

    [LoggerMessage(EventId = 1, EventName = "TimedCallFailed", Level = LogLevel.Error,
        Message = "Unhandled Error while handling timed call")]
    internal static partial void TimedCallFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 2, EventName = "ThreadCallFailed", Level = LogLevel.Error,
        Message = "Unhandled Error while calling from thread")]
    internal static partial void ThreadCallFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 3, EventName = "SystemEventTriggerFailed", Level = LogLevel.Error,
        Message = "Unhandled Error in {Phase} {EventType} trigger")]
    internal static partial void SystemEventTriggerFailed(ILogger logger, SystemEventPhase phase, string eventType, Exception exception);

    [LoggerMessage(EventId = 4, EventName = "IoHandlerFailed", Level = LogLevel.Error,
        Message = "Unhandled Error in {Handler}")]
    internal static partial void IoHandlerFailed(ILogger logger, string handler, Exception exception);

    [LoggerMessage(EventId = 5, EventName = "CallDroppedAfterShutdown", Level = LogLevel.Warning,
        Message = "A call from another thread arrived after the reactor shut down and was dropped")]
    internal static partial void CallDroppedAfterShutdown(ILogger logger);

    [LoggerMessage(EventId = 6, EventName = "WorkerFailed", Level = LogLevel.Error,
        Message = "Unhandled Error in thread pool work")]
    internal static partial void WorkerFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 7, EventName = "BackendSelected", Level = LogLevel.Debug,
        Message = "Reactor created with the {Backend} backend")]
    internal static partial void BackendSelected(ILogger logger, ReactorBackend backend);

    [LoggerMessage(EventId = 8, EventName = "SignalReceived", Level = LogLevel.Information,
        Message = "Received {Signal}, shutting down.")]
    internal static partial void SignalReceived(ILogger logger, string signal);

    [LoggerMessage(EventId = 9, EventName = "RemovingFiredTrigger", Level = LogLevel.Warning,
        Message = "Removing already-fired system event triggers will raise an exception in a future version ({Trigger})")]
    internal static partial void RemovingFiredTrigger(ILogger logger, SystemEventTriggerId trigger);

    [LoggerMessage(EventId = 10, EventName = "WorkDroppedAtShutdown", Level = LogLevel.Warning,
        Message = "{Count} queued thread pool work item(s) had not started at shutdown and were dropped")]
    internal static partial void WorkDroppedAtShutdown(ILogger logger, int count);

    [LoggerMessage(EventId = 11, EventName = "BeforeTriggerDeferredFailed", Level = LogLevel.Error,
        Message = "A Deferred returned by a before {EventType} trigger failed")]
    internal static partial void BeforeTriggerDeferredFailed(ILogger logger, string eventType, Exception exception);

    [LoggerMessage(EventId = 12, EventName = "ShutdownCloseFailed", Level = LogLevel.Error,
        Message = "Unhandled Error while closing {Resource} at shutdown")]
    internal static partial void ShutdownCloseFailed(ILogger logger, string resource, Exception exception);

    [LoggerMessage(EventId = 13, EventName = "MainFailed", Level = LogLevel.Critical,
        Message = "main function encountered error")]
    internal static partial void MainFailed(ILogger logger, Exception exception);
}
