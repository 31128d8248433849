using System.Diagnostics.Metrics;

namespace Reactor.Internal.Udp;

/// <summary>
/// The UDP instruments of the <c>Reactor</c> meter (<c>reactor.udp.*</c>; the list, with meanings, is in
/// <c>docs/logging-and-metrics.md</c>).
/// </summary>
/// <remarks>
/// The hot path pays nothing new: the instruments are observable, read from the <see cref="UdpPortCounters"/> each port
/// keeps anyway, only when a listener collects. Ports register here when they open and retire when they close; a retired
/// port's counts are folded into running totals at the next collection, so the counters never go backwards.
/// </remarks>
internal static class UdpMetrics
{
    private static readonly Lock PortsLock = new();
    private static readonly List<UdpPort> OpenPorts = [];
    private static readonly List<UdpPort> RetiredPorts = [];
    private static readonly UdpPortCounters RetiredTotals = new();

    static UdpMetrics()
    {
        var meter = ReactorMetrics.Meter;
        meter.CreateObservableCounter("reactor.udp.datagrams.received", () => Sum(static c => c.DatagramsReceived), "{datagram}", "Datagrams delivered to protocols.");
        meter.CreateObservableCounter("reactor.udp.datagrams.sent", () => Sum(static c => c.DatagramsSent), "{datagram}", "Datagrams handed to the kernel.");
        meter.CreateObservableCounter("reactor.udp.bytes.received", () => Sum(static c => c.BytesReceived), "By", "Payload bytes delivered to protocols.");
        meter.CreateObservableCounter("reactor.udp.bytes.sent", () => Sum(static c => c.BytesSent), "By", "Payload bytes handed to the kernel.");
        meter.CreateObservableCounter("reactor.udp.datagrams.dropped", ObserveDropped, "{datagram}", "Datagrams dropped, by reason: truncated, queue_full, send_error.");
        meter.CreateObservableUpDownCounter("reactor.udp.pending_writes", ObservePendingWrites, "{datagram}", "Datagrams queued because the socket's send buffer was full.");
    }

    /// <summary>Counts a port in the UDP instruments from now on.</summary>
    internal static void PortOpened(UdpPort port)
    {
        lock (PortsLock)
        {
            OpenPorts.Add(port);
        }
    }

    /// <summary>Stops observing <paramref name="port"/>; its counts so far (and any it makes while closing) are kept.</summary>
    internal static void PortClosed(UdpPort port)
    {
        lock (PortsLock)
        {
            if (OpenPorts.Remove(port))
            {
                RetiredPorts.Add(port);
            }
        }
    }

    private static long Sum(Func<UdpPortCounters, long> read)
    {
        lock (PortsLock)
        {
            FoldRetiredPorts();
            var total = read(RetiredTotals);
            foreach (var port in OpenPorts)
            {
                total += read(port.Counters);
            }

            return total;
        }
    }

    private static IEnumerable<Measurement<long>> ObserveDropped() =>
    [
        new(Sum(static c => c.DroppedTruncated), new KeyValuePair<string, object?>("reason", "truncated")),
        new(Sum(static c => c.DroppedQueueFull), new KeyValuePair<string, object?>("reason", "queue_full")),
        new(Sum(static c => c.DroppedSendError), new KeyValuePair<string, object?>("reason", "send_error")),
    ];

    private static long ObservePendingWrites()
    {
        lock (PortsLock)
        {
            var total = 0L;
            foreach (var port in OpenPorts)
            {
                total += port.PendingWriteCount;
            }

            return total;
        }
    }

    /// <summary>Adds the final counts of the ports that closed since the last collection to the running totals.</summary>
    private static void FoldRetiredPorts()
    {
        foreach (var port in RetiredPorts)
        {
            var counters = port.Counters;
            RetiredTotals.DatagramsReceived += counters.DatagramsReceived;
            RetiredTotals.BytesReceived += counters.BytesReceived;
            RetiredTotals.DatagramsSent += counters.DatagramsSent;
            RetiredTotals.BytesSent += counters.BytesSent;
            RetiredTotals.DroppedTruncated += counters.DroppedTruncated;
            RetiredTotals.DroppedQueueFull += counters.DroppedQueueFull;
            RetiredTotals.DroppedSendError += counters.DroppedSendError;
        }

        RetiredPorts.Clear();
    }
}
