namespace Reactor.Internal.Streams;

/// <summary>
/// A reactor's stream counts over every kind of stream (the sum of its <see cref="StreamCounters"/>), read live: what
/// tests and diagnostics look at when the kind does not matter. The metrics read the kinds apart.
/// </summary>
internal sealed class StreamCountersView(StreamCounters[] kinds)
{
    internal long ConnectionsAccepted => Sum(static c => c.ConnectionsAccepted);

    internal long ConnectionsConnected => Sum(static c => c.ConnectionsConnected);

    internal long ConnectionsActive => Sum(static c => c.ConnectionsActive);

    internal long ClosedDone => Sum(static c => c.ClosedDone);

    internal long ClosedLost => Sum(static c => c.ClosedLost);

    internal long ClosedAborted => Sum(static c => c.ClosedAborted);

    internal long ClosedError => Sum(static c => c.ClosedError);

    internal long ClosedOverflow => Sum(static c => c.ClosedOverflow);

    internal long WriteBufferOverflows => Sum(static c => c.WriteBufferOverflows);

    internal long BytesReceived => Sum(static c => c.BytesReceived);

    internal long BytesSent => Sum(static c => c.BytesSent);

    internal long WritesDropped => Sum(static c => c.WritesDropped);

    internal long AcceptsRefused => Sum(static c => c.AcceptsRefused);

    internal long AcceptErrors => Sum(static c => c.AcceptErrors);

    internal long AcceptsShed => Sum(static c => c.AcceptsShed);

    internal long AcceptsAborted => Sum(static c => c.AcceptsAborted);

    internal long ConnectFailures => Sum(static c => c.ConnectFailures);

    internal long BufferedBytes => Sum(static c => c.BufferedBytes);

    internal long TlsHandshakes => Sum(static c => c.TlsHandshakes);

    internal long TlsHandshakeFailures => Sum(static c => c.TlsHandshakeFailures);

    internal long TlsBytesReceived => Sum(static c => c.TlsBytesReceived);

    internal long TlsBytesSent => Sum(static c => c.TlsBytesSent);

    private long Sum(Func<StreamCounters, long> read)
    {
        var total = 0L;
        foreach (var counters in kinds)
        {
            total += read(counters);
        }

        return total;
    }
}
