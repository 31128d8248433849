using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using Reactor.Internal.Backends;

namespace Reactor.Internal;

/// <summary>
/// Everything a reactor does except waiting for I/O: the loop, timers, system events, the thread rule. A backend
/// supplies <see cref="WaitForIo"/> (block until I/O, a wake-up or the timeout, dispatching what is ready) and
/// <see cref="WakeUp"/> (make a blocked <see cref="WaitForIo"/> return; callable from any thread).
/// </summary>
/// <remarks>
/// The state flags and their transitions are Twisted's (<c>ReactorBase</c> in <c>twisted/internet/base.py</c>):
/// <c>_started</c> keeps the loop going, <c>_stopped</c> makes a second <c>Stop()</c> fail, <c>_startedBefore</c> forbids
/// a restart after a stop (but not after a crash), and <c>_justStopped</c> fires the shutdown event at the end of the
/// iteration in which <c>Stop()</c> was called.
/// </remarks>
internal abstract partial class ReactorBase : IReactor
{
    private readonly TimeProvider _timeProvider;
    private readonly long _epoch;
    private readonly TimerQueue _timers;
    private readonly SystemEventRegistry _events;
    private readonly HashSet<IOpenResource> _openResources = new(ReferenceEqualityComparer.Instance);
    private ISocketFactory? _sockets;
    private readonly ReactorOptions _options;
    private int _ownerThreadId;
    private bool _started;
    private volatile bool _stopped = true;
    private bool _justStopped;
    private bool _startedBefore;
    private volatile bool _running;
    private bool _resourcesReleased;

    // Cached so that an iteration of the loop allocates nothing.
    private readonly Action<Exception> _onThreadCallFailed;
    private readonly Action<Exception> _onTimedCallFailed;
    private readonly Action<Exception> _onSoonCallFailed;
    private readonly SoonCalls _soonCalls = new();

    protected ReactorBase(ReactorOptions options, ReactorBackend backend)
    {
        _options = options;
        Backend = backend;
        LoggerFactory = options.LoggerFactory;
        Logger = LoggerFactory.CreateLogger(ReactorLog.Category);
        _events = new SystemEventRegistry(Logger);
        _timeProvider = options.TimeProvider;
        _epoch = _timeProvider.GetTimestamp();
        _ownerThreadId = Environment.CurrentManagedThreadId;
        _timers = new TimerQueue(NowTicks, VerifyAccess, instrumented: true);
        _threadCalls = new ThreadCallQueue();
        _workers = new WorkerPool(options.MaxWorkerThreads, Logger);
        _synchronizationContext = new ReactorSynchronizationContext(this);
        _onThreadCallFailed = e => ReactorLog.ThreadCallFailed(Logger, e);
        _onTimedCallFailed = e => ReactorLog.TimedCallFailed(Logger, e);
        _onSoonCallFailed = e => LogCallbackError(nameof(CallSoon), e);
        AmbientReactor.Logger ??= Logger;

        AddSystemEventTrigger(SystemEventPhase.During, SystemEvents.Startup, ReallyStartRunning);
        AddSystemEventTrigger(SystemEventPhase.During, SystemEvents.Shutdown, Crash);
        AddSystemEventTrigger(SystemEventPhase.During, SystemEvents.Shutdown, DisconnectAll);
        AddSystemEventTrigger(SystemEventPhase.During, SystemEvents.Shutdown, _workers.Stop);
        AddSystemEventTrigger(SystemEventPhase.During, SystemEvents.Shutdown, CancelPendingLookups);
        ReactorLog.BackendSelected(Logger, backend);
    }

    public ReactorBackend Backend { get; }

    public bool Running => _running;

    internal ILoggerFactory LoggerFactory { get; }

    internal ILogger Logger { get; }

    /// <summary>The options the reactor was created with (read budgets, queue bounds, buffer sizes).</summary>
    internal ReactorOptions Options => _options;

    // ---- Running and stopping -------------------------------------------------------------------------------------

    public void Run()
    {
        if (_started)
        {
            throw new ReactorAlreadyRunningException();
        }

        if (_startedBefore)
        {
            throw new ReactorNotRestartableException();
        }

        ObjectDisposedException.ThrowIf(_resourcesReleased, this);
        _ownerThreadId = Environment.CurrentManagedThreadId;
        var previousContext = SynchronizationContext.Current;
        var previousLogger = AmbientReactor.Logger;
        var previousRunning = AmbientReactor.Running;
        SynchronizationContext.SetSynchronizationContext(_synchronizationContext);
        AmbientReactor.Logger = Logger;
        AmbientReactor.Running = this;
        var signalHandlers = _options.HandleSignals ? RegisterSignalHandlers() : null;
        try
        {
            _started = true;
            _stopped = false;
            FireSystemEvent(SystemEvents.Startup);
            while (_started)
            {
                ReactorMetrics.LoopIterations.Add(1);
                RunUntilCurrent();
                if (!_started)
                {
                    break;
                }

                WaitForIo(ComputeTimeout());
            }
        }
        finally
        {
            if (signalHandlers is not null)
            {
                foreach (var registration in signalHandlers)
                {
                    registration.Dispose();
                }
            }

            SynchronizationContext.SetSynchronizationContext(previousContext);
            AmbientReactor.Logger = previousLogger;
            AmbientReactor.Running = previousRunning;
            if (_startedBefore && !_started)
            {
                // Stopped for good (a crash leaves _startedBefore false): nothing can use the loop again.
                ReleaseResources();
            }
        }
    }

