using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace Reactor.Internal.Udp;

/// <summary>UDP ports' log messages (category <c>Reactor.Udp</c>), event ids 200–299, wording as Twisted's where it has one.</summary>
internal static partial class UdpLog
{
    internal const string Category = "Reactor.Udp";

    [LoggerMessage(EventId = 200, EventName = "PortStarted", Level = LogLevel.Information, Message = "{LogPrefix} starting on {Port}")]
    internal static partial void PortStarted(ILogger logger, string logPrefix, int port);

    [LoggerMessage(EventId = 201, EventName = "PortClosed", Level = LogLevel.Information, Message = "(UDP Port {Port} Closed)")]
    internal static partial void PortClosed(ILogger logger, int port);

    [LoggerMessage(EventId = 202, EventName = "ProtocolStarting", Level = LogLevel.Debug, Message = "Starting protocol {Protocol}")]
    internal static partial void ProtocolStarting(ILogger logger, DatagramProtocol protocol);

    [LoggerMessage(EventId = 203, EventName = "ProtocolStopping", Level = LogLevel.Debug, Message = "Stopping protocol {Protocol}")]
    internal static partial void ProtocolStopping(ILogger logger, DatagramProtocol protocol);

    [LoggerMessage(EventId = 204, EventName = "ProtocolCallbackFailed", Level = LogLevel.Error, Message = "Unhandled Error in {System} {Callback}")]
    internal static partial void ProtocolCallbackFailed(ILogger logger, string system, string callback, Exception exception);

    [LoggerMessage(EventId = 205, EventName = "TruncatedDatagramDropped", Level = LogLevel.Warning,
        Message = "Dropped a datagram from {Sender} on UDP port {Port}: longer than maxPacketSize {MaxPacketSize} ({Total} dropped so far)")]
    internal static partial void TruncatedDatagramDropped(ILogger logger, IPEndPoint sender, int port, int maxPacketSize, long total);

    [LoggerMessage(EventId = 206, EventName = "QueueFullDatagramDropped", Level = LogLevel.Warning,
        Message = "Dropped a datagram on UDP port {Port}: the pending-write queue is full ({Total} dropped so far)")]
    internal static partial void QueueFullDatagramDropped(ILogger logger, int port, long total);

    [LoggerMessage(EventId = 207, EventName = "SendFailedDatagramDropped", Level = LogLevel.Warning,
        Message = "Dropped a datagram to {Destination} on UDP port {Port}: {Error} ({Total} dropped so far)")]
    internal static partial void SendFailedDatagramDropped(ILogger logger, string destination, int port, SocketError error, long total);

    [LoggerMessage(EventId = 208, EventName = "ReceiveFailed", Level = LogLevel.Error,
        Message = "Read error on UDP port {Port}: {Error}; the port stays open")]
    internal static partial void ReceiveFailed(ILogger logger, int port, SocketError error);

    [LoggerMessage(EventId = 209, EventName = "PendingWritesDroppedAtClose", Level = LogLevel.Warning,
        Message = "UDP port {Port} closed with {Count} queued datagram(s) unsent; they were dropped")]
    internal static partial void PendingWritesDroppedAtClose(ILogger logger, int port, int count);
}
