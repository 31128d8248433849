using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace Reactor.Internal.Streams;

/// <summary>
/// A listening stream port's lifecycle, shared by TCP and UNIX ports: start (count the factory, log, watch),
/// accept under an adaptive budget (D23), shed waiting clients when out of descriptors without spinning (D22), build a
/// protocol per connection (D16), stop (idempotent, closing on a later iteration, as UDP ports do). Twisted's
/// <c>tcp.Port</c>. TCP's own part is <see cref="Tcp.TcpPort"/>, UNIX's <see cref="Unix.UnixPort"/>.
/// </summary>
internal abstract class StreamListener : IListenSocketHandler, IOpenResource
{
    /// <summary>How long accepting pauses after an error that would otherwise wake the loop again at once.</summary>
    internal static readonly TimeSpan AcceptBackoff = TimeSpan.FromMilliseconds(50);

    private readonly IListenSocket _socket;
    private readonly StreamLoop _loop;
    private int _acceptsPerWake;
    private State _state = State.Listening;
    private Deferred<object?>? _stopped;
    private int _sessionCount;
    private IDelayedCall? _backoff;
    private long _acceptErrors;
    private long _shed;
    private int _openConnections;
    private bool _atCap;
    private long _capReached;

    protected StreamListener(ReactorBase reactor, IListenSocket socket, Factory factory)
    {
        Reactor = reactor;
        _socket = socket;
        Factory = factory;
        _loop = reactor.Streams;
        _acceptsPerWake = reactor.Options.Tcp.InitialAcceptsPerWake;
    }

    private enum State
    {
        Listening,
        Stopping,
        Closed,
    }

    internal Factory Factory { get; }

    /// <summary>The adaptive accept batch now (for tests).</summary>
    internal int AcceptsPerWake => _acceptsPerWake;

    internal bool IsClosed => _state == State.Closed;

    /// <summary>How many of the connections this port accepted are open now.</summary>
    internal int OpenConnections => _openConnections;

    /// <summary>Whether accepting is paused because the port holds <see cref="TcpOptions.MaxConnectionsPerPort"/> connections (for tests).</summary>
    internal bool AtConnectionCap => _atCap;

    protected ReactorBase Reactor { get; }

    protected ILogger Logger => _loop.Logger;

    /// <summary>The port in log lines about accepting: <c>TCP port 8000</c>, <c>UNIX port /run/app.sock</c>.</summary>
    protected abstract string LogName { get; }

    /// <summary>Where the port listens, in its <see cref="ToString"/>: the port number, or the path.</summary>
    protected abstract string Address { get; }

    /// <summary>Logs that the port is listening (Twisted's "… starting on …").</summary>
    protected abstract void LogStarted();

    /// <summary>Logs that the port has closed (Twisted's "(TCP Port … Closed)").</summary>
    protected abstract void LogClosed();

    /// <summary>After the socket closed: what the transport's own part releases (UNIX: the socket file and the lock).</summary>
    protected virtual void OnClosed()
    {
    }

    // ---- Start ----------------------------------------------------------------------------------------------------

    /// <summary>After bind and listen succeeded: the factory starts (Twisted: <c>doStart</c> after listening), the port logs and accepts.</summary>
    protected void StartListening()
    {
        StartFactory(Factory, Logger);
        LogStarted();
        Reactor.TrackOpen(this);
        _socket.Watch(this, accepting: true);
    }

    /// <summary>Counts a port or connector on <paramref name="factory"/>, logging "Starting factory" for the first.</summary>
    internal static void StartFactory(Factory factory, ILogger logger)
    {
        if (factory.NumberOfPorts == 0 && factory.Noisy)
        {
            StreamLog.FactoryStarting(logger, factory);
        }

        factory.DoStart();
    }

    /// <summary>Uncounts one, logging "Stopping factory" for the last; an exception from <c>StopFactory</c> propagates.</summary>
    internal static void StopFactory(Factory factory, ILogger logger)
    {
        if (factory.NumberOfPorts == 1 && factory.Noisy)
        {
            StreamLog.FactoryStopping(logger, factory);
        }

        factory.DoStop();
    }

