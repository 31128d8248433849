using System.Diagnostics;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Reactor.Hosting.Internal;

/// <summary>
/// The hosted reactor's health: a tick scheduled on the reactor thread (<see cref="IReactorThreads.CallFromThread"/>)
/// must be answered within <see cref="_timeout"/>, and every configured endpoint must still listen.
/// </summary>
/// <remarks>
/// At most one tick is outstanding: a check that finds one still unanswered waits on it (or reports it late) instead of
/// queueing another, so a stuck reactor does not pile up ticks. The wait is bounded by the timeout and the caller's
/// token; the health-check thread never blocks. The endpoints are read inside the tick, on the reactor thread.
/// </remarks>
internal sealed class ReactorHealthCheck(ReactorHostedService service, TimeSpan timeout) : IHealthCheck
{
    private readonly TimeSpan _timeout = timeout;
    private readonly Lock _lock = new();
    private Task<Tick>? _outstanding;
    private long _sentAt;
    private double? _lastLatencyMs;
    private int _ticksSent;

    /// <summary>How many ticks this check has scheduled on the reactor (tests: one outstanding at most).</summary>
    internal int TicksSent => Volatile.Read(ref _ticksSent);

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var failureStatus = context.Registration?.FailureStatus ?? HealthStatus.Unhealthy;
        if (service.Finished.IsCompleted)
        {
            return new HealthCheckResult(failureStatus, "The reactor has stopped.");
        }

        if (!service.Started.IsCompleted)
        {
            return new HealthCheckResult(HealthStatus.Degraded, "The reactor is starting: its endpoints are not all listening yet.");
        }

        if (service.Started.IsFaulted)
        {
            return new HealthCheckResult(failureStatus, "The reactor's start failed.", service.Started.Exception?.InnerException);
        }

        Task<Tick> tick;
        long sentAt;
        lock (_lock)
        {
            if (_outstanding is null)
            {
                _sentAt = Stopwatch.GetTimestamp();
                _outstanding = SendTick(_sentAt);
            }

            tick = _outstanding;
            sentAt = _sentAt;
        }

        // Wait out the bound, measured from when the tick was sent (a timer may fire a little early: wait again).
        while (!tick.IsCompleted)
        {
            var left = _timeout - Stopwatch.GetElapsedTime(sentAt);
            if (left <= TimeSpan.Zero)
            {
                break;
            }

            try
            {
                await tick.WaitAsync(left, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                // Reported below, once the bound has passed.
            }
        }

        if (!tick.IsCompletedSuccessfully)
        {
            var waiting = Stopwatch.GetElapsedTime(sentAt);
            var data = new Dictionary<string, object>
            {
                ["tick_outstanding_ms"] = Math.Round(waiting.TotalMilliseconds, 1),
                ["timeout_ms"] = _timeout.TotalMilliseconds,
            };
            if (_lastLatencyMs is { } last)
            {
                data["last_tick_latency_ms"] = last;
            }

            return new HealthCheckResult(
                failureStatus,
                $"The reactor thread has not answered a tick for {waiting.TotalMilliseconds:0} ms (bound {_timeout.TotalMilliseconds:0} ms): a callback is blocking it.",
                data: data);
        }

        var answer = tick.Result;
        var result = new Dictionary<string, object> { ["tick_latency_ms"] = Math.Round(answer.LatencyMs, 3) };
        var down = new List<string>();
        foreach (var (name, state) in answer.Endpoints)
        {
            result[$"endpoint:{name}"] = state;
            if (state != "listening")
            {
                down.Add($"'{name}' is {state}");
            }
        }

        return down.Count == 0
            ? HealthCheckResult.Healthy($"The reactor thread answered in {answer.LatencyMs:0.###} ms; {answer.Endpoints.Count} endpoint(s) listening.", result)
            : new HealthCheckResult(failureStatus, $"Reactor endpoint(s) not listening: {string.Join(", ", down)}.", data: result);
    }

    private Task<Tick> SendTick(long sentAt)
    {
        var answered = new TaskCompletionSource<Tick>(TaskCreationOptions.RunContinuationsAsynchronously);
        Interlocked.Increment(ref _ticksSent);
        service.Reactor.CallFromThread(() =>
        {
            var latency = Stopwatch.GetElapsedTime(sentAt).TotalMilliseconds;
            var endpoints = service.Endpoints?.Statuses.Select(s => (s.Name, s.State)).ToList() ?? [];
            lock (_lock)
            {
                _outstanding = null;
                _lastLatencyMs = Math.Round(latency, 3);
            }

            answered.TrySetResult(new Tick(latency, endpoints));
        });
        return answered.Task;
    }

    private sealed record Tick(double LatencyMs, List<(string Name, string State)> Endpoints);
}
