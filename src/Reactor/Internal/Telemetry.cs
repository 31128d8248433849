using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Text;
using Reactor.Tls;

namespace Reactor.Internal;

/// <summary>
/// The library's <see cref="ActivitySource"/>, named <c>Reactor</c> (spans for name resolution, outgoing connects and
/// TLS handshakes; the list is in <c>docs/logging-and-metrics.md</c>), and the OpenTelemetry attributes the meter's
/// instruments share, each made once (each transport's own <c>network.transport</c> is beside its metrics).
/// </summary>
/// <remarks>
/// Spans are modelled on .NET's own <c>System.Net.NameResolution</c> ("DNS lookup"), <c>System.Net.Sockets</c>
/// ("socket connect") and <c>System.Net.Security</c> ("TLS handshake") activities. Nothing is made unless a listener
/// samples the source: <see cref="Start"/> returns <c>null</c> and every caller tags and stops through that null. A
/// reactor's callbacks are not a call stack, so a span never stays <see cref="Activity.Current"/> on the reactor thread:
/// it is current only around the synchronous calls that start its children (<see cref="MakeCurrent"/>).
/// </remarks>
internal static class Telemetry
{
    internal const string SourceName = "Reactor";

    /// <summary>Span names (<see cref="Activity.OperationName"/>).</summary>
    internal const string ResolveActivity = "Reactor.Resolve";
    internal const string ConnectActivity = "Reactor.Connect";
    internal const string HostnameConnectActivity = "Reactor.HostnameEndpoint.Connect";
    internal const string TlsHandshakeActivity = "Reactor.TlsHandshake";

    internal static readonly ActivitySource Source = new(SourceName, typeof(Telemetry).Assembly.GetName().Version?.ToString());

    internal static readonly KeyValuePair<string, object?> TransportUnix = new("network.transport", "unix");
    internal static readonly KeyValuePair<string, object?> TypeIPv4 = new("network.type", "ipv4");
    internal static readonly KeyValuePair<string, object?> TypeIPv6 = new("network.type", "ipv6");

    /// <summary>
    /// Starts a span when a listener wants one (else <c>null</c>, having allocated nothing), as a child of
    /// <see cref="Activity.Current"/>, and leaves <see cref="Activity.Current"/> as it was.
    /// </summary>
    internal static Activity? Start(string name, ActivityKind kind)
    {
        if (!Source.HasListeners())
        {
            return null;
        }

        var previous = Activity.Current;
        var activity = Source.StartActivity(name, kind);
        if (activity is not null)
        {
            Activity.Current = previous;
        }

        return activity;
    }

    /// <summary>Ends <paramref name="activity"/>: OK, or Error with <c>error.type</c> from <paramref name="error"/>.</summary>
    internal static void Stop(Activity? activity, Exception? error = null)
    {
        if (activity is null)
        {
            return;
        }

        if (error is not null)
        {
            activity.SetTag("error.type", ErrorType(error));
            activity.SetStatus(ActivityStatusCode.Error, error.Message);
        }

        var previous = Activity.Current;
        activity.Stop();
        if (Activity.Current != previous)
        {
            Activity.Current = previous;
        }
    }

    /// <summary>Makes <paramref name="activity"/> current until the scope is disposed (nothing when it is <c>null</c>).</summary>
    internal static CurrentScope MakeCurrent(Activity? activity) => new(activity);

    /// <summary>Tags the peer's address, port and network type (<c>network.peer.*</c>, <c>network.type</c>).</summary>
    internal static void SetPeer(Activity? activity, EndPoint endPoint)
    {
        if (activity is null)
        {
            return;
        }

        switch (endPoint)
        {
            case IPEndPoint ip:
                activity.SetTag("network.peer.address", ip.Address.ToString());
                activity.SetTag("network.peer.port", ip.Port);
                activity.SetTag("network.type", ip.AddressFamily == AddressFamily.InterNetworkV6 ? "ipv6" : "ipv4");
                break;
            case UnixDomainSocketEndPoint unix:
                activity.SetTag("network.peer.address", unix.ToString());
                break;
        }
    }

    /// <summary>
    /// The low-cardinality <c>error.type</c> of a failure: the operating system's error in snake case
    /// (<c>connection_refused</c>, <c>host_not_found</c>), <c>timeout</c>, <c>canceled</c>, a TLS failure's reason
    /// (<c>untrusted_certificate</c>), else the exception's type name.
    /// </summary>
    internal static string ErrorType(Exception error) => error switch
    {
        ConnectTimeoutException or TimeoutException => "timeout",
        ConnectingCancelledException or CancelledException or OperationCanceledException => "canceled",
        TlsHandshakeException tls => SnakeCase(tls.Reason.ToString()),
        ConnectException { SocketErrorCode: not SocketError.SocketError } connect => SnakeCase(connect.SocketErrorCode.ToString()),
        DnsLookupException { InnerException: TimeoutException } => "timeout",
        DnsLookupException { InnerException: SocketException socket } => SnakeCase(socket.SocketErrorCode.ToString()),
        DnsLookupException => "host_not_found",
        _ => error.GetType().FullName ?? error.GetType().Name,
    };

    /// <summary><c>tls.protocol.version</c>'s value ("1.2", "1.3"), or <c>null</c> for none.</summary>
    internal static string? TlsVersion(SslProtocols protocol) => protocol switch
    {
#pragma warning disable SYSLIB0039 // naming the old versions is not using them
        SslProtocols.Tls => "1.0",
        SslProtocols.Tls11 => "1.1",
#pragma warning restore SYSLIB0039
        SslProtocols.Tls12 => "1.2",
        SslProtocols.Tls13 => "1.3",
        _ => null,
    };

    private static string SnakeCase(string name)
    {
        var builder = new StringBuilder(name.Length + 4);
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (char.IsUpper(c))
            {
                if (i > 0)
                {
                    builder.Append('_');
                }

                builder.Append(char.ToLowerInvariant(c));
            }
            else
            {
                builder.Append(c);
            }
        }

        return builder.ToString();
    }

    /// <summary>While alive, a span is <see cref="Activity.Current"/>, so spans started synchronously become its children.</summary>
    internal readonly struct CurrentScope : IDisposable
    {
        private readonly Activity? _activity;
        private readonly Activity? _previous;

        internal CurrentScope(Activity? activity)
        {
            _activity = activity;
            if (activity is not null)
            {
                _previous = Activity.Current;
                Activity.Current = activity;
            }
        }

        public void Dispose()
        {
            if (_activity is not null)
            {
                Activity.Current = _previous;
            }
        }
    }
}