    // ---- Accept ---------------------------------------------------------------------------------------------------

    void IListenSocketHandler.OnAcceptable()
    {
        if (_state != State.Listening)
        {
            return;
        }

        // Writes made in the new protocols' ConnectionMade gather until the batch ends, like any dispatch's.
        _loop.BeginDispatch();
        AcceptBatch();
        _loop.EndDispatch();
    }

    /// <summary>
    /// Up to the batch size of accepts. The batch grows by 20 after one that accepted all it was allowed, and shrinks to
    /// what one found otherwise (Twisted's <c>numberAccepts</c>), within [1, <see cref="TcpOptions.MaxAcceptsPerWake"/>].
    /// </summary>
    private void AcceptBatch()
    {
        var limit = _acceptsPerWake;
        var accepted = 0;
        for (var attempt = 0; attempt < limit; attempt++)
        {
            if (ReachedCap())
            {
                return;
            }

            var error = _socket.Accept(out var socket, out var peer);
            if (error == SocketError.Success)
            {
                accepted++;
                Admit(socket!, peer!);
                if (_state != State.Listening)
                {
                    return;
                }

                continue;
            }

            switch (StreamErrors.ClassifyAccept(error))
            {
                case AcceptErrorKind.Drained:
                    _acceptsPerWake = Math.Max(1, accepted);
                    return;
                case AcceptErrorKind.Skip:
                    if (error is SocketError.ConnectionAborted or SocketError.ConnectionReset)
                    {
                        // The client reset it while it waited in the backlog: gone before it was ours, but counted.
                        _loop.Counters.AcceptsAborted++;
                    }

                    continue;
                case AcceptErrorKind.OutOfDescriptors:
                    OnOutOfDescriptors(error);
                    return;
                default:
                    LogAcceptError(error);
                    BackOff();
                    return;
            }
        }

        _acceptsPerWake = Math.Min(limit + 20, Reactor.Options.Tcp.MaxAcceptsPerWake);
    }

    /// <summary>
    /// Builds the protocol for an accepted connection and starts it. <c>null</c> from the factory closes the socket at
    /// once (the session number is not used up); an exception is logged and resets the connection (D16).
    /// </summary>
    private void Admit(IStreamSocket socket, EndPoint peer)
    {
        Protocol? protocol;
        try
        {
            protocol = Factory.BuildProtocol(peer);
        }
        catch (Exception e)
        {
            StreamLog.FactoryCallbackFailed(Logger, Factory, nameof(Factory.BuildProtocol), e);
            _loop.Counters.AcceptsRefused++;
            socket.Abort();
            return;
        }

        if (protocol is null)
        {
            StreamLog.ConnectionRefusedByFactory(Logger, Factory, peer);
            _loop.Counters.AcceptsRefused++;
            socket.Dispose();
            return;
        }

        _loop.Counters.ConnectionsAccepted++;
        _openConnections++;
        CreateConnection(socket, peer, protocol, _sessionCount++).Start();
    }

    /// <summary>
    /// D63: at <see cref="TcpOptions.MaxConnectionsPerPort"/> open connections the port stops watching for accepts, so
    /// new clients wait in the kernel's backlog instead of being accepted and closed; <see cref="ConnectionClosed"/>
    /// watches again.
    /// </summary>
    private bool ReachedCap()
    {
        if (Reactor.Options.Tcp.MaxConnectionsPerPort is not { } cap || _openConnections < cap)
        {
            return false;
        }

        if (!_atCap)
        {
            _atCap = true;
            _socket.Watch(this, accepting: false);
            if (DropLogging.ShouldLog(++_capReached))
            {
                StreamLog.PortAtConnectionLimit(Logger, LogName, _openConnections, _capReached);
            }
        }

        return true;
    }

