using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Reactor.Endpoints;
using Reactor.Internal.Resolve;
using Reactor.Internal.Streams;

namespace Reactor.Internal.Endpoints;

/// <summary>
/// One <see cref="HostnameEndpoint.Connect"/>: RFC 8305's connection racing (decision D33), readable top to bottom —
/// resolve every address, order them with the families interleaved, start an attempt now and another every attempt
/// delay or as soon as one fails, let the first connection win and cancel the rest, and end everything at one deadline.
/// Each attempt is a <see cref="ConnectAttempt{TProtocol}"/> over <see cref="IReactorTcp.ConnectTcp"/> to one address.
/// Specified by <c>tests/Reactor.Tests/Endpoints/HostnameEndpointTests.cs</c>.
/// </summary>
internal sealed class HappyEyeballs
{
    private readonly IReactor _reactor;
    private readonly string _host;
    private readonly int _port;
    private readonly TimeSpan _timeout;
    private readonly IPEndPoint? _bindAddress;
    private readonly TimeSpan _attemptDelay;
    private readonly Factory _factory;
    private readonly DnsEndPoint _destination;
    private readonly Deferred<Protocol> _result;
    private readonly List<Attempt> _attempts = [];
    private readonly List<ConnectException> _failures = [];
    private List<IPAddress> _order = [];
    private Deferred<IReadOnlyList<IPAddress>>? _lookup;
    private IDelayedCall? _deadline;
    private IDelayedCall? _nextAttempt;
    private double _startedAt;
    private Attempt? _winner;
    private bool _finished;
    private bool _timedOut;
    private Activity? _activity;

    internal HappyEyeballs(IReactor reactor, string host, int port, TimeSpan timeout, IPEndPoint? bindAddress, TimeSpan attemptDelay, Factory factory)
    {
        _reactor = reactor;
        _host = host;
        _port = port;
        _timeout = timeout;
        _bindAddress = bindAddress;
        _attemptDelay = attemptDelay;
        _factory = factory;
        _destination = new DnsEndPoint(host, port);
        _result = new Deferred<Protocol>(_ => Cancel());
    }

    /// <summary>Resolves (unless the host is an IP literal) and starts the first attempt; returns the connect's Deferred.</summary>
    internal Deferred<Protocol> Start()
    {
        try
        {
            _startedAt = _reactor.Seconds();
            _activity = Telemetry.Start(Telemetry.HostnameConnectActivity, ActivityKind.Client);
            if (_activity is not null)
            {
                _activity.DisplayName = string.Create(CultureInfo.InvariantCulture, $"connect {_host}:{_port}");
                _activity.SetTag("server.address", _host);
                _activity.SetTag("server.port", _port);
                _activity.SetTag("network.transport", "tcp");
            }

            _deadline = _reactor.CallLater(_timeout, OnDeadline);
            if (IPLiteral.TryParse(_host, out var literal))
            {
                Begin([literal]);
                return _result;
            }

            Deferred<IReadOnlyList<IPAddress>> lookup;
            using (Telemetry.MakeCurrent(_activity))
            {
                lookup = _reactor.ResolveAll(_host, [_timeout]); // the lookup's span is this connect's child
            }

            _lookup = lookup;
            lookup.AddCallbacks(
                addresses =>
                {
                    _lookup = null;
                    Begin(addresses);
                    return addresses;
                },
                failure =>
                {
                    _lookup = null;
                    Finish(failure.Exception as DnsLookupException ?? new DnsLookupException(_host, failure.Exception));
                    return [];
                });
        }
        catch (Exception e)
        {
            Finish(e);
        }

        return _result;
    }

    // ---- Ordering and starting ------------------------------------------------------------------------------------

    private void Begin(IReadOnlyList<IPAddress> addresses)
    {
        if (_finished)
        {
            return;
        }

        _order = Interleave(addresses, _bindAddress?.AddressFamily);
        if (_order.Count == 0)
        {
            // Twisted: no usable address is a DNSLookupError.
            Finish(new DnsLookupException(_host));
            return;
        }

        StartNext();
    }

    /// <summary>
    /// RFC 8305 §4 with a "first address family count" of one: the family of the resolver's first answer, then the other
    /// family, alternating, each family in the resolver's order. Duplicates are dropped; with a bind address only its
    /// family is kept (an attempt of the other family could only fail to bind).
    /// </summary>
    internal static List<IPAddress> Interleave(IReadOnlyList<IPAddress> addresses, AddressFamily? only = null)
    {
        var distinct = new List<IPAddress>(addresses.Count);
        foreach (var address in addresses)
        {
            if (address.AddressFamily is AddressFamily.InterNetwork or AddressFamily.InterNetworkV6 &&
                (only is null || address.AddressFamily == only) && !distinct.Contains(address))
            {
                distinct.Add(address);
            }
        }

        if (distinct.Count == 0)
        {
            return distinct;
        }

        var first = distinct[0].AddressFamily;
        var preferred = distinct.FindAll(a => a.AddressFamily == first);
        var other = distinct.FindAll(a => a.AddressFamily != first);
        var order = new List<IPAddress>(distinct.Count);
        for (var i = 0; i < Math.Max(preferred.Count, other.Count); i++)
        {
            if (i < preferred.Count)
            {
                order.Add(preferred[i]);
            }

            if (i < other.Count)
            {
                order.Add(other[i]);
            }
        }

        return order;
    }

