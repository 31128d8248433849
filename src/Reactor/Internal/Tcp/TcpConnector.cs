using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Reactor.Internal.Resolve;
using Reactor.Internal.Streams;

namespace Reactor.Internal.Tcp;

/// <summary>
/// An outgoing TCP connection's connector (Twisted's <c>tcp.Connector</c> with <c>BaseConnector</c>): one object per
/// <c>ConnectTcp</c>, reused for every attempt. An attempt resolves a host name (D24), binds the
/// <c>bindAddress</c>, connects without blocking, and either hands the socket to a <see cref="TcpConnection"/> or fails
/// with a <see cref="ConnectException"/> — reported after the call that started it, never inside (D26). The timeout
/// covers resolution too. Specified by <c>tests/Reactor.Tests/Tcp/</c>.
/// </summary>
internal sealed class TcpConnector : IConnector, IReactorBoundConnector, IStreamSocketHandler, IOpenResource
{
    private static readonly SendOrPostCallback ReportFailureSoon = static state => ((TcpConnector)state!).ReportFailure();

    private readonly ReactorBase _reactor;
    private readonly string _host;
    private readonly int _port;
    private readonly ClientFactory _factory;
    private readonly TimeSpan _timeout;
    private readonly IPEndPoint? _bindAddress;
    private readonly EndPoint _destination;
    private readonly IPAddress? _literal;
    private ConnectorState _state = ConnectorState.Disconnected;
    private bool _factoryStarted;
    private int _attempt;
    private IDelayedCall? _timeoutCall;
    private Deferred<IPAddress>? _lookup;
    private IStreamSocket? _socket;
    private IPEndPoint? _remote;
    private Exception? _failure;
    private TcpConnection? _connection;

    private TcpConnector(ReactorBase reactor, string host, int port, ClientFactory factory, TimeSpan timeout, IPEndPoint? bindAddress)
    {
        _reactor = reactor;
        _host = host;
        _port = port;
        _factory = factory;
        _timeout = timeout;
        _bindAddress = bindAddress;
        _destination = IPLiteral.TryParse(host, out _literal) ? new IPEndPoint(_literal, port) : new DnsEndPoint(host, port);
    }

    public ConnectorState State => _state;

    public ITransport? Transport => _connection;

    IReactorTime IReactorBoundConnector.Clock => _reactor;

