using Microsoft.Extensions.Logging;

namespace Reactor.Internal;

/// <summary>
/// The reactor's bounded pool for blocking work (Twisted's reactor thread pool, <c>ThreadPool(0, 10)</c>): at most
/// <see cref="MaxWorkers"/> items run at once on .NET thread-pool threads; the rest wait in order.
/// </summary>
internal sealed class WorkerPool
{
    private readonly Lock _lock = new();
    private readonly Queue<Action> _queue = new();
    private readonly ILogger _logger;
    private int _active;
    private bool _stopped;

    internal WorkerPool(int maxWorkers, ILogger logger)
    {
        MaxWorkers = maxWorkers;
        _logger = logger;
    }

    internal int MaxWorkers { get; set; }

    internal void Enqueue(Action work)
    {
        var startWorker = false;
        lock (_lock)
        {
            if (_stopped)
            {
                throw new InvalidOperationException("The reactor's worker pool has stopped (the reactor shut down).");
            }

            _queue.Enqueue(work);
            if (_active < MaxWorkers)
            {
                _active++;
                startWorker = true;
            }
        }

        if (startWorker)
        {
            ThreadPool.UnsafeQueueUserWorkItem(static pool => pool.Work(), this, preferLocal: false);
        }
    }

    /// <summary>Stops taking work; work not yet started is dropped and logged. Work already running finishes.</summary>
    internal void Stop()
    {
        int dropped;
        lock (_lock)
        {
            _stopped = true;
            dropped = _queue.Count;
            _queue.Clear();
        }

        if (dropped > 0)
        {
            ReactorLog.WorkDroppedAtShutdown(_logger, dropped);
        }
    }

    private void Work()
    {
        while (true)
        {
            Action work;
            lock (_lock)
            {
                if (_queue.Count == 0 || _active > MaxWorkers)
                {
                    _active--;
                    return;
                }

                work = _queue.Dequeue();
            }

            try
            {
                work();
            }
            catch (Exception e)
            {
                ReactorLog.WorkerFailed(_logger, e);
            }
        }
    }
}
