namespace Reactor.Tests.Support;

/// <summary>
/// Measures the bytes the reactor thread allocates (GC.GetAllocatedBytesForCurrentThread) over a steady state of a
/// hot path: from the <c>start</c>-th event to the <c>end</c>-th, counted by <see cref="Count"/> from the protocol's
/// callback; at the end it calls <c>stop</c>. Used by the UDP and TCP echo-path allocation tests.
/// </summary>
internal sealed class AllocationWindow(int start, int end, Action stop)
{
    private long _count;
    private long _startBytes;
    private volatile bool _done;

    /// <summary>Events counted.</summary>
    public long Events => _count;

    /// <summary>Whether the window has closed (readable from any thread).</summary>
    public bool Done => _done;

    /// <summary>Bytes allocated on the reactor thread inside the window.</summary>
    public long AllocatedBytes { get; private set; }

    /// <summary>Events inside the window.</summary>
    public int Measured => end - start;

    /// <summary>Counts one event; <c>true</c> while the protocol should go on answering (before the window closes).</summary>
    public bool Count()
    {
        var count = ++_count;
        if (count == start)
        {
            _startBytes = GC.GetAllocatedBytesForCurrentThread();
        }
        else if (count == end)
        {
            AllocatedBytes = GC.GetAllocatedBytesForCurrentThread() - _startBytes;
            _done = true;
            stop();
        }

        return !_done;
    }

    /// <summary>
    /// Asserts the path allocated nothing per event: at most one stray runtime object (64 bytes) on epoll; under a byte
    /// per event on the portable backend, where .NET's socket engine may allocate now and then while re-arming its
    /// readiness probe (amortised, far below a byte).
    /// </summary>
    public void ShouldHaveAllocatedNothingPerEvent(ReactorBackend backend, string path, string events)
    {
        Done.Should().BeTrue("the window must have closed");
        if (backend == ReactorBackend.Epoll)
        {
            // In a full test run one object of the runtime's own (at most 64 bytes, seen once as 32) is occasionally
            // allocated on the thread during the window: a one-off, not a cost per event.
            AllocatedBytes.Should().BeLessThanOrEqualTo(64, $"{path} must not allocate ({AllocatedBytes} bytes over {Measured} {events})");
        }
        else
        {
            ((double)AllocatedBytes / Measured).Should().BeLessThan(1, $"{AllocatedBytes} bytes over {Measured} {events}");
        }
    }
}