    public void Stop()
    {
        if (!IsInReactorThread)
        {
            // The thread-safe path: checked here so a caller learns at once that the reactor is not running,
            // carried out on the reactor thread.
            if (_stopped || Interlocked.Exchange(ref _crossThreadStopQueued, 1) == 1)
            {
                throw new ReactorNotRunningException();
            }

            CallFromThread(() =>
            {
                if (!_stopped)
                {
                    Stop();
                }
            });
            return;
        }

        if (_stopped)
        {
            throw new ReactorNotRunningException();
        }

        _stopped = true;
        _justStopped = true;
        _startedBefore = true;
    }

    public void Crash()
    {
        VerifyAccess();
        _started = false;
        _running = false;
        AddSystemEventTrigger(SystemEventPhase.During, SystemEvents.Startup, ReallyStartRunning);
    }

    public void Iterate(TimeSpan maxWait)
    {
        VerifyAccess();
        ArgumentOutOfRangeException.ThrowIfLessThan(maxWait, TimeSpan.Zero);
        ReactorMetrics.LoopIterations.Add(1);
        RunUntilCurrent();
        var timeout = ComputeTimeout();
        var limit = ToMilliseconds(maxWait.Ticks);
        WaitForIo(timeout < 0 ? limit : Math.Min(timeout, limit));
    }

    public SystemEventTriggerId? CallWhenRunning(Action callback)
    {
        ArgumentNullException.ThrowIfNull(callback);
        VerifyAccess();
        if (_running)
        {
            callback();
            return null;
        }

        return AddSystemEventTrigger(SystemEventPhase.After, SystemEvents.Startup, callback);
    }

    public SystemEventTriggerId AddSystemEventTrigger(SystemEventPhase phase, string eventType, Action trigger)
    {
        VerifyAccess();
        return _events.Add(phase, eventType, trigger);
    }

    public SystemEventTriggerId AddSystemEventTrigger(SystemEventPhase phase, string eventType, Func<Deferred?> trigger)
    {
        VerifyAccess();
        return _events.Add(phase, eventType, trigger);
    }

    public void RemoveSystemEventTrigger(SystemEventTriggerId triggerId)
    {
        VerifyAccess();
        _events.Remove(triggerId);
    }

    public void FireSystemEvent(string eventType)
    {
        VerifyAccess();
        _events.Fire(eventType);
    }

    // ---- Time -----------------------------------------------------------------------------------------------------

    public double Seconds() => TimerQueue.ToSeconds(NowTicks());

    public IDelayedCall CallLater(TimeSpan delay, Action callback) => _timers.Schedule(delay, callback);

    public IReadOnlyList<IDelayedCall> GetDelayedCalls()
    {
        VerifyAccess();
        return _timers.Snapshot();
    }

    // ---- For transports -------------------------------------------------------------------------------------------

    /// <summary>Throws unless called on the reactor thread (decision D12).</summary>
    internal void VerifyAccess()
    {
        if (Environment.CurrentManagedThreadId != _ownerThreadId)
        {
            ThrowWrongThread();
        }
    }

    /// <summary>
    /// The first call of every <c>Listen*</c> and <c>Connect*</c>, before any socket exists: on the reactor thread (D12),
    /// and the reactor not shut down. A reactor that ran and was stopped, or was disposed, has released its backend, so a
    /// port opened then could never be served or closed: it fails here with no side effect, the same on every backend
    /// (decision D40).
    /// </summary>
    /// <exception cref="InvalidOperationException">Not on the reactor thread.</exception>
    /// <exception cref="ObjectDisposedException">The reactor has shut down or been disposed.</exception>
    internal void VerifyCanOpen()
    {
        VerifyAccess();
        if (_resourcesReleased)
        {
            ThrowShutDown();
        }
    }

    /// <summary>
    /// Whether a Deferred this reactor owns may be used on the current thread (decision D42): on the reactor thread, or
    /// anywhere once the reactor has shut down (nothing on its thread can race any more).
    /// </summary>
    internal bool MayUseOwnedDeferredHere => IsInReactorThread || _resourcesReleased;

    /// <summary>Registers something for the reactor to close at shutdown.</summary>
    internal void TrackOpen(IOpenResource resource) => _openResources.Add(resource);

    /// <summary>Forgets a resource that closed by itself.</summary>
    internal void TrackClosed(IOpenResource resource) => _openResources.Remove(resource);

