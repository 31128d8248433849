namespace Reactor.Internal.Udp;

/// <summary>What a UDP port has done, counted on the reactor thread; the metrics read these.</summary>
internal sealed class UdpPortCounters
{
    internal long DatagramsReceived { get; set; }

    internal long BytesReceived { get; set; }

    internal long DatagramsSent { get; set; }

    internal long BytesSent { get; set; }

    /// <summary>D7: datagrams longer than maxPacketSize, dropped instead of delivered cut short.</summary>
    internal long DroppedTruncated { get; set; }

    /// <summary>D8: datagrams dropped because the pending-write queue was at its bound.</summary>
    internal long DroppedQueueFull { get; set; }

    /// <summary>Datagrams the kernel refused for a transient reason (e.g. network unreachable).</summary>
    internal long DroppedSendError { get; set; }

    internal long ReceiveErrors { get; set; }

    internal int PendingWritesHighWater { get; set; }
}
