using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace Reactor.Internal.Streams;

/// <summary>
/// An outgoing stream connection's connector, shared by TCP and UNIX sockets (Twisted's <c>BaseConnector</c> with
/// <c>tcp.BaseClient</c>): one object per <c>ConnectTcp</c>/<c>ConnectUnix</c>, reused for every attempt. An attempt
/// starts the factory, schedules the timeout, calls <see cref="ClientFactory.StartedConnecting"/>, lets the transport's
/// own part find the address (<see cref="StartAttempt"/>: TCP resolves a name, UNIX has a path), connects without
/// blocking, and either hands the socket to a connection or fails with a <see cref="ConnectException"/> — reported after
/// the call that started it, never inside (D26). Specified by <c>tests/Reactor.Tests/Tcp/</c> and <c>Unix/</c>.
/// </summary>
internal abstract class StreamConnector : IConnector, IReactorBoundConnector, IStreamSocketHandler, IOpenResource
{
    private static readonly SendOrPostCallback ReportFailureSoon = static state => ((StreamConnector)state!).ReportFailure();

    private readonly ClientFactory _factory;
    private readonly TimeSpan _timeout;
    private readonly EndPoint _destination;
    private ConnectorState _state = ConnectorState.Disconnected;
    private bool _factoryStarted;
    private int _attempt;
    private IDelayedCall? _timeoutCall;
    private IStreamSocket? _socket;
    private EndPoint? _remote;
    private Exception? _failure;
    private StreamConnection? _connection;
    private StreamKind _kind = StreamKind.Tcp;
    private Activity? _activity;

    protected StreamConnector(ReactorBase reactor, ClientFactory factory, TimeSpan timeout, EndPoint destination)
    {
        Reactor = reactor;
        _factory = factory;
        _timeout = timeout;
        _destination = destination;
    }

    public ConnectorState State => _state;

    public ITransport? Transport => _connection;

    IReactorTime IReactorBoundConnector.Clock => Reactor;

    protected ReactorBase Reactor { get; }

    protected ILogger Logger => Reactor.Streams.Logger;

    /// <summary>The current attempt's span (<c>Reactor.Connect</c>), when a listener samples it; else <c>null</c>.</summary>
    protected Activity? AttemptActivity => _activity;

    /// <summary>The kind of stream counted before an address is known (TCP: <see cref="StreamKind.Tcp"/>; UNIX: <see cref="StreamKind.Unix"/>).</summary>
    protected virtual StreamKind UnresolvedKind => StreamKind.Tcp;

    /// <summary>Names an attempt's span and tags its destination (<c>server.address</c>, <c>server.port</c>, <c>network.transport</c>).</summary>
    protected abstract void DescribeActivity(Activity activity);

    public EndPoint GetDestination() => _destination;

    // ---- Attempt --------------------------------------------------------------------------------------------------

    public void Connect()
    {
        Reactor.VerifyAccess();
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

        Reactor.TrackOpen(this);
        _timeoutCall = Reactor.CallLater(_timeout, () =>
        {
            // This call has run: Fail must not cancel it (that throws AlreadyCalledException, and the attempt would hang on).
            _timeoutCall = null;
            if (IsCurrent(attempt))
            {
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

        if (!IsCurrent(attempt))
        {
            return; // StartedConnecting stopped (or restarted) it.
        }

        _kind = UnresolvedKind;
        _activity = Telemetry.Start(Telemetry.ConnectActivity, ActivityKind.Client);
        if (_activity is not null)
        {
            DescribeActivity(_activity);
        }

        StartAttempt(attempt);
    }

    /// <summary>
    /// The transport's own start of attempt <paramref name="attempt"/>: find the address (at once or later), then call
    /// <see cref="StartSocket"/>, or <see cref="Fail"/>. Check <see cref="IsCurrent"/> in anything that completes later.
    /// </summary>
    protected abstract void StartAttempt(int attempt);

    /// <summary>Whether <paramref name="attempt"/> is still the one under way (not stopped, failed or superseded).</summary>
    protected bool IsCurrent(int attempt) => _attempt == attempt && _state == ConnectorState.Connecting && _failure is null;

    /// <summary>Creates the socket, binds <paramref name="bindAddress"/> if given, and starts connecting to <paramref name="remote"/>.</summary>
    protected void StartSocket(EndPoint remote, EndPoint? bindAddress = null)
    {
        _remote = remote;
        _kind = StreamKinds.Of(remote.AddressFamily);
        Telemetry.SetPeer(_activity, remote);
        IStreamSocket socket;
        try
        {
            socket = Reactor.Sockets.CreateStreamSocket(remote.AddressFamily);
        }
        catch (SocketException e)
        {
            Fail(new ConnectException(_destination, e.SocketErrorCode));
            return;
        }

        _socket = socket;
        if (bindAddress is not null)
        {
            var bound = socket.Bind(bindAddress);
            if (bound != SocketError.Success)
            {
                Fail(new ConnectBindException(_destination, bindAddress, bound));
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
        Reactor.TrackClosed(this);
        EndPoint local;
        try
        {
            local = socket.GetLocalEndPoint();
        }
        catch (SocketException e)
        {
            // Reset before we looked at it: the attempt fails, and no protocol was built for nothing.
            socket.Dispose();
            Reactor.TrackOpen(this);
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
            Reactor.TrackOpen(this);
            Fail(e);
            return;
        }

        ConfigureSocket(socket);
        _state = ConnectorState.Connected;
        var connection = CreateConnection(socket, protocol ?? new Protocol(), local, _remote!);
        _connection = connection;
        connection.Counters.ConnectionsConnected++;
        Telemetry.Stop(_activity);
        _activity = null;
        connection.Start();
        if (protocol is null)
        {
            connection.LoseConnection();
        }
    }


    /// <summary>Sets the transport's options on a socket that has just connected (TCP: TCP_NODELAY, D31).</summary>
    protected virtual void ConfigureSocket(IStreamSocket socket)
    {
    }

    /// <summary>Makes the transport for a socket that has connected from <paramref name="local"/> to <paramref name="remote"/>.</summary>
    protected abstract StreamConnection CreateConnection(IStreamSocket socket, Protocol protocol, EndPoint local, EndPoint remote);

    // ---- Failure and loss -----------------------------------------------------------------------------------------

    public void StopConnecting()
    {
        Reactor.VerifyAccess();
        if (_state != ConnectorState.Connecting || _failure is not null)
        {
            throw new InvalidOperationException("StopConnecting was called while the connector is not connecting.");
        }

        Fail(new ConnectingCancelledException(_destination));
    }

    public void Disconnect()
    {
        Reactor.VerifyAccess();
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
    protected void Fail(Exception reason)
    {
        _failure = reason;
        CancelTimeout();
        if (_socket is { } socket)
        {
            _socket = null;
            socket.Watch(this, reading: false, writing: false);
            socket.Dispose();
        }

        OnAttemptEnded();
        Telemetry.Stop(_activity, reason);
        _activity = null;
        Reactor.CallSoon(ReportFailureSoon, this);
    }

    /// <summary>The attempt ended before connecting: release what the transport's own part holds (TCP: a lookup).</summary>
    protected virtual void OnAttemptEnded()
    {
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
        Reactor.TrackClosed(this);
        Reactor.Streams.CountersFor(_kind).ConnectFailures++;
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
    internal void OnConnectionLost(StreamConnection connection, Failure reason)
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
}
