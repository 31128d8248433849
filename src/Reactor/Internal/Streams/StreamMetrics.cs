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
    private static readonly Dictionary<string, KeyValuePair<string, object?>[][]> ExtraTags = [];
    private static readonly KeyValuePair<string, object?>[][] KindTags =
    [
        StreamKinds.Tags(StreamKind.TcpIPv4),
        StreamKinds.Tags(StreamKind.TcpIPv6),
        StreamKinds.Tags(StreamKind.Tcp),
        StreamKinds.Tags(StreamKind.Unix),
    ];

    static StreamMetrics()
    {
        var meter = ReactorMetrics.Meter;
        meter.CreateObservableCounter("reactor.tcp.connections.opened", () => ByKind("direction", Directions), "{connection}", "TCP connections made, by direction: inbound (accepted) or outbound (connected).");
        meter.CreateObservableUpDownCounter("reactor.tcp.connections.active", () => ByKind(static c => c.ConnectionsActive), "{connection}", "TCP connections open now.");
        meter.CreateObservableCounter("reactor.tcp.connections.closed", () => ByKind("reason", CloseReasons), "{connection}", "TCP connections closed, by reason: done, lost, aborted, error, overflow.");
        meter.CreateObservableCounter("reactor.tcp.bytes.received", () => ByKind(static c => c.BytesReceived), "By", "Bytes delivered to protocols.");
        meter.CreateObservableCounter("reactor.tcp.bytes.sent", () => ByKind(static c => c.BytesSent), "By", "Bytes handed to the kernel.");
        meter.CreateObservableUpDownCounter("reactor.tcp.write_buffer", () => ByKind(static c => c.BufferedBytes), "By", "Bytes written by protocols and not yet taken by the kernel.");
        meter.CreateObservableCounter("reactor.tcp.write_buffer.overflows", () => ByKind(static c => c.WriteBufferOverflows), "{connection}", "Connections aborted because a write would have taken their write buffer past Tcp.MaxWriteBuffer.");
        meter.CreateObservableCounter("reactor.tcp.writes.dropped", () => ByKind(static c => c.WritesDropped), "{write}", "Writes dropped because the connection was closing or closed.");
        meter.CreateObservableCounter("reactor.tcp.accepts.dropped", () => ByKind("reason", AcceptDropReasons), "{connection}", "Incoming connections dropped, by reason: refused (the factory built none or threw), shed (out of descriptors), error (accept failed), aborted (reset by the client before it was accepted).");
        meter.CreateObservableCounter("reactor.tls.handshakes", () => ByKind("result", HandshakeResults), "{handshake}", "TLS handshakes finished, by result: success or failure.");
        meter.CreateObservableCounter("reactor.tls.bytes.received", () => ByKind(static c => c.TlsBytesReceived), "By", "Plaintext bytes delivered to protocols over TLS.");
        meter.CreateObservableCounter("reactor.tls.bytes.sent", () => ByKind(static c => c.TlsBytesSent), "By", "Plaintext bytes protocols wrote over TLS, encrypted.");
        meter.CreateObservableCounter("reactor.tcp.connect.failures", () => ByKind(static c => c.ConnectFailures), "{attempt}", "Outgoing connection attempts that failed.");
    }

    /// <summary>Counts one reactor's streams in the instruments from now on.</summary>
    internal static void Register(StreamCounters counters)
    {
        lock (CountersLock)
        {
            All.Add(counters);
        }
    }

    /// <summary>One measurement per kind of stream in use, each with its kind's attributes (made once per kind).</summary>
    private static IEnumerable<Measurement<long>> ByKind(Func<StreamCounters, long> read)
    {
        var totals = Totals(read, out var used);
        var measurements = new List<Measurement<long>>(StreamKinds.Count);
        for (var kind = 0; kind < StreamKinds.Count; kind++)
        {
            if (used[kind])
            {
                measurements.Add(new(totals[kind], KindTags[kind]));
            }
        }

        return measurements;
    }

    /// <summary>As <see cref="ByKind(Func{StreamCounters, long})"/>, once for each value of a further attribute (<c>direction</c>, <c>reason</c>, <c>result</c>).</summary>
    private static IEnumerable<Measurement<long>> ByKind(string key, (string Value, Func<StreamCounters, long> Read)[] values)
    {
        var measurements = new List<Measurement<long>>();
        foreach (var (value, read) in values)
        {
            var totals = Totals(read, out var used);
            var tags = TagsWith(key, value);
            for (var kind = 0; kind < StreamKinds.Count; kind++)
            {
                if (used[kind])
                {
                    measurements.Add(new(totals[kind], tags[kind]));
                }
            }
        }

        return measurements;
    }

    private static long[] Totals(Func<StreamCounters, long> read, out bool[] used)
    {
        var totals = new long[StreamKinds.Count];
        used = new bool[StreamKinds.Count];
        lock (CountersLock)
        {
            foreach (var counters in All)
            {
                if (counters.Used)
                {
                    var kind = (int)counters.Kind;
                    used[kind] = true;
                    totals[kind] += read(counters);
                }
            }
        }

        return totals;
    }

    /// <summary>Each kind's attributes followed by <paramref name="key"/> = <paramref name="value"/>, made on first use and kept.</summary>
    private static KeyValuePair<string, object?>[][] TagsWith(string key, string value)
    {
        lock (CountersLock)
        {
            var name = key + "=" + value;
            if (!ExtraTags.TryGetValue(name, out var tags))
            {
                tags = new KeyValuePair<string, object?>[StreamKinds.Count][];
                for (var kind = 0; kind < StreamKinds.Count; kind++)
                {
                    tags[kind] = [.. KindTags[kind], new(key, value)];
                }

                ExtraTags.Add(name, tags);
            }

            return tags;
        }
    }

    private static readonly (string, Func<StreamCounters, long>)[] Directions =
    [
        ("inbound", static c => c.ConnectionsAccepted),
        ("outbound", static c => c.ConnectionsConnected),
    ];

    private static readonly (string, Func<StreamCounters, long>)[] CloseReasons =
    [
        ("done", static c => c.ClosedDone),
        ("lost", static c => c.ClosedLost),
        ("aborted", static c => c.ClosedAborted),
        ("error", static c => c.ClosedError),
        ("overflow", static c => c.ClosedOverflow),
    ];

    private static readonly (string, Func<StreamCounters, long>)[] HandshakeResults =
    [
        ("success", static c => c.TlsHandshakes),
        ("failure", static c => c.TlsHandshakeFailures),
    ];

    private static readonly (string, Func<StreamCounters, long>)[] AcceptDropReasons =
    [
        ("refused", static c => c.AcceptsRefused),
        ("shed", static c => c.AcceptsShed),
        ("error", static c => c.AcceptErrors),
        ("aborted", static c => c.AcceptsAborted),
    ];
}
