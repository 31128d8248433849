using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Reactor.Internal;
using Reactor.Internal.Resolve;

namespace Reactor.Testing;

/// <summary>
/// A reactor for unit tests that opens no socket and starts no thread (Twisted's <c>proto_helpers.MemoryReactor</c>, with
/// <c>MemoryReactorClock</c>'s time): it records every <see cref="ListenUdp"/> and <see cref="ListenMulticast"/> call and
/// connects each protocol to a <see cref="FakeDatagramTransport"/>; it records every <see cref="ListenTcp"/> and
/// <see cref="ConnectTcp"/> call, and the test plays connections arriving (<see cref="TcpListenCall.Accept"/>) and
/// attempts ending (<see cref="MemoryConnector.Complete"/>, <see cref="MemoryConnector.Fail"/>), each over a
/// <see cref="FakeStreamTransport"/>; and its time is a <see cref="Testing.Clock"/> that moves only when the test
/// advances it. Hand it to code that takes an <see cref="IReactor"/>.
/// </summary>
/// <remarks>
/// <para>It implements all of <see cref="IReactor"/>, synchronously on the calling thread; where that differs from a
/// real reactor:</para>
/// <list type="bullet">
/// <item><description><see cref="Run"/> fires the startup event, runs the queued <see cref="CallFromThread"/> calls and
/// <b>returns at once</b>: there is no loop to block in. <see cref="Stop"/> fires the shutdown event within the call
/// (every port it listened on stops, so each protocol's <c>StopProtocol</c> runs, and every open TCP connection is lost,
/// with a <see cref="ConnectionLostException"/>), instead of at the end of an iteration.</description></item>
/// <item><description><see cref="CallFromThread"/> (thread-safe) <b>queues</b> the call; <see cref="RunPendingCalls"/>,
/// <see cref="Iterate"/> and <see cref="Run"/> run what is queued, in order. Calls never run inside <see cref="CallFromThread"/>.
/// What a real reactor reports "soon" (a connector's <see cref="IConnector.StopConnecting"/>) is queued the same way.
/// <see cref="Iterate"/> also pumps every open TCP connection (<see cref="FakeStreamTransport.Pump"/>).</description></item>
/// <item><description><see cref="CallInThread"/> and <see cref="DeferToThread{T}"/> run the work at once on the calling
/// thread (the Deferred has fired when it is returned); an exception from <see cref="CallInThread"/>'s work reaches the caller.</description></item>
/// <item><description>Ports get numbers from 49152 up when 0 is asked for; nothing is bound, so two ports may share a number.</description></item>
/// <item><description><see cref="Resolve"/> asks the installed resolver (at first an empty <see cref="FakeResolver"/>, in
/// <see cref="Resolver"/>); the <c>timeouts</c> are checked but not enforced.</description></item>
/// <item><description><see cref="Backend"/> is <see cref="ReactorBackend.Auto"/>: there is no I/O backend. <see cref="Dispose"/> does nothing.</description></item>
/// </list>
/// <para>Apart from <see cref="CallFromThread"/>, use it from one thread, like a reactor.</para>
/// </remarks>
/// <example>
/// <code>
/// var reactor = new MemoryReactor();
/// var service = new MyService(reactor);          // calls reactor.ListenUdp(9999, protocol)
/// var port = reactor.UdpPorts.Single();          // port.Port == 9999, port.Protocol is the protocol
/// port.Transport.Receive("ping"u8, new IPEndPoint(IPAddress.Loopback, 5000));
/// reactor.Clock.Advance(TimeSpan.FromSeconds(30));  // runs the timers that came due
/// </code>
/// </example>
public sealed partial class MemoryReactor : IReactor
{
    private const int FirstEphemeralPort = 49152;

    private readonly SystemEventRegistry _events;
    private readonly ConcurrentQueue<Action> _threadCalls = new();
    private readonly ILogger _logger;
    private readonly int _ownerThreadId = Environment.CurrentManagedThreadId;
    private IHostResolver _resolver = new FakeResolver();
    private int _nextPort = FirstEphemeralPort;
    private bool _stopping;

    /// <summary>Creates a memory reactor that is not running.</summary>
    /// <param name="clock">Its time; <c>null</c> for a new <see cref="Testing.Clock"/> reading zero.</param>
    /// <param name="loggerFactory">Where exceptions from system event triggers are logged; <c>null</c> logs nothing.</param>
    public MemoryReactor(Clock? clock = null, ILoggerFactory? loggerFactory = null)
    {
        Clock = clock ?? new Clock();
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger(ReactorLog.Category);
        _events = new SystemEventRegistry(_logger);
        AddSystemEventTrigger(SystemEventPhase.During, SystemEvents.Startup, () => Running = true);
        AddSystemEventTrigger(SystemEventPhase.During, SystemEvents.Shutdown, StopAllPorts);
    }

    /// <summary>The clock the reactor's time comes from: advance it to run timers.</summary>
    public Clock Clock { get; }

    /// <summary>Whether <see cref="Run"/> has been called (Twisted's <c>hasRun</c>).</summary>
    public bool HasRun { get; private set; }

