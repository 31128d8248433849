using BenchmarkDotNet.Attributes;
using Reactor.Internal;

namespace Reactor.Benchmarks.Micro;

/// <summary>
/// The timer heap (<c>TimerQueue</c>, behind <c>CallLater</c>): schedule, cancel, reset and run, with <see cref="Pending"/>
/// other calls already in the heap (the heap operations are O(log n)). Each schedule allocates its <c>DelayedCall</c>
/// handle — the handle is the API — and nothing else should.
/// </summary>
[MemoryDiagnoser]
public class TimerQueueBenchmarks
{
    private const int Calls = 100;
    private static readonly Action Nothing = static () => { };
    private static readonly Action<Exception> Ignore = static _ => { };

    private readonly DelayedCall[] _batch = new DelayedCall[Calls];
    private TimerQueue _queue = null!;
    private long _now;
    private DelayedCall _resettable = null!;

    [Params(10, 10_000)]
    public int Pending { get; set; }

    [GlobalSetup]
    public void SetUp()
    {
        _now = 0;
        _queue = new TimerQueue(() => _now, static () => { });
        for (var i = 0; i < Pending; i++)
        {
            // Far in the future, spread out: the heap the measured calls work against.
            _queue.Schedule(TimeSpan.FromHours(1) + TimeSpan.FromMilliseconds(i), Nothing);
        }

        _resettable = (DelayedCall)_queue.Schedule(TimeSpan.FromMinutes(30), Nothing);
    }

    /// <summary>CallLater then Cancel (a timeout that did not fire: the common case).</summary>
    [Benchmark(OperationsPerInvoke = Calls)]
    public void ScheduleThenCancel()
    {
        for (var i = 0; i < Calls; i++)
        {
            _batch[i] = _queue.Schedule(TimeSpan.FromSeconds(i + 1), Nothing);
        }

        for (var i = 0; i < Calls; i++)
        {
            _batch[i].Cancel();
        }
    }

    /// <summary>CallLater of calls due now, then one pass of the loop running them.</summary>
    [Benchmark(OperationsPerInvoke = Calls)]
    public int ScheduleThenRunDue()
    {
        for (var i = 0; i < Calls; i++)
        {
            _queue.Schedule(TimeSpan.Zero, Nothing);
        }

        return _queue.RunDue(_now, Ignore);
    }

    /// <summary>Reset of a pending call (a timeout pushed back by activity).</summary>
    [Benchmark]
    public void Reset() => _resettable.Reset(TimeSpan.FromMinutes(30));
}
