using System.Diagnostics;
using System.Globalization;
using System.Net;
using Reactor.Internal.Resolve;
using Reactor.Internal.Streams;

namespace Reactor.Internal.Tcp;

/// <summary>
/// An outgoing TCP connection's connector (Twisted's <c>tcp.Connector</c>): TCP's own part of
/// <see cref="StreamConnector"/> — validate before anything exists (D25), resolve a host name for each attempt (D24; the
/// timeout covers it), bind the <c>bindAddress</c>, set TCP_NODELAY once connected (D31), and make a
/// <see cref="TcpConnection"/>. Specified by <c>tests/Reactor.Tests/Tcp/</c>.
/// </summary>
internal sealed class TcpConnector : StreamConnector
{
    private readonly string _host;
    private readonly int _port;
    private readonly IPEndPoint? _bindAddress;
    private readonly IPAddress? _literal;
    private Deferred<IPAddress>? _lookup;

    private TcpConnector(ReactorBase reactor, string host, int port, ClientFactory factory, TimeSpan timeout, IPEndPoint? bindAddress, IPAddress? literal)
        : base(reactor, factory, timeout, literal is not null ? new IPEndPoint(literal, port) : new DnsEndPoint(host, port))
    {
        _host = host;
        _port = port;
        _bindAddress = bindAddress;
        _literal = literal;
    }

    /// <summary>The body of <c>ConnectTcp</c>: validate before anything exists (D25), then start the first attempt.</summary>
    internal static TcpConnector Connect(ReactorBase reactor, string host, int port, ClientFactory factory, TimeSpan? timeout, IPEndPoint? bindAddress)
    {
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(factory);
        ArgumentException.ThrowIfNullOrWhiteSpace(host);
        ArgumentOutOfRangeException.ThrowIfLessThan(port, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(port, IPEndPoint.MaxPort);
        var limit = timeout ?? TimeSpan.FromSeconds(30);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(limit, TimeSpan.Zero, nameof(timeout));
        reactor.VerifyAccess();
        var connector = new TcpConnector(reactor, host, port, factory, limit, bindAddress, IPLiteral.TryParse(host, out var literal) ? literal : null);
        connector.Connect();
        return connector;
    }

    protected override void StartAttempt(int attempt)
    {
        if (_literal is not null)
        {
            StartSocket(new IPEndPoint(_literal, _port), _bindAddress);
            return;
        }

        Deferred<IPAddress> lookup;
        using (Telemetry.MakeCurrent(AttemptActivity))
        {
            lookup = Reactor.Resolve(_host); // its span, if any, is this attempt's child
        }

        _lookup = lookup;
        lookup.AddCallbacks(
            address =>
            {
                if (IsCurrent(attempt) && _lookup == lookup)
                {
                    _lookup = null;
                    StartSocket(new IPEndPoint(address, _port), _bindAddress);
                }

                return address;
            },
            failure =>
            {
                if (IsCurrent(attempt) && _lookup == lookup)
                {
                    _lookup = null;
                    Fail(failure.Exception as DnsLookupException ?? new DnsLookupException(_host, failure.Exception));
                }

                return default!;
            });
    }

    protected override void DescribeActivity(Activity activity)
    {
        activity.DisplayName = string.Create(CultureInfo.InvariantCulture, $"connect {_host}:{_port}");
        activity.SetTag("server.address", _host);
        activity.SetTag("server.port", _port);
        activity.SetTag("network.transport", "tcp");
    }

    protected override void OnAttemptEnded()
    {
        var lookup = _lookup;
        _lookup = null;
        if (lookup is { Called: false })
        {
            lookup.Cancel();
        }
    }

    protected override void ConfigureSocket(IStreamSocket socket)
    {
        if (Reactor.Options.Tcp.NoDelay)
        {
            TcpPort.TrySetNoDelay(socket);
        }
    }

    protected override StreamConnection CreateConnection(IStreamSocket socket, Protocol protocol, EndPoint local, EndPoint remote) =>
        new TcpConnection(Reactor, socket, protocol, (IPEndPoint)local, (IPEndPoint)remote, this);

    public override string ToString() => $"<TcpConnector to {_host}:{_port} ({State})>";
}
