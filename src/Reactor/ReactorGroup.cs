using Reactor.Internal;
using Reactor.Internal.Linux;
using Reactor.Internal.Tcp;
using Reactor.Internal.Udp;

namespace Reactor;

/// <summary>
/// Several reactors, one per core, each running its own loop on its own thread, that share UDP ports: every reactor
/// binds its own socket to the same port with SO_REUSEPORT and the kernel spreads incoming datagrams across them by a
/// hash of the sender's address. This is how one UDP service uses more than one core without sharing state between
/// threads (Netty and Cloudflare scale UDP the same way).
/// </summary>
/// <remarks>
/// <para>Each reactor keeps the single-threaded model: a protocol instance belongs to one reactor and is only ever called
/// on that reactor's thread. Datagrams from one sender always reach the same reactor, so per-peer state needs no
/// locks.</para>
/// <para>Create the group and listen from the creating thread, then call <see cref="Run"/>; or listen later through each
/// reactor's <see cref="IReactorThreads.CallFromThread"/>.</para>
/// </remarks>
/// <example>
/// <code>
/// using var group = ReactorGroup.Create();
/// group.ListenUdp(9999, () => new Echo());
/// group.Run();
/// </code>
/// </example>
public sealed class ReactorGroup : IDisposable
{
    private readonly ReactorBase[] _reactors;
    private readonly bool _pinThreads;
    private int _running;

    private ReactorGroup(ReactorBase[] reactors, bool pinThreads)
    {
        _reactors = reactors;
        _pinThreads = pinThreads;
    }

    /// <summary>The reactors, one per loop thread.</summary>
    public IReadOnlyList<IReactor> Reactors => _reactors;

    /// <summary>Creates <paramref name="size"/> reactors (by default one per processor) with the same options.</summary>
    /// <param name="size">How many reactors; 0 means <see cref="Environment.ProcessorCount"/>.</param>
    /// <param name="options">The options every reactor is created with.</param>
    /// <param name="pinThreads">On Linux, pin reactor <c>i</c>'s thread to CPU <c>i</c> (modulo the CPUs available).</param>
    /// <returns>A group that is not yet running.</returns>
    public static ReactorGroup Create(int size = 0, ReactorOptions? options = null, bool pinThreads = false)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(size);
        if (size == 0)
        {
            size = Environment.ProcessorCount;
        }

        var reactors = new ReactorBase[size];
        try
        {
            for (var i = 0; i < size; i++)
            {
                reactors[i] = (ReactorBase)ReactorFactory.Create(options);
            }
        }
        catch
        {
            foreach (var reactor in reactors)
            {
                reactor?.Dispose();
            }

            throw;
        }

        return new ReactorGroup(reactors, pinThreads);
    }

    /// <summary>
    /// Listens on the same UDP port with every reactor, each with its own protocol instance from
    /// <paramref name="protocolFactory"/>. Port 0 picks a free port for the first and shares it with the rest.
    /// Call from the thread that created the group, before <see cref="Run"/>.
    /// </summary>
    /// <param name="port">The port; 0 picks one.</param>
    /// <param name="protocolFactory">Makes one protocol per reactor.</param>
    /// <param name="interface">The local IP literal to bind (<c>""</c>: 0.0.0.0).</param>
    /// <param name="maxPacketSize">The largest datagram delivered.</param>
    /// <returns>One port per reactor, in reactor order; all have the same local address.</returns>
    /// <exception cref="CannotListenException">A socket could not be bound (e.g. the port is taken without SO_REUSEPORT).</exception>
    public IReadOnlyList<IUdpTransport> ListenUdp(int port, Func<DatagramProtocol> protocolFactory, string @interface = "", int maxPacketSize = 8192)
    {
        ArgumentNullException.ThrowIfNull(protocolFactory);
        var ports = new List<IUdpTransport>(_reactors.Length);
        try
        {
            foreach (var reactor in _reactors)
            {
                reactor.VerifyCanOpen();
                var listening = UdpPort.Listen(reactor, port, protocolFactory(), @interface, maxPacketSize, reuse: true);
                port = listening.GetHost().Port;
                ports.Add(listening);
            }
        }
        catch
        {
            foreach (var listening in ports)
            {
                listening.StopListening();
            }

            throw;
        }

        return ports;
    }

    /// <summary>
    /// Serves one TCP port from every reactor: each reactor gets a listening socket of its own bound with SO_REUSEPORT
    /// (Linux), so the kernel spreads the incoming connections among them and each connection lives on the reactor that
    /// accepted it (docs/multicore.md). With <paramref name="port"/> 0 the first socket picks a port and the others
    /// join it. Call before <see cref="Run"/>.
    /// </summary>
    /// <param name="port">The port; 0 picks one.</param>
    /// <param name="factoryFactory">Makes one factory per reactor (each is used only on its reactor's thread).</param>
    /// <param name="backlog">Each socket's queue of pending connections.</param>
    /// <param name="interface">The local IP literal to bind (<c>""</c>: 0.0.0.0).</param>
    /// <returns>One port per reactor, in reactor order; all have the same local address.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="factoryFactory"/> is null.</exception>
    /// <exception cref="CannotListenException">A socket could not be bound (e.g. the port is taken by a socket without SO_REUSEPORT).</exception>
    public IReadOnlyList<ITcpPort> ListenTcp(int port, Func<Factory> factoryFactory, int backlog = 50, string @interface = "")
    {
        ArgumentNullException.ThrowIfNull(factoryFactory);
        var ports = new List<ITcpPort>(_reactors.Length);
        try
        {
            foreach (var reactor in _reactors)
            {
                reactor.VerifyCanOpen();
                var listening = TcpPort.Listen(reactor, port, factoryFactory(), backlog, @interface, reusePort: true);
                port = listening.GetHost().Port;
                ports.Add(listening);
            }
        }
        catch
        {
            foreach (var listening in ports)
            {
                listening.StopListening();
            }

            throw;
        }

        return ports;
    }

    /// <summary>
    /// Runs every reactor, each on its own thread (reactor 0 on the calling thread), and returns when all have stopped.
    /// </summary>
    /// <exception cref="InvalidOperationException">The group is already running.</exception>
    public void Run()
    {
        if (Interlocked.Exchange(ref _running, 1) == 1)
        {
            throw new InvalidOperationException("The reactor group is already running.");
        }

        var threads = new Thread[_reactors.Length - 1];
        for (var i = 1; i < _reactors.Length; i++)
        {
            var index = i;
            threads[i - 1] = new Thread(() => RunOne(index)) { Name = $"reactor {index}", IsBackground = true };
            threads[i - 1].Start();
        }

        RunOne(0);
        foreach (var thread in threads)
        {
            thread.Join();
        }
    }

    /// <summary>Stops every reactor that is running. Safe to call from any thread, including a reactor's.</summary>
    public void Stop()
    {
        foreach (var reactor in _reactors)
        {
            try
            {
                reactor.Stop();
            }
            catch (ReactorNotRunningException)
            {
                // Already stopped or stopping: nothing to do.
            }
        }
    }

    /// <summary>Releases reactors that never ran (those that ran release themselves when they stop).</summary>
    public void Dispose()
    {
        foreach (var reactor in _reactors)
        {
            if (!reactor.Running)
            {
                reactor.Dispose();
            }
        }
    }

    private void RunOne(int index)
    {
        if (_pinThreads && OperatingSystem.IsLinux())
        {
            // Failure (e.g. a restricted cpuset) just leaves the thread unpinned.
            _ = Interop.PinCurrentThread(index % Environment.ProcessorCount);
        }

        _reactors[index].Run();
    }
}
