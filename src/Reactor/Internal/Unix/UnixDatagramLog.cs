using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace Reactor.Internal.Unix;

/// <summary>The UNIX datagram port's log events (category <c>Reactor.Udp</c>, next to the UDP port's 200–209).</summary>
internal static partial class UnixDatagramLog
{
    [LoggerMessage(EventId = 210, EventName = "UnixDatagramPortStarted", Level = LogLevel.Information, Message = "{LogPrefix} starting on '{Path}'")]
    internal static partial void PortStarted(ILogger logger, string logPrefix, string path);

    [LoggerMessage(EventId = 211, EventName = "UnixDatagramPortClosed", Level = LogLevel.Information, Message = "(UNIX Datagram Port {Path} Closed)")]
    internal static partial void PortClosed(ILogger logger, string path);

    [LoggerMessage(EventId = 212, EventName = "UnixTruncatedDatagramDropped", Level = LogLevel.Warning,
        Message = "Dropped a datagram from {Sender} on {Path}: longer than maxPacketSize {MaxPacketSize} ({Total} dropped so far)")]
    internal static partial void TruncatedDatagramDropped(ILogger logger, string sender, string path, int maxPacketSize, long total);

    [LoggerMessage(EventId = 213, EventName = "UnixDatagramDropped", Level = LogLevel.Warning,
        Message = "Dropped a datagram to {Destination} from {Path}: its receive queue is full ({Total} dropped so far)")]
    internal static partial void DatagramDropped(ILogger logger, string destination, string path, long total);

    [LoggerMessage(EventId = 214, EventName = "UnixDatagramReceiveFailed", Level = LogLevel.Error, Message = "Receive failed on UNIX datagram port {Path}: {Error}")]
    internal static partial void ReceiveFailed(ILogger logger, string path, SocketError error);

    [LoggerMessage(EventId = 215, EventName = "UnixDatagramProtocolStarting", Level = LogLevel.Debug, Message = "Starting protocol {Protocol}")]
    internal static partial void ProtocolStarting(ILogger logger, UnixDatagramProtocol protocol);

    [LoggerMessage(EventId = 216, EventName = "UnixDatagramProtocolStopping", Level = LogLevel.Debug, Message = "Stopping protocol {Protocol}")]
    internal static partial void ProtocolStopping(ILogger logger, UnixDatagramProtocol protocol);
}