    /// <summary>How many resources are open (ports, connections, connectors); for tests.</summary>
    internal int OpenResourceCount => _openResources.Count;

    /// <summary>
    /// Queues <paramref name="callback"/> to run on the reactor thread after the current callback, in this iteration
    /// (<see cref="SoonCalls"/>). Reactor thread only; allocates nothing.
    /// </summary>
    internal void CallSoon(SendOrPostCallback callback, object? state)
    {
        VerifyAccess();
        _soonCalls.Add(callback, state);
    }

    /// <summary>Logs an exception thrown by user code that the loop survives.</summary>
    internal void LogCallbackError(string where, Exception exception) => ReactorLog.IoHandlerFailed(Logger, where, exception);

    public void Dispose()
    {
        if (_started)
        {
            throw new InvalidOperationException("A running reactor cannot be disposed; stop it first.");
        }

        ReleaseResources();
        GC.SuppressFinalize(this);
    }

    /// <summary>
    /// The backend's operating-system sockets: every transport creates its socket here. Tests replace the whole factory
    /// with fakes (<c>tests/Reactor.Tests/Support/FakeSockets.cs</c>).
    /// </summary>
    internal ISocketFactory Sockets
    {
        get => _sockets ??= CreateSocketFactory();
        set => _sockets = value ?? throw new ArgumentNullException(nameof(value));
    }

    /// <summary>Creates the backend's socket factory (once, on first use).</summary>
    protected abstract ISocketFactory CreateSocketFactory();

    /// <summary>Blocks for at most <paramref name="timeoutMilliseconds"/> (-1: no limit) and dispatches ready I/O.</summary>
    protected abstract void WaitForIo(int timeoutMilliseconds);

    /// <summary>Makes a blocked <see cref="WaitForIo"/> return soon. Called from any thread.</summary>
    protected abstract void WakeUp();

    /// <summary>Releases the backend's operating-system resources.</summary>
    protected abstract void ReleaseBackend();

    private static void ThrowWrongThread() =>
        throw new InvalidOperationException(
            "This reactor, transport or protocol method can only be called on the reactor thread. " +
            "Use reactor.CallFromThread(...) to run code there from another thread.");

    private void ThrowShutDown() =>
        throw new ObjectDisposedException(
            GetType().Name,
            "This reactor has shut down (it ran and was stopped, or it was disposed), so it cannot open ports or connections. " +
            "Open them before Stop(), or create a new reactor.");

    private static int ToMilliseconds(long ticks)
    {
        if (ticks <= 0)
        {
            return 0;
        }

        // Round up, so a timer is never woken for before it is due.
        var milliseconds = (ticks + TimeSpan.TicksPerMillisecond - 1) / TimeSpan.TicksPerMillisecond;
        return (int)Math.Min(milliseconds, int.MaxValue);
    }

    private long NowTicks() => _timeProvider.GetElapsedTime(_epoch).Ticks;

    private void RunUntilCurrent()
    {
        _threadCalls.RunPending(_onThreadCallFailed);
        _timers.RunDue(NowTicks(), _onTimedCallFailed);
        _soonCalls.RunPending(_onSoonCallFailed);
        if (_justStopped)
        {
            _justStopped = false;
            FireSystemEvent(SystemEvents.Shutdown);
        }
    }

    /// <summary>How long the next wait may block, in milliseconds; -1 for no limit.</summary>
    private int ComputeTimeout()
    {
        if (_threadCalls.HasPending || _soonCalls.HasPending || _justStopped)
        {
            return 0;
        }

        var next = _timers.NextDueTicks;
        return next is null ? -1 : ToMilliseconds(next.Value - NowTicks());
    }

    private void ReallyStartRunning() => _running = true;

    private void DisconnectAll()
    {
        var open = _openResources.ToArray();
        _openResources.Clear();
        foreach (var resource in open)
        {
            try
            {
                resource.CloseForShutdown();
            }
            catch (Exception e)
            {
                ReactorLog.ShutdownCloseFailed(Logger, resource.ToString() ?? resource.GetType().Name, e);
            }
        }
    }

    private PosixSignalRegistration[] RegisterSignalHandlers()
    {
        void OnSignal(PosixSignalContext context)
        {
            context.Cancel = true;
            var name = context.Signal == PosixSignal.SIGINT ? "SIGINT" : "SIGTERM";
            CallFromThread(() =>
            {
                if (!_stopped)
                {
                    ReactorLog.SignalReceived(Logger, name);
                    Stop();
                }
            });
        }

        return [PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal), PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal)];
    }

    private void ReleaseResources()
    {
        if (_resourcesReleased)
        {
            return;
        }

        _resourcesReleased = true;

        // Never shut down (never run, or crashed): close what is still open, so no socket outlives the reactor.
        DisconnectAll();

        var dropped = _threadCalls.Close();
        for (var i = 0; i < dropped; i++)
        {
            ReactorLog.CallDroppedAfterShutdown(Logger);
        }

        _workers.Stop();
        ReleaseBackend();
    }
}
