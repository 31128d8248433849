using System.Diagnostics;
using System.Diagnostics.Metrics;
using Reactor.Internal.Udp;

namespace Reactor.Internal;

/// <summary>
/// The library's <see cref="Meter"/>, named <c>Reactor</c>, and its instruments (OpenTelemetry-style names and units;
/// the list, with meanings, is in <c>docs/logging-and-metrics.md</c>).
/// </summary>
/// <remarks>
/// The hot path pays nothing new: UDP instruments are observable, read from the <see cref="UdpPortCounters"/> each port
/// keeps anyway, only when a listener collects. Ports register here when they open and retire when they close; a retired
/// port's counts are folded into running totals at the next collection, so the counters never go backwards. The loop's
/// histograms are recorded only while a listener has enabled them.
/// </remarks>
internal static class ReactorMetrics
{
    internal const string MeterName = "Reactor";

    /// <summary>The <c>reactor.callback.kind</c> tag's values.</summary>
    internal const string TimerKind = "timer";
    internal const string ThreadCallKind = "call_from_thread";

    private static readonly Meter Meter = new(MeterName, typeof(ReactorMetrics).Assembly.GetName().Version?.ToString(3));
    private static readonly Lock PortsLock = new();
    private static readonly List<UdpPort> OpenPorts = [];
    private static readonly List<UdpPort> RetiredPorts = [];
    private static readonly UdpPortCounters RetiredTotals = new();

    // Callbacks take microseconds; timers are late by up to a loop iteration. Seconds, as OpenTelemetry asks.
    private static readonly InstrumentAdvice<double> SecondsBuckets = new()
    {
        HistogramBucketBoundaries = [0.000_001, 0.000_01, 0.000_1, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10],
    };

    internal static readonly Counter<long> LoopIterations = Meter.CreateCounter<long>(
        "reactor.loop.iterations", "{iteration}", "Iterations of reactor loops: each runs due calls, then waits for and dispatches I/O.");

    internal static readonly Histogram<double> CallbackDuration = Meter.CreateHistogram(
        "reactor.callback.duration", "s", "How long a timed call or a call from another thread ran on the reactor thread.", tags: null, advice: SecondsBuckets);

    internal static readonly Histogram<double> TimerLateness = Meter.CreateHistogram(
        "reactor.timer.lateness", "s", "How long after its due time a timed call started.", tags: null, advice: SecondsBuckets);

    static ReactorMetrics()
    {
        Meter.CreateObservableCounter("reactor.udp.datagrams.received", () => Sum(static c => c.DatagramsReceived), "{datagram}", "Datagrams delivered to protocols.");
        Meter.CreateObservableCounter("reactor.udp.datagrams.sent", () => Sum(static c => c.DatagramsSent), "{datagram}", "Datagrams handed to the kernel.");
        Meter.CreateObservableCounter("reactor.udp.bytes.received", () => Sum(static c => c.BytesReceived), "By", "Payload bytes delivered to protocols.");
        Meter.CreateObservableCounter("reactor.udp.bytes.sent", () => Sum(static c => c.BytesSent), "By", "Payload bytes handed to the kernel.");
        Meter.CreateObservableCounter("reactor.udp.datagrams.dropped", ObserveDropped, "{datagram}", "Datagrams dropped, by reason: truncated, queue_full, send_error.");
        Meter.CreateObservableUpDownCounter("reactor.udp.pending_writes", ObservePendingWrites, "{datagram}", "Datagrams queued because the socket's send buffer was full.");
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

    /// <summary>Runs a timed call, recording its lateness and duration when those instruments are enabled.</summary>
    internal static void RunTimedCall(Action callback, long latenessTicks)
    {
        if (TimerLateness.Enabled)
        {
            TimerLateness.Record(latenessTicks / (double)TimeSpan.TicksPerSecond);
        }

        if (!CallbackDuration.Enabled)
        {
            callback();
            return;
        }

        var start = Stopwatch.GetTimestamp();
        try
        {
            callback();
        }
        finally
        {
            RecordCallbackDuration(start, TimerKind);
        }
    }

    /// <summary>Records how long a callback that started at <paramref name="startTimestamp"/> ran.</summary>
    internal static void RecordCallbackDuration(long startTimestamp, string kind) =>
        CallbackDuration.Record(Stopwatch.GetElapsedTime(startTimestamp).TotalSeconds, new KeyValuePair<string, object?>("reactor.callback.kind", kind));

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
