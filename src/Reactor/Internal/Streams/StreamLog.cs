using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace Reactor.Internal.Streams;

/// <summary>
/// Stream transports' log messages, TCP's and UNIX sockets' (category <c>Reactor.Tcp</c>), event ids 400–499 (never reused), wording as Twisted's
/// where it has one. The list, with meanings, is in <c>docs/logging-and-metrics.md</c>.
/// </summary>
internal static partial class StreamLog
{
    internal const string Category = "Reactor.Tcp";

    [LoggerMessage(EventId = 400, EventName = "PortStarted", Level = LogLevel.Information, Message = "{LogPrefix} starting on {Port}")]
    internal static partial void PortStarted(ILogger logger, string logPrefix, int port);

    [LoggerMessage(EventId = 401, EventName = "PortClosed", Level = LogLevel.Information, Message = "(TCP Port {Port} Closed)")]
    internal static partial void PortClosed(ILogger logger, int port);

    [LoggerMessage(EventId = 402, EventName = "FactoryStarting", Level = LogLevel.Information, Message = "Starting factory {Factory}")]
    internal static partial void FactoryStarting(ILogger logger, Factory factory);

    [LoggerMessage(EventId = 403, EventName = "FactoryStopping", Level = LogLevel.Information, Message = "Stopping factory {Factory}")]
    internal static partial void FactoryStopping(ILogger logger, Factory factory);

    [LoggerMessage(EventId = 404, EventName = "ProtocolCallbackFailed", Level = LogLevel.Error, Message = "Unhandled Error in {System} {Callback}; the connection is closed")]
    internal static partial void ProtocolCallbackFailed(ILogger logger, string system, string callback, Exception exception);

    [LoggerMessage(EventId = 405, EventName = "FactoryCallbackFailed", Level = LogLevel.Error, Message = "Unhandled Error in {Factory} {Callback}")]
    internal static partial void FactoryCallbackFailed(ILogger logger, Factory factory, string callback, Exception exception);

    [LoggerMessage(EventId = 406, EventName = "AcceptFailed", Level = LogLevel.Information,
        Message = "Could not accept new connection on {Port} ({Error}; {Total} so far)")]
    internal static partial void AcceptFailed(ILogger logger, string port, SocketError error, long total);

    [LoggerMessage(EventId = 407, EventName = "AcceptsShed", Level = LogLevel.Warning,
        Message = "Out of file descriptors on {Port}: closed {Count} waiting connection(s) ({Total} so far); the port keeps listening")]
    internal static partial void AcceptsShed(ILogger logger, string port, int count, long total);

    [LoggerMessage(EventId = 408, EventName = "WriteAfterCloseDropped", Level = LogLevel.Debug,
        Message = "Dropped {Length} byte(s) written to {Transport} after it began closing")]
    internal static partial void WriteAfterCloseDropped(ILogger logger, int length, object transport);

    [LoggerMessage(EventId = 409, EventName = "ConnectionRefusedByFactory", Level = LogLevel.Debug,
        Message = "{Factory} built no protocol for a connection from {Peer}; it was closed")]
    internal static partial void ConnectionRefusedByFactory(ILogger logger, Factory factory, System.Net.EndPoint peer);

    [LoggerMessage(EventId = 410, EventName = "WriteBufferOverflow", Level = LogLevel.Warning,
        Message = "Aborted {Transport}: a write of {Length} byte(s) would have taken its write buffer of {Buffered} byte(s) past the cap of {Limit}")]
    internal static partial void WriteBufferOverflow(ILogger logger, object transport, long length, long buffered, long limit);

    [LoggerMessage(EventId = 411, EventName = "PortAtConnectionLimit", Level = LogLevel.Information,
        Message = "{Port} holds {Count} connection(s), its cap: accepting pauses until one closes ({Total} time(s) so far)")]
    internal static partial void PortAtConnectionLimit(ILogger logger, string port, int count, long total);

    [LoggerMessage(EventId = 412, EventName = "UnixPortStarted", Level = LogLevel.Information, Message = "{LogPrefix} starting on '{Path}'")]
    internal static partial void UnixPortStarted(ILogger logger, string logPrefix, string path);

    [LoggerMessage(EventId = 413, EventName = "UnixPortClosed", Level = LogLevel.Information, Message = "(UNIX Port {Path} Closed)")]
    internal static partial void UnixPortClosed(ILogger logger, string path);
}