    /// <summary>Whether <see cref="Stop"/> has been called (Twisted's <c>hasStopped</c>).</summary>
    public bool HasStopped { get; private set; }

    /// <summary>Whether <see cref="Crash"/> has been called (Twisted's <c>hasCrashed</c>).</summary>
    public bool HasCrashed { get; private set; }

    /// <summary>How many calls (from <see cref="CallFromThread"/>, or reports a real reactor makes soon) wait for <see cref="RunPendingCalls"/>.</summary>
    public int PendingCalls => _threadCalls.Count;

    /// <summary>The size last given to <see cref="SuggestThreadPoolSize"/> (10 until then, as a reactor's default).</summary>
    public int ThreadPoolSize { get; private set; } = 10;

    /// <summary>The resolver <see cref="Resolve"/> asks: an empty <see cref="FakeResolver"/> until <see cref="InstallResolver"/>.</summary>
    public IHostResolver Resolver => _resolver;

    /// <summary>Always <see cref="ReactorBackend.Auto"/>: a memory reactor has no I/O backend.</summary>
    public ReactorBackend Backend => ReactorBackend.Auto;

    /// <inheritdoc/>
    public bool Running { get; private set; }

    /// <inheritdoc/>
    public bool IsInReactorThread => Environment.CurrentManagedThreadId == _ownerThreadId;

    /// <summary>Runs the calls queued by <see cref="CallFromThread"/> (and a connector's <see cref="MemoryConnector.StopConnecting"/>), in order, including those they queue.</summary>
    /// <returns>How many ran.</returns>
    public int RunPendingCalls()
    {
        var ran = 0;
        while (_threadCalls.TryDequeue(out var call))
        {
            ran++;
            call();
        }

        return ran;
    }

    // ---- IReactorCore ---------------------------------------------------------------------------------------------

    /// <summary>Starts the reactor: fires the startup event, runs queued <see cref="CallFromThread"/> calls, and returns at once.</summary>
    /// <exception cref="ReactorAlreadyRunningException">It is already running.</exception>
    /// <exception cref="ReactorNotRestartableException">It was stopped before.</exception>
    public void Run()
    {
        if (Running)
        {
            throw new ReactorAlreadyRunningException();
        }

        if (HasStopped)
        {
            throw new ReactorNotRestartableException();
        }

        HasRun = true;
        FireSystemEvent(SystemEvents.Startup);
        RunPendingCalls();
    }

    /// <summary>Stops the reactor within this call: fires the shutdown event, which stops every port it listened on and loses every open TCP connection.</summary>
    /// <exception cref="ReactorNotRunningException">It is not running, or is already stopping.</exception>
    public void Stop()
    {
        if (!Running || _stopping)
        {
            throw new ReactorNotRunningException();
        }

        HasStopped = true;
        _stopping = true;
        FireSystemEvent(SystemEvents.Shutdown);
    }

    /// <summary>Records the crash and stops running, with no shutdown event; <see cref="Run"/> may be called again.</summary>
    public void Crash()
    {
        HasCrashed = true;
        Running = false;
        AddSystemEventTrigger(SystemEventPhase.During, SystemEvents.Startup, () => Running = true);
    }