    private ILogger Logger => _reactor.Streams.Logger;

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
        var connector = new TcpConnector(reactor, host, port, factory, limit, bindAddress);
        connector.Connect();
        return connector;
    }

    public EndPoint GetDestination() => _destination;

    // ---- Attempt --------------------------------------------------------------------------------------------------

    public void Connect()
    {
        _reactor.VerifyAccess();
        if (_state != ConnectorState.Disconnected)
        {
            throw new InvalidOperationException($"Can't connect in this state: the connector is {_state}.");
        }

        _state = ConnectorState.Connecting;
        _failure = null;
        var attempt = ++_attempt;
        if (!_factoryStarted)
        {
            _factoryStarted = true;
            StreamListener.StartFactory(_factory, Logger);
        }

        _reactor.TrackOpen(this);
        _timeoutCall = _reactor.CallLater(_timeout, () =>
        {
            // This call has run: Fail must not cancel it (that throws AlreadyCalledException, and the attempt would hang on).
            _timeoutCall = null;
            if (_attempt == attempt && _state == ConnectorState.Connecting && _failure is null)
            {
                _timeoutCall = null; // running now: Fail must not cancel it (that throws, and the failure went unreported)
                Fail(new ConnectTimeoutException(_destination, _timeout));
            }
        });

        try
        {
            _factory.StartedConnecting(this);
        }
        catch (Exception e)
        {
            StreamLog.FactoryCallbackFailed(Logger, _factory, nameof(ClientFactory.StartedConnecting), e);
        }

        if (_attempt != attempt || _state != ConnectorState.Connecting || _failure is not null)
        {
            return; // StartedConnecting stopped (or restarted) it.
        }

        if (_literal is not null)
        {
            StartSocket(new IPEndPoint(_literal, _port));
            return;
        }

        var lookup = _reactor.Resolve(_host);
        _lookup = lookup;
        lookup.AddCallbacks(
            address =>
            {
                if (_attempt == attempt && _lookup == lookup && _failure is null)
                {
                    _lookup = null;
                    StartSocket(new IPEndPoint(address, _port));
                }

                return address;
            },
            failure =>
            {
                if (_attempt == attempt && _lookup == lookup && _failure is null)
                {
                    _lookup = null;
                    Fail(failure.Exception as DnsLookupException ?? new DnsLookupException(_host, failure.Exception));
                }

                return default!;
            });
    }

    private void StartSocket(IPEndPoint remote)
    {
        _remote = remote;
        IStreamSocket socket;
        try
        {
            socket = _reactor.Sockets.CreateStreamSocket(remote.AddressFamily);
        }
        catch (SocketException e)
        {
            Fail(new ConnectException(_destination, e.SocketErrorCode));
            return;
        }

        _socket = socket;
        if (_bindAddress is not null)
        {
            var bound = socket.Bind(_bindAddress);
            if (bound != SocketError.Success)
            {
                Fail(new ConnectBindException(_destination, _bindAddress, bound));
                return;
            }
        }

        var error = socket.Connect(remote);
        if (error != SocketError.Success && !StreamErrors.ConnectInProgress(error))
        {
            Fail(StreamErrors.ConnectFailure(_destination, error));
            return;
        }

        // Connected or in progress: either way the socket turns writable, and the result is read there.
        socket.Watch(this, reading: false, writing: true);
    }

    void IStreamSocketHandler.OnReadable()
    {
    }

    void IStreamSocketHandler.OnWritable()
    {
        var socket = _socket;
        if (socket is null || _state != ConnectorState.Connecting || _failure is not null)
        {
            return;
        }

        var error = socket.ConnectResult();
        if (error != SocketError.Success)
        {
            Fail(StreamErrors.ConnectFailure(_destination, error));
            return;
        }

        socket.Watch(this, reading: false, writing: false);
        _socket = null;
        Connected(socket);
    }

    /// <summary>
    /// The handshake finished: build the protocol for the server's address (Twisted's client <c>buildProtocol</c>). A
    /// factory returning <c>null</c> gets a placeholder protocol and a clean close, so it hears
    /// <see cref="ClientFactory.ClientConnectionLost"/> (as in Twisted); one that throws fails the attempt with it (D16).
    /// </summary>
    private void Connected(IStreamSocket socket)
    {
        CancelTimeout();
        _reactor.TrackClosed(this);
        IPEndPoint local;
        try
        {
            local = (IPEndPoint)socket.GetLocalEndPoint();
        }
        catch (SocketException e)
        {
            // Reset before we looked at it: the attempt fails, and no protocol was built for nothing.
            socket.Dispose();
            _reactor.TrackOpen(this);
            Fail(new ConnectException(_destination, e.SocketErrorCode));
            return;
        }

        Protocol? protocol;
        try
        {
            protocol = _factory.BuildProtocol(_remote!);
        }
        catch (Exception e)
        {
            StreamLog.FactoryCallbackFailed(Logger, _factory, nameof(Factory.BuildProtocol), e);
            socket.Abort();
            _reactor.TrackOpen(this);
            Fail(e);
            return;
        }

        if (_reactor.Options.Tcp.NoDelay)
        {
            TcpPort.TrySetNoDelay(socket);
        }

        _state = ConnectorState.Connected;
        var connection = new TcpConnection(_reactor, socket, protocol ?? new Protocol(), local, _remote!, this);
        _connection = connection;
        _reactor.Streams.Counters.ConnectionsConnected++;
        connection.Start();
        if (protocol is null)
        {
            connection.LoseConnection();
        }
    }

    // ---- Failure and loss -----------------------------------------------------------------------------------------

    public void StopConnecting()
    {
        _reactor.VerifyAccess();
        if (_state != ConnectorState.Connecting || _failure is not null)
        {
            throw new InvalidOperationException("StopConnecting was called while the connector is not connecting.");
        }

        Fail(new ConnectingCancelledException(_destination));
    }

    public void Disconnect()
    {
        _reactor.VerifyAccess();
        if (_state == ConnectorState.Connecting && _failure is null)
        {
            StopConnecting();
        }
        else if (_state == ConnectorState.Connected)
        {
            _connection?.LoseConnection();
        }
    }

    /// <summary>Ends the attempt now and reports <paramref name="reason"/> to the factory after the current callback.</summary>
    private void Fail(Exception reason)
    {
        _failure = reason;
        CancelTimeout();
        var lookup = _lookup;
        _lookup = null;
        if (_socket is { } socket)
        {
            _socket = null;
            socket.Watch(this, reading: false, writing: false);
            socket.Dispose();
        }

        if (lookup is { Called: false })
        {
            lookup.Cancel();
        }

        _reactor.CallSoon(ReportFailureSoon, this);
    }

    private void ReportFailure()
    {
        var reason = _failure;
        if (reason is null || _state != ConnectorState.Connecting)
        {
            return;
        }

        _failure = null;
        _state = ConnectorState.Disconnected;
        _reactor.TrackClosed(this);
        _reactor.Streams.Counters.ConnectFailures++;
        try
        {
            _factory.ClientConnectionFailed(this, new Failure(reason));
        }
        catch (Exception e)
        {
            StreamLog.FactoryCallbackFailed(Logger, _factory, nameof(ClientFactory.ClientConnectionFailed), e);
        }

        StopFactoryUnlessReconnecting();
    }

    /// <summary>The connection closed and its protocol heard it: the factory hears it next (Twisted's <c>test_loseOrder</c>).</summary>
    internal void OnConnectionLost(TcpConnection connection, Failure reason)
    {
        if (_connection != connection)
        {
            return;
        }

        _connection = null;
        _state = ConnectorState.Disconnected;
        try
        {
            _factory.ClientConnectionLost(this, reason);
        }
        catch (Exception e)
        {
            StreamLog.FactoryCallbackFailed(Logger, _factory, nameof(ClientFactory.ClientConnectionLost), e);
        }

        StopFactoryUnlessReconnecting();
    }

    /// <summary>Unless the factory called <see cref="Connect()"/> again from its callback, this connector stops using it.</summary>
    private void StopFactoryUnlessReconnecting()
    {
        if (_state != ConnectorState.Disconnected || !_factoryStarted)
        {
            return;
        }

        _factoryStarted = false;
        try
        {
            StreamListener.StopFactory(_factory, Logger);
        }
        catch (Exception e)
        {
            StreamLog.FactoryCallbackFailed(Logger, _factory, nameof(Factory.StopFactory), e);
        }
    }

    /// <summary>The reactor is shutting down during an attempt: it fails now (no later iteration will report it).</summary>
    void IOpenResource.CloseForShutdown()
    {
        if (_state != ConnectorState.Connecting)
        {
            return;
        }

        if (_failure is null)
        {
            Fail(new ConnectException(_destination, SocketError.OperationAborted));
        }

        ReportFailure();
    }

    private void CancelTimeout()
    {
        if (_timeoutCall is { Active: true } call)
        {
            call.Cancel();
        }

        _timeoutCall = null;
    }

    public override string ToString() => $"<TcpConnector to {_host}:{_port} ({_state})>";
}
