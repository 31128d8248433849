using System.Globalization;

namespace Reactor.Samples;

/// <summary>
/// The samples' <c>--stats</c>: counts events (datagrams, commands) and measures the bytes the process allocates in its
/// steady state. The window opens one second after the first event (start-up, JIT tiering and first-peer caching are
/// behind it) and closes when the reactor starts shutting down; <see cref="Print"/> writes
/// "<c>&lt;name&gt;=&lt;n&gt; allocated_bytes=&lt;n&gt;</c>", which the benchmark reads to report allocations per event.
/// </summary>
internal sealed class SteadyStateStats
{
    private static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(1);
    private readonly IReactor _reactor;
    private readonly string _name;
    private long _events;
    private long _windowStartEvents = -1;
    private long _windowStartBytes;
    private long _windowEvents;
    private long _windowBytes;

    public SteadyStateStats(IReactor reactor, string name)
    {
        _reactor = reactor;
        _name = name;
        reactor.AddSystemEventTrigger(SystemEventPhase.Before, SystemEvents.Shutdown, CloseWindow);
    }

    public void Count()
    {
        if (_events++ == 0)
        {
            _reactor.CallLater(WarmUp, OpenWindow);
        }
    }

    public void Print() =>
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{_name}={_windowEvents} allocated_bytes={_windowBytes}"));

    private void OpenWindow()
    {
        _windowStartEvents = _events;
        _windowStartBytes = GC.GetTotalAllocatedBytes(precise: true);
    }

    private void CloseWindow()
    {
        if (_windowStartEvents >= 0)
        {
            _windowBytes = GC.GetTotalAllocatedBytes(precise: true) - _windowStartBytes;
            _windowEvents = _events - _windowStartEvents;
        }
    }
}
