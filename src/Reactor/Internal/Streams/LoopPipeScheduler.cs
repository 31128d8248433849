using System.Collections.Concurrent;
using System.IO.Pipelines;

namespace Reactor.Internal.Streams;

/// <summary>
/// The <see cref="PipeScheduler"/> of a reactor's pipes (<c>PipeProtocol</c>): every continuation a pipe wakes —
/// an <c>await</c> on <see cref="PipeReader.ReadAsync"/> or <see cref="PipeWriter.FlushAsync"/>, the pump's own — runs
/// on the reactor thread, after the current callback has returned, never inline and never on the thread pool
/// (stream-anchors.md §2.2, "a loop scheduler").
/// </summary>
/// <remarks>
/// <para>On the reactor thread, <see cref="Schedule"/> appends to a list and asks for one soon-call per drain, so it
/// takes no lock and allocates nothing. From another thread (an application that wrote to its pipe after awaiting
/// something else) it appends to a concurrent queue and posts one wake-up until the loop has taken what was queued.</para>
/// <para>A drain is a stream dispatch (<see cref="StreamLoop.BeginDispatch"/>): what its continuations write to their
/// transports is gathered and sent with one system call per connection when it ends, as inside
/// <see cref="Protocol.DataReceived"/>. Continuations scheduled while it runs (the pump's send after the application's
/// flush) run in the same drain, up to <see cref="MaxRounds"/> rounds, so an echo costs one loop iteration; past that
/// the rest wait for the next iteration, so two pipes that keep waking each other cannot starve I/O and timers.</para>
/// </remarks>
internal sealed class LoopPipeScheduler : PipeScheduler
{
    /// <summary>Rounds of newly scheduled continuations one drain runs before it yields to the loop.</summary>
    internal const int MaxRounds = 8;

    private static readonly SendOrPostCallback DrainSoon = static state => ((LoopPipeScheduler)state!).Drain();
    private static readonly SendOrPostCallback DrainPosted = static state => ((LoopPipeScheduler)state!).DrainFromOtherThreads();

    private readonly ReactorBase _reactor;
    private readonly StreamLoop _streams;
    private readonly ConcurrentQueue<Continuation> _fromOtherThreads = new();
    private List<Continuation> _incoming = new(16);
    private List<Continuation> _running = new(16);
    private bool _drainRequested;
    private int _postRequested;

    internal LoopPipeScheduler(ReactorBase reactor, StreamLoop streams)
    {
        _reactor = reactor;
        _streams = streams;
    }

    /// <summary>Continuations waiting for the next drain (for tests).</summary>
    internal int Pending => _incoming.Count + _fromOtherThreads.Count;

    public override void Schedule(Action<object?> action, object? state)
    {
        ArgumentNullException.ThrowIfNull(action);
        if (_reactor.IsInReactorThread)
        {
            _incoming.Add(new Continuation(action, state));
            RequestDrain();
            return;
        }

        _fromOtherThreads.Enqueue(new Continuation(action, state));
        if (Interlocked.Exchange(ref _postRequested, 1) == 0)
        {
            _reactor.PostFromAnyThread(DrainPosted, this);
        }
    }

    private void RequestDrain()
    {
        if (!_drainRequested)
        {
            _drainRequested = true;
            _reactor.CallSoon(DrainSoon, this);
        }
    }

    private void DrainFromOtherThreads()
    {
        // Cleared before taking, so a continuation queued after the last dequeue posts again.
        Volatile.Write(ref _postRequested, 0);
        while (_fromOtherThreads.TryDequeue(out var continuation))
        {
            _incoming.Add(continuation);
        }

        if (_incoming.Count > 0 && !_drainRequested)
        {
            _drainRequested = true;
            Drain();
        }
    }

    private void Drain()
    {
        // _drainRequested stays set while draining: what is scheduled now joins the next round, not another soon-call.
        _streams.BeginDispatch();
        try
        {
            for (var round = 0; round < MaxRounds && _incoming.Count > 0; round++)
            {
                (_incoming, _running) = (_running, _incoming);
                var batch = _running;
                for (var i = 0; i < batch.Count; i++)
                {
                    var continuation = batch[i];
                    try
                    {
                        continuation.Action(continuation.State);
                    }
                    catch (Exception e)
                    {
                        // An async method's continuation never throws (its Task takes the exception); a completion
                        // callback registered on a pipe might. The loop survives it, as any callback's.
                        _reactor.LogCallbackError(nameof(LoopPipeScheduler), e);
                    }
                }

                batch.Clear();
            }
        }
        finally
        {
            _drainRequested = false;
            _streams.EndDispatch();
        }

        // Left over after the last round, or scheduled by the services the dispatch's end ran (a ConnectionLost).
        if (_incoming.Count > 0)
        {
            RequestDrain();
        }
    }

    private readonly record struct Continuation(Action<object?> Action, object? State);
}
