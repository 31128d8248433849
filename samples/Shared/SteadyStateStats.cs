namespace Reactor.Samples;

/// <summary>
/// The servers' <c>--stats</c>: counts what a server handles (datagrams, reads) and measures the bytes the process
/// allocates in its steady state. The window opens one second after the first event (start-up, JIT and first-peer
/// caching are behind it) and closes when the reactor starts shutting down; every figure is the window's.
/// </summary>
internal sealed class SteadyStateStats
{
    private static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(1);
    private readonly IReactor _reactor;
    private long _events;
    private long _bytes;
    private long _windowStartEvents = -1;
    private long _windowStartBytes;
    private long _windowStartAllocated;

    public SteadyStateStats(IReactor reactor)
    {
        _reactor = reactor;
        reactor.AddSystemEventTrigger(SystemEventPhase.Before, SystemEvents.Shutdown, CloseWindow);
    }

    /// <summary>Events counted in the window.</summary>
    public long Events { get; private set; }

    /// <summary>Bytes those events carried.</summary>
    public long Bytes { get; private set; }

    /// <summary>Bytes the whole process allocated in the window (<see cref="GC.GetTotalAllocatedBytes"/>).</summary>
    public long AllocatedBytes { get; private set; }

    /// <summary>Counts one event (a command, where bytes mean nothing). Allocates nothing.</summary>
    public void Count() => Count(0);

    /// <summary>Counts one event of <paramref name="bytes"/> bytes. Allocates nothing.</summary>
    public void Count(int bytes)
    {
        if (_events++ == 0)
        {
            _reactor.CallLater(WarmUp, OpenWindow);
        }

        _bytes += bytes;
    }

    private void OpenWindow()
    {
        _windowStartEvents = _events;
        _windowStartBytes = _bytes;
        _windowStartAllocated = GC.GetTotalAllocatedBytes(precise: true);
    }

    private void CloseWindow()
    {
        if (_windowStartEvents >= 0)
        {
            AllocatedBytes = GC.GetTotalAllocatedBytes(precise: true) - _windowStartAllocated;
            Events = _events - _windowStartEvents;
            Bytes = _bytes - _windowStartBytes;
        }
    }
}