    /// <summary>
    /// One turn of the loop: runs the queued <see cref="CallFromThread"/> calls, pumps every open connection
    /// (<see cref="FakeStreamTransport.Pump"/>), and runs the timers already due; time does not move and nothing waits.
    /// </summary>
    /// <param name="maxWait">Ignored (not negative).</param>
    public void Iterate(TimeSpan maxWait)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxWait, TimeSpan.Zero);
        RunPendingCalls();
        PumpConnections();
        Clock.Advance(TimeSpan.Zero);
    }

    /// <inheritdoc/>
    public SystemEventTriggerId? CallWhenRunning(Action callback)
    {
        ArgumentNullException.ThrowIfNull(callback);
        if (Running)
        {
            callback();
            return null;
        }

        return AddSystemEventTrigger(SystemEventPhase.After, SystemEvents.Startup, callback);
    }

    /// <inheritdoc/>
    public SystemEventTriggerId AddSystemEventTrigger(SystemEventPhase phase, string eventType, Action trigger) =>
        _events.Add(phase, eventType, trigger);

    /// <inheritdoc/>
    public SystemEventTriggerId AddSystemEventTrigger(SystemEventPhase phase, string eventType, Func<Deferred?> trigger) =>
        _events.Add(phase, eventType, trigger);

    /// <inheritdoc/>
    public void RemoveSystemEventTrigger(SystemEventTriggerId triggerId) => _events.Remove(triggerId);

    /// <inheritdoc/>
    public void FireSystemEvent(string eventType) => _events.Fire(eventType);

    // ---- IReactorTime ---------------------------------------------------------------------------------------------

    /// <inheritdoc/>
    public double Seconds() => Clock.Seconds();

    /// <inheritdoc/>
    public IDelayedCall CallLater(TimeSpan delay, Action callback) => Clock.CallLater(delay, callback);

    /// <inheritdoc/>
    public IReadOnlyList<IDelayedCall> GetDelayedCalls() => Clock.GetDelayedCalls();

    // ---- IReactorThreads ------------------------------------------------------------------------------------------

    /// <summary>Queues <paramref name="callback"/> for <see cref="RunPendingCalls"/> (or <see cref="Iterate"/>, <see cref="Run"/>). Thread-safe.</summary>
    /// <param name="callback">What to call.</param>
    public void CallFromThread(Action callback)
    {
        ArgumentNullException.ThrowIfNull(callback);
        _threadCalls.Enqueue(callback);
    }

    /// <summary>Runs <paramref name="work"/> at once, on the calling thread; an exception it throws reaches the caller.</summary>
    /// <param name="work">What to run.</param>
    public void CallInThread(Action work)
    {
        ArgumentNullException.ThrowIfNull(work);
        work();
    }

    /// <summary>Runs <paramref name="work"/> at once, on the calling thread, and returns its outcome as a fired Deferred.</summary>
    /// <typeparam name="T">The result's type.</typeparam>
    /// <param name="work">What to run.</param>
    /// <returns>A fired (or failed) Deferred.</returns>
    public Deferred<T> DeferToThread<T>(Func<T> work) => Deferred.MaybeDeferred(work);

    /// <summary>Records <paramref name="size"/> in <see cref="ThreadPoolSize"/>.</summary>
    /// <param name="size">At least 1.</param>
    public void SuggestThreadPoolSize(int size)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
        ThreadPoolSize = size;
    }

    // ---- IReactorResolve ------------------------------------------------------------------------------------------

    /// <inheritdoc/>
    public Deferred<IPAddress> Resolve(string name, IReadOnlyList<TimeSpan>? timeouts = null, AddressPreference preference = AddressPreference.IPv4First)
    {
        ArgumentNullException.ThrowIfNull(name);
        ReactorBase.LookupLimit(timeouts);
        var family = preference switch
        {
            AddressPreference.IPv4First or AddressPreference.IPv6First => AddressFamily.Unspecified,
            AddressPreference.IPv4Only => AddressFamily.InterNetwork,
            AddressPreference.IPv6Only => AddressFamily.InterNetworkV6,
            _ => throw new ArgumentOutOfRangeException(nameof(preference), preference, "Not a defined AddressPreference."),
        };

        if (name.Length == 0)
        {
            return Deferred.Succeed(preference is AddressPreference.IPv6First or AddressPreference.IPv6Only ? IPAddress.IPv6Any : IPAddress.Any);
        }

        if (IPLiteral.TryParse(name, out var literal))
        {
            return ReactorBase.PickAddress([literal], preference) is { } address
                ? Deferred.Succeed(address)
                : Deferred.Fail<IPAddress>(new DnsLookupException(name));
        }

        return Lookup(name, family, addresses => ReactorBase.PickAddress(addresses, preference));
    }

    /// <inheritdoc/>
    public Deferred<IReadOnlyList<IPAddress>> ResolveAll(string name, IReadOnlyList<TimeSpan>? timeouts = null)
    {
        ArgumentNullException.ThrowIfNull(name);
        ReactorBase.LookupLimit(timeouts);
        if (name.Length == 0)
        {
            return Deferred.Succeed<IReadOnlyList<IPAddress>>([IPAddress.Any]);
        }

        if (IPLiteral.TryParse(name, out var literal))
        {
            return Deferred.Succeed<IReadOnlyList<IPAddress>>([literal]);
        }

        return Lookup<IReadOnlyList<IPAddress>>(name, AddressFamily.Unspecified, addresses => addresses.Count == 0 ? null : [.. addresses]);
    }

    /// <inheritdoc/>
    public IHostResolver InstallResolver(IHostResolver resolver)
    {
        ArgumentNullException.ThrowIfNull(resolver);
        var previous = _resolver;
        _resolver = resolver;
        return previous;
    }

    /// <summary>Does nothing: a memory reactor holds no resources.</summary>
    public void Dispose()
    {
    }

    private Deferred<T> Lookup<T>(string name, AddressFamily family, Func<IReadOnlyList<IPAddress>, T?> select)
        where T : class
    {
        var result = new Deferred<T>();
        Deferred<IReadOnlyList<IPAddress>> answer;
        try
        {
            answer = _resolver.ResolveHostAddresses(name, family);
        }
        catch (Exception e)
        {
            return Deferred.Fail<T>(new DnsLookupException(name, e));
        }

        answer.AddCallbacks(
            addresses =>
            {
                if (select(addresses) is { } selected)
                {
                    result.Callback(selected);
                }
                else
                {
                    result.Errback(new DnsLookupException(name));
                }

                return addresses;
            },
            failure =>
            {
                result.Errback(new DnsLookupException(name, failure.Exception));
                return [];
            });
        return result;
    }

    private void StopAllPorts()
    {
        StopTcp();
        StopUnixPorts();
        StopUdpPorts();
        Running = false;
    }
}