    /// <summary>One of this port's connections has closed: below the cap again, the port accepts again.</summary>
    internal void ConnectionClosed()
    {
        _openConnections--;
        if (_atCap && _state == State.Listening && Reactor.Options.Tcp.MaxConnectionsPerPort is { } cap && _openConnections < cap)
        {
            _atCap = false;
            if (_backoff is null)
            {
                _socket.Watch(this, accepting: true);
            }
        }
    }

    /// <summary>Makes the transport for an accepted connection (TCP's own part).</summary>
    protected abstract StreamConnection CreateConnection(IStreamSocket socket, EndPoint peer, Protocol protocol, int sessionNumber);

    /// <summary>D22: shed the waiting clients with the reserve descriptor; without a reserve, pause accepting briefly instead of spinning.</summary>
    private void OnOutOfDescriptors(SocketError error)
    {
        var shed = _socket.ShedPending();
        if (shed < 0)
        {
            LogAcceptError(error);
            BackOff();
            return;
        }

        _shed += shed;
        _loop.Counters.AcceptsShed += shed;
        if (DropLogging.ShouldLog(_shed))
        {
            StreamLog.AcceptsShed(Logger, LogName, shed, _shed);
        }
    }

    private void LogAcceptError(SocketError error)
    {
        var total = ++_acceptErrors;
        _loop.Counters.AcceptErrors++;
        if (DropLogging.ShouldLog(total))
        {
            StreamLog.AcceptFailed(Logger, LogName, error, total);
        }
    }

    /// <summary>Stops watching for a moment, so a condition that persists (no descriptors, no memory) cannot make the loop spin.</summary>
    private void BackOff()
    {
        if (_backoff is not null)
        {
            return;
        }

        _socket.Watch(this, accepting: false);
        _backoff = Reactor.CallLater(AcceptBackoff, () =>
        {
            _backoff = null;
            if (_state == State.Listening && !_atCap)
            {
                _socket.Watch(this, accepting: true);
            }
        });
    }

    // ---- Stop -----------------------------------------------------------------------------------------------------

    /// <summary>
    /// Stops accepting now and closes on a later iteration (so nothing runs inside this call); the Deferred fires once
    /// closed, or fails with the exception the factory's <c>StopFactory</c> threw. Idempotent: every call returns the same
    /// Deferred (D4, as for UDP ports). Connections already accepted stay open.
    /// </summary>
    public Deferred<object?> StopListening()
    {
        Reactor.VerifyAccess();
        if (_stopped is null)
        {
            _stopped = new Deferred<object?>();
            if (_state == State.Closed)
            {
                _stopped.Callback(null);
                return _stopped;
            }
        }

        if (_state == State.Listening)
        {
            _state = State.Stopping;
            _socket.Watch(this, accepting: false);
            Reactor.CallLater(TimeSpan.Zero, Close);
        }

        return _stopped;
    }

    void IOpenResource.CloseForShutdown() => Close();

    /// <summary>Closes the port now (Twisted's <c>Port.connectionLost</c>): socket, log line, factory count, Deferred.</summary>
    private void Close()
    {
        if (_state == State.Closed)
        {
            return;
        }

        _state = State.Closed;
        _backoff?.Cancel();
        _backoff = null;
        Reactor.TrackClosed(this);
        _socket.Dispose();
        OnClosed();
        LogClosed();
        Exception? stopFailure = null;
        try
        {
            StopFactory(Factory, Logger);
        }
        catch (Exception e)
        {
            // Twisted's test_exceptInStop: the stop Deferred fails with it.
            StreamLog.FactoryCallbackFailed(Logger, Factory, nameof(Factory.StopFactory), e);
            stopFailure = e;
        }

        if (_stopped is null)
        {
            return;
        }

        if (stopFailure is null)
        {
            _stopped.Callback(null);
        }
        else
        {
            _stopped.Errback(stopFailure);
        }
    }

    /// <summary>Rate limit for repeated warnings: the first ten, then every power of two.</summary>

    public override string ToString() =>
        _state == State.Closed ? $"<{Factory.GetType().Name} (not listening)>" : $"<{Factory.GetType().Name} on {Address}>";
}
