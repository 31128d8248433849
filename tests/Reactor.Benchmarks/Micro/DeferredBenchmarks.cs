using BenchmarkDotNet.Attributes;

namespace Reactor.Benchmarks.Micro;

/// <summary>Deferred chains: a callback chain of 10 and <c>await</c> of a fired and of a pending Deferred.</summary>
[MemoryDiagnoser]
public class DeferredBenchmarks
{
    private static readonly Func<int, int> AddOne = static x => x + 1;

    /// <summary>New Deferred, 10 callbacks added, then fired (Twisted's usual shape: build the chain, fire later).</summary>
    [Benchmark]
    public int CallbackChainOf10()
    {
        var deferred = new Deferred<int>();
        for (var i = 0; i < 10; i++)
        {
            deferred.AddCallback(AddOne);
        }

        var result = 0;
        deferred.AddCallback(r => result = r);
        deferred.Callback(0);
        return result;
    }

    /// <summary>Fired first, then 10 callbacks (each runs as it is added).</summary>
    [Benchmark]
    public int CallbacksOnAFiredDeferred()
    {
        var deferred = Deferred.Succeed(0);
        for (var i = 0; i < 10; i++)
        {
            deferred.AddCallback(AddOne);
        }

        var result = 0;
        deferred.AddCallback(r => result = r);
        return result;
    }

    /// <summary><c>await</c> of a Deferred that already has its result (completes synchronously).</summary>
    [Benchmark]
    public int AwaitFired() => AwaitAsync(Deferred.Succeed(1)).GetAwaiter().GetResult();

    /// <summary>
    /// <c>await</c> of a pending Deferred, then firing it: suspend, resume inside the callback chain (no
    /// SynchronizationContext here, so the continuation runs inline, as a Twisted coroutine resumes).
    /// </summary>
    [Benchmark]
    public int AwaitPending()
    {
        var deferred = new Deferred<int>();
        var task = AwaitAsync(deferred);
        deferred.Callback(1);
        return task.GetAwaiter().GetResult();
    }

    private static async Task<int> AwaitAsync(Deferred<int> deferred) => await deferred + 1;
}
