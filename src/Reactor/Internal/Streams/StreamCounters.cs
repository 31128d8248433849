using System.Net.Sockets;

namespace Reactor.Internal.Streams;

/// <summary>
/// One reactor's stream counts for one kind of stream (TCP over IPv4, TCP over IPv6, TCP before an address is known,
/// UNIX sockets), kept as plain fields on the reactor thread (the hot path pays an increment) and read by the
/// <c>reactor.tcp.*</c> instruments from any thread (a torn read of a 64-bit field cannot happen on 64-bit hosts).
/// </summary>
/// <remarks>
/// Each transport picks its counters once, when it is made, so the hot path neither looks up nor allocates anything;
/// the kind's OpenTelemetry attributes (<c>network.transport</c>, <c>network.type</c>) are made once per kind.
/// </remarks>
internal sealed class StreamCounters
{
    internal StreamCounters(StreamKind kind) => Kind = kind;

    /// <summary>Which kind of stream these counters count.</summary>
    internal StreamKind Kind { get; }

    /// <summary>Set when a transport first picks these counters: only kinds in use are reported.</summary>
    internal bool Used;

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

/// <summary>The kinds of stream the <c>reactor.tcp.*</c> instruments tell apart by their attributes.</summary>
internal enum StreamKind
{
    /// <summary>TCP over IPv4.</summary>
    TcpIPv4,

    /// <summary>TCP over IPv6.</summary>
    TcpIPv6,

    /// <summary>TCP before an address was known (a connect that failed resolving): <c>network.type</c> is absent.</summary>
    Tcp,

    /// <summary>UNIX stream sockets.</summary>
    Unix,
}

/// <summary>The <see cref="StreamKind"/>s' attributes, made once.</summary>
internal static class StreamKinds
{
    internal const int Count = 4;

    internal static readonly KeyValuePair<string, object?> TransportTcp = new("network.transport", "tcp");

    internal static StreamKind Of(AddressFamily family) => family switch
    {
        AddressFamily.InterNetwork => StreamKind.TcpIPv4,
        AddressFamily.InterNetworkV6 => StreamKind.TcpIPv6,
        AddressFamily.Unix => StreamKind.Unix,
        _ => StreamKind.Tcp,
    };

    /// <summary>The kind's attributes, with nothing else.</summary>
    internal static KeyValuePair<string, object?>[] Tags(StreamKind kind) => kind switch
    {
        StreamKind.TcpIPv4 => [TransportTcp, Telemetry.TypeIPv4],
        StreamKind.TcpIPv6 => [TransportTcp, Telemetry.TypeIPv6],
        StreamKind.Tcp => [TransportTcp],
        _ => [Telemetry.TransportUnix],
    };
}
