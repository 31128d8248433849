using System.Net;
using Microsoft.Extensions.Logging;
using Reactor.Tls;

namespace Reactor.Internal.Tls;

/// <summary>TLS's log messages (category <c>Reactor.Tcp</c>, with the connections), event ids 500–599 (never reused).</summary>
internal static partial class TlsLog
{
    [LoggerMessage(EventId = 500, EventName = "TlsHandshakeFailed", Level = LogLevel.Information,
        Message = "TLS handshake with {Peer} failed ({Reason}): {Detail}")]
    internal static partial void HandshakeFailed(ILogger logger, EndPoint? peer, TlsFailureReason reason, string detail);

    [LoggerMessage(EventId = 501, EventName = "TlsCallbackFailed", Level = LogLevel.Error,
        Message = "Unhandled Error in {System} {Callback}; the connection is closed")]
    internal static partial void CallbackFailed(ILogger logger, string system, string callback, Exception exception);

    [LoggerMessage(EventId = 502, EventName = "TlsCloseNotifyTimedOut", Level = LogLevel.Debug,
        Message = "No close_notify from {Peer} within {Timeout}; closing the connection")]
    internal static partial void CloseNotifyTimedOut(ILogger logger, EndPoint? peer, TimeSpan timeout);
}
