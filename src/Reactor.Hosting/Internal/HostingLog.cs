using Microsoft.Extensions.Logging;

namespace Reactor.Hosting.Internal;

/// <summary>The hosted reactor's log messages (category <c>Reactor.Hosting</c>), event ids 300–399. Ids are never reused.</summary>
internal static partial class HostingLog
{
    internal const string Category = "Reactor.Hosting";

    [LoggerMessage(EventId = 300, EventName = "ReactorStarted", Level = LogLevel.Debug,
        Message = "Reactor running on thread '{ThreadName}' with the {Backend} backend")]
    internal static partial void ReactorStarted(ILogger logger, string threadName, ReactorBackend backend);

    [LoggerMessage(EventId = 301, EventName = "ReactorStopping", Level = LogLevel.Debug,
        Message = "The host is stopping: stopping the reactor")]
    internal static partial void ReactorStopping(ILogger logger);

    [LoggerMessage(EventId = 302, EventName = "ReactorStopTimedOut", Level = LogLevel.Warning,
        Message = "The reactor did not finish shutting down within the host's shutdown timeout")]
    internal static partial void ReactorStopTimedOut(ILogger logger);

    [LoggerMessage(EventId = 303, EventName = "ReactorStoppedByItself", Level = LogLevel.Warning,
        Message = "The reactor stopped while the host was running; stopping the host")]
    internal static partial void ReactorStoppedByItself(ILogger logger);

    [LoggerMessage(EventId = 304, EventName = "ReactorFailed", Level = LogLevel.Critical,
        Message = "The reactor thread failed; stopping the host")]
    internal static partial void ReactorFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 305, EventName = "EndpointListening", Level = LogLevel.Information,
        Message = "Endpoint '{Name}' ({Description}) listening on {Address}")]
    internal static partial void EndpointListening(ILogger logger, string name, string description, System.Net.EndPoint address);

    [LoggerMessage(EventId = 306, EventName = "EndpointFailed", Level = LogLevel.Error,
        Message = "Endpoint '{Name}' ({Description}) could not listen; the host does not start")]
    internal static partial void EndpointFailed(ILogger logger, string name, string description, Exception exception);
}
