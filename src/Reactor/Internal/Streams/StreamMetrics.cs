using System.Diagnostics.Metrics;

namespace Reactor.Internal.Streams;

/// <summary>
/// The TCP instruments of the <c>Reactor</c> meter (<c>reactor.tcp.*</c>; the list, with meanings, is in
/// <c>docs/logging-and-metrics.md</c>), read from each reactor's <see cref="StreamCounters"/>.
/// </summary>
/// <remarks>
/// The hot path pays a field increment on its own reactor's counters (no lock, no shared cache line between reactors);
/// the observable instruments add them up only when a listener collects. Every reactor that used streams stays in the
/// list (a few hundred bytes each, never the reactor itself), so the counters never go backwards.
/// </remarks>
internal static class StreamMetrics
{
    private static readonly Lock CountersLock = new();
    private static readonly List<StreamCounters> All = [];

    static StreamMetrics()
    {
        var meter = ReactorMetrics.Meter;
        meter.CreateObservableCounter("reactor.tcp.connections.opened", ObserveOpened, "{connection}", "TCP connections made, by direction: inbound (accepted) or outbound (connected).");
        meter.CreateObservableUpDownCounter("reactor.tcp.connections.active", () => Sum(static c => c.ConnectionsActive), "{connection}", "TCP connections open now.");
        meter.CreateObservableCounter("reactor.tcp.connections.closed", ObserveClosed, "{connection}", "TCP connections closed, by reason: done, lost, aborted, error, overflow.");
        meter.CreateObservableCounter("reactor.tcp.bytes.received", () => Sum(static c => c.BytesReceived), "By", "Bytes delivered to protocols.");
        meter.CreateObservableCounter("reactor.tcp.bytes.sent", () => Sum(static c => c.BytesSent), "By", "Bytes handed to the kernel.");
        meter.CreateObservableUpDownCounter("reactor.tcp.write_buffer", () => Sum(static c => c.BufferedBytes), "By", "Bytes written by protocols and not yet taken by the kernel.");
        meter.CreateObservableCounter("reactor.tcp.write_buffer.overflows", () => Sum(static c => c.WriteBufferOverflows), "{connection}", "Connections aborted because a write would have taken their write buffer past Tcp.MaxWriteBuffer.");
        meter.CreateObservableCounter("reactor.tcp.writes.dropped", () => Sum(static c => c.WritesDropped), "{write}", "Writes dropped because the connection was closing or closed.");
        meter.CreateObservableCounter("reactor.tcp.accepts.dropped", ObserveAcceptsDropped, "{connection}", "Incoming connections dropped, by reason: refused (the factory built none or threw), shed (out of descriptors), error (accept failed), aborted (reset by the client before it was accepted).");
        meter.CreateObservableCounter("reactor.tls.handshakes", ObserveHandshakes, "{handshake}", "TLS handshakes finished, by result: success or failure.");
        meter.CreateObservableCounter("reactor.tls.bytes.received", () => Sum(static c => c.TlsBytesReceived), "By", "Plaintext bytes delivered to protocols over TLS.");
        meter.CreateObservableCounter("reactor.tls.bytes.sent", () => Sum(static c => c.TlsBytesSent), "By", "Plaintext bytes protocols wrote over TLS, encrypted.");
        meter.CreateObservableCounter("reactor.tcp.connect.failures", () => Sum(static c => c.ConnectFailures), "{attempt}", "Outgoing connection attempts that failed.");
    }

    /// <summary>Counts one reactor's streams in the instruments from now on.</summary>
    internal static void Register(StreamCounters counters)
    {
        lock (CountersLock)
        {
            All.Add(counters);
        }
    }

    private static long Sum(Func<StreamCounters, long> read)
    {
        lock (CountersLock)
        {
            var total = 0L;
            foreach (var counters in All)
            {
                total += read(counters);
            }

            return total;
        }
    }

    private static IEnumerable<Measurement<long>> ObserveOpened() =>
    [
        new(Sum(static c => c.ConnectionsAccepted), new KeyValuePair<string, object?>("direction", "inbound")),
        new(Sum(static c => c.ConnectionsConnected), new KeyValuePair<string, object?>("direction", "outbound")),
    ];

    private static IEnumerable<Measurement<long>> ObserveClosed() =>
    [
        new(Sum(static c => c.ClosedDone), new KeyValuePair<string, object?>("reason", "done")),
        new(Sum(static c => c.ClosedLost), new KeyValuePair<string, object?>("reason", "lost")),
        new(Sum(static c => c.ClosedAborted), new KeyValuePair<string, object?>("reason", "aborted")),
        new(Sum(static c => c.ClosedError), new KeyValuePair<string, object?>("reason", "error")),
        new(Sum(static c => c.ClosedOverflow), new KeyValuePair<string, object?>("reason", "overflow")),
    ];

    private static IEnumerable<Measurement<long>> ObserveHandshakes() =>
    [
        new(Sum(static c => c.TlsHandshakes), new KeyValuePair<string, object?>("result", "success")),
        new(Sum(static c => c.TlsHandshakeFailures), new KeyValuePair<string, object?>("result", "failure")),
    ];

    private static IEnumerable<Measurement<long>> ObserveAcceptsDropped() =>
    [
        new(Sum(static c => c.AcceptsRefused), new KeyValuePair<string, object?>("reason", "refused")),
        new(Sum(static c => c.AcceptsShed), new KeyValuePair<string, object?>("reason", "shed")),
        new(Sum(static c => c.AcceptErrors), new KeyValuePair<string, object?>("reason", "error")),
        new(Sum(static c => c.AcceptsAborted), new KeyValuePair<string, object?>("reason", "aborted")),
    ];
}
