using System.Diagnostics.Metrics;
using System.Net.Sockets;

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
    private static readonly KeyValuePair<string, object?> TransportUdp = new("network.transport", "udp");
    private static readonly UdpPortCounters[] RetiredTotals = [new(), new()];
    private static readonly bool[] FamilyUsed = new bool[2];

    /// <summary>Each family's attributes (index 0: IPv4, 1: IPv6), made once.</summary>
    private static readonly KeyValuePair<string, object?>[][] FamilyTags =
    [
        [TransportUdp, Telemetry.TypeIPv4],
        [TransportUdp, Telemetry.TypeIPv6],
    ];

    private static readonly KeyValuePair<string, object?>[][] TruncatedTags = WithReason("truncated");
    private static readonly KeyValuePair<string, object?>[][] QueueFullTags = WithReason("queue_full");
    private static readonly KeyValuePair<string, object?>[][] SendErrorTags = WithReason("send_error");

    static UdpMetrics()
    {
        var meter = ReactorMetrics.Meter;
        meter.CreateObservableCounter("reactor.udp.datagrams.received", () => ByFamily(static c => c.DatagramsReceived, FamilyTags), "{datagram}", "Datagrams delivered to protocols.");
        meter.CreateObservableCounter("reactor.udp.datagrams.sent", () => ByFamily(static c => c.DatagramsSent, FamilyTags), "{datagram}", "Datagrams handed to the kernel.");
        meter.CreateObservableCounter("reactor.udp.bytes.received", () => ByFamily(static c => c.BytesReceived, FamilyTags), "By", "Payload bytes delivered to protocols.");
        meter.CreateObservableCounter("reactor.udp.bytes.sent", () => ByFamily(static c => c.BytesSent, FamilyTags), "By", "Payload bytes handed to the kernel.");
        meter.CreateObservableCounter("reactor.udp.datagrams.dropped", ObserveDropped, "{datagram}", "Datagrams dropped, by reason: truncated, queue_full, send_error.");
        meter.CreateObservableUpDownCounter("reactor.udp.pending_writes", ObservePendingWrites, "{datagram}", "Datagrams queued because the socket's send buffer was full.");
    }

    /// <summary>Counts a port in the UDP instruments from now on.</summary>
    internal static void PortOpened(UdpPort port)
    {
        lock (PortsLock)
        {
            OpenPorts.Add(port);
            FamilyUsed[FamilyIndex(port)] = true;
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

    private static int FamilyIndex(UdpPort port) => port.AddressFamily == AddressFamily.InterNetworkV6 ? 1 : 0;

    private static KeyValuePair<string, object?>[][] WithReason(string reason) =>
    [
        [TransportUdp, Telemetry.TypeIPv4, new("reason", reason)],
        [TransportUdp, Telemetry.TypeIPv6, new("reason", reason)],
    ];

    /// <summary>Per family in use, the total of open and closed ports' counts, tagged with <paramref name="tags"/>[family].</summary>
    private static void AddByFamily(List<Measurement<long>> into, Func<UdpPortCounters, long> read, KeyValuePair<string, object?>[][] tags)
    {
        lock (PortsLock)
        {
            FoldRetiredPorts();
            Span<long> totals = [read(RetiredTotals[0]), read(RetiredTotals[1])];
            foreach (var port in OpenPorts)
            {
                totals[FamilyIndex(port)] += read(port.Counters);
            }

            for (var family = 0; family < 2; family++)
            {
                if (FamilyUsed[family])
                {
                    into.Add(new(totals[family], tags[family]));
                }
            }
        }
    }

    private static List<Measurement<long>> ByFamily(Func<UdpPortCounters, long> read, KeyValuePair<string, object?>[][] tags)
    {
        var measurements = new List<Measurement<long>>(2);
        AddByFamily(measurements, read, tags);
        return measurements;
    }

    private static List<Measurement<long>> ObserveDropped()
    {
        var measurements = new List<Measurement<long>>(6);
        AddByFamily(measurements, static c => c.DroppedTruncated, TruncatedTags);
        AddByFamily(measurements, static c => c.DroppedQueueFull, QueueFullTags);
        AddByFamily(measurements, static c => c.DroppedSendError, SendErrorTags);
        return measurements;
    }

    private static List<Measurement<long>> ObservePendingWrites()
    {
        lock (PortsLock)
        {
            Span<long> totals = [0, 0];
            foreach (var port in OpenPorts)
            {
                totals[FamilyIndex(port)] += port.PendingWriteCount;
            }

            var measurements = new List<Measurement<long>>(2);
            for (var family = 0; family < 2; family++)
            {
                if (FamilyUsed[family])
                {
                    measurements.Add(new(totals[family], FamilyTags[family]));
                }
            }

            return measurements;
        }
    }

    /// <summary>Adds the final counts of the ports that closed since the last collection to the running totals.</summary>
    private static void FoldRetiredPorts()
    {
        foreach (var port in RetiredPorts)
        {
            var counters = port.Counters;
            var totals = RetiredTotals[FamilyIndex(port)];
            totals.DatagramsReceived += counters.DatagramsReceived;
            totals.BytesReceived += counters.BytesReceived;
            totals.DatagramsSent += counters.DatagramsSent;
            totals.BytesSent += counters.BytesSent;
            totals.DroppedTruncated += counters.DroppedTruncated;
            totals.DroppedQueueFull += counters.DroppedQueueFull;
            totals.DroppedSendError += counters.DroppedSendError;
        }

        RetiredPorts.Clear();
    }
}
