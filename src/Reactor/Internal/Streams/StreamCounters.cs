namespace Reactor.Internal.Streams;

/// <summary>
/// One reactor's stream counts, kept as plain fields on the reactor thread (the hot path pays an increment) and read by
/// the <c>reactor.tcp.*</c> instruments from any thread (a torn read of a 64-bit field cannot happen on 64-bit hosts).
/// </summary>
internal sealed class StreamCounters
{
    internal long ConnectionsAccepted;
    internal long ConnectionsConnected;
    internal long ConnectionsActive;
    internal long ClosedDone;
    internal long ClosedLost;
    internal long ClosedAborted;
    internal long ClosedError;
    internal long ClosedOverflow;
    internal long WriteBufferOverflows;
    internal long BytesReceived;
    internal long BytesSent;
    internal long WritesDropped;
    internal long AcceptsRefused;
    internal long AcceptErrors;
    internal long AcceptsShed;
    internal long AcceptsAborted;
    internal long ConnectFailures;
    internal long BufferedBytes;
    internal long TlsHandshakes;
    internal long TlsHandshakeFailures;
    internal long TlsBytesReceived;
    internal long TlsBytesSent;
}