    /// <summary>Starts the next address's attempt now, and schedules the one after it for an attempt delay from now.</summary>
    private void StartNext()
    {
        CancelTimer(ref _nextAttempt);
        if (_finished || _winner is not null)
        {
            return;
        }

        if (_attempts.Count == _order.Count)
        {
            FailIfAllDone();
            return;
        }

        var address = _order[_attempts.Count];
        var attempt = new Attempt(this, new IPEndPoint(address, _port));
        _attempts.Add(attempt);
        if (_attempts.Count < _order.Count)
        {
            _nextAttempt = _reactor.CallLater(_attemptDelay, StartNext);
        }

        var left = _timeout - TimeSpan.FromSeconds(_reactor.Seconds() - _startedAt);
        using (Telemetry.MakeCurrent(_activity))
        {
            // Each attempt's Reactor.Connect span is this connect's child.
            attempt.Result = ConnectAttempt<Protocol>.Start(_reactor, attempt.Build, _factory.LogPrefix, _factory,
                factory => _reactor.ConnectTcp(address.ToString(), _port, factory, left > TimeSpan.Zero ? left : TimeSpan.FromTicks(1), _bindAddress));
        }

        attempt.Result.AddCallbacks(
            protocol =>
            {
                OnConnected(attempt, protocol);
                return protocol;
            },
            failure =>
            {
                OnAttemptFailed(attempt, failure.Exception);
                return null!;
            });
    }

    // ---- Outcomes -------------------------------------------------------------------------------------------------

    /// <summary>
    /// The first attempt to connect claims the factory (its BuildProtocol runs only for it) and the others are cancelled
    /// at once, so two connections never both reach the application.
    /// </summary>
    private Protocol? Claim(Attempt attempt, EndPoint address)
    {
        if (_finished || _winner is not null)
        {
            return null; // too late: this connection is closed unused
        }

        _winner = attempt;
        CancelTimer(ref _nextAttempt);
        foreach (var other in _attempts)
        {
            if (other != attempt)
            {
                other.Cancel();
            }
        }

        return _factory.BuildProtocol(address);
    }

    private void OnConnected(Attempt attempt, Protocol protocol)
    {
        if (attempt == _winner && !_finished)
        {
            _finished = true;
            CancelTimer(ref _deadline);
            Telemetry.Stop(_activity);
            _activity = null;
            _result.Callback(protocol);
        }
    }

    private void OnAttemptFailed(Attempt attempt, Exception reason)
    {
        attempt.Done = true;
        if (_finished)
        {
            return;
        }

        if (attempt == _winner)
        {
            // The winning connection's own outcome: the factory built nothing (NoProtocolException) or threw (D39).
            Finish(reason);
            return;
        }

        if (_winner is not null)
        {
            return; // a loser, cancelled
        }

        _failures.Add(attempt.Cancelled && _timedOut
            ? new ConnectTimeoutException(attempt.Address, _timeout)
            : reason as ConnectException ?? new ConnectException(attempt.Address, SocketError.SocketError));
        if (_timedOut)
        {
            FailIfAllDone();
            return;
        }

        // RFC 8305 §5: a failure starts the next attempt at once instead of waiting out the delay.
        StartNext();
    }

    /// <summary>Every attempt has ended without a connection: one failure that lists them all.</summary>
    private void FailIfAllDone()
    {
        if (_finished || _attempts.Exists(a => !a.Done))
        {
            return;
        }

        Finish(new ConnectAttemptsFailedException(_destination, _failures, _timedOut));
    }

    private void OnDeadline()
    {
        _deadline = null;
        if (_finished || _winner is not null)
        {
            return; // connected already: the delivery is one iteration away
        }

        _timedOut = true;
        CancelTimer(ref _nextAttempt);
        if (_attempts.Count == 0)
        {
            Finish(new ConnectTimeoutException(_destination, _timeout));
            return;
        }

        foreach (var attempt in _attempts)
        {
            attempt.Cancel();
        }

        FailIfAllDone();
    }

    /// <summary>The canceller: stop the lookup and every attempt (a connection made but not delivered is closed).</summary>
    private void Cancel()
    {
        if (_finished)
        {
            return;
        }

        Finish(new ConnectingCancelledException(_destination));
    }

    private void Finish(Exception reason)
    {
        if (_finished)
        {
            return;
        }

        _finished = true;
        CancelTimer(ref _deadline);
        CancelTimer(ref _nextAttempt);
        var lookup = _lookup;
        var activity = _activity;
        _activity = null;
        _lookup = null;
        if (lookup is { Called: false })
        {
            lookup.Cancel();
        }

        foreach (var attempt in _attempts)
        {
            attempt.Cancel();
        }

        Telemetry.Stop(activity, reason);
        if (!_result.Called)
        {
            _result.Errback(reason);
        }
    }

    private static void CancelTimer(ref IDelayedCall? call)
    {
        if (call is { Active: true } active)
        {
            active.Cancel();
        }

        call = null;
    }

    /// <summary>One address's attempt.</summary>
    private sealed class Attempt(HappyEyeballs owner, IPEndPoint address)
    {
        internal IPEndPoint Address { get; } = address;

        internal Deferred<Protocol>? Result { get; set; }

        internal bool Done { get; set; }

        internal bool Cancelled { get; private set; }

        internal Protocol? Build(EndPoint connected) => owner.Claim(this, connected);

        internal void Cancel()
        {
            if (!Done && Result is { Called: false } result)
            {
                Cancelled = true;
                result.Cancel();
            }
        }
    }
}
