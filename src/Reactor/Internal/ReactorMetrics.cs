using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Reactor.Internal;

/// <summary>
/// The library's <see cref="Meter"/>, named <c>Reactor</c>, and its instruments (OpenTelemetry-style names and units;
/// the list, with meanings, is in <c>docs/logging-and-metrics.md</c>).
/// </summary>
/// <remarks>
/// This class holds the meter and the loop's own instruments; each transport keeps its instruments beside its code, on
/// the same meter. The loop's histograms are recorded only while a listener has enabled them, so the loop pays nothing
/// when nobody collects.
/// </remarks>
internal static class ReactorMetrics
{
    internal const string MeterName = "Reactor";

    /// <summary>The <c>reactor.callback.kind</c> tag's values.</summary>
    internal const string TimerKind = "timer";
    internal const string ThreadCallKind = "call_from_thread";

    internal static readonly Meter Meter = new(MeterName, typeof(ReactorMetrics).Assembly.GetName().Version?.ToString(3));

    // Callbacks take microseconds; timers are late by up to a loop iteration. Seconds, as OpenTelemetry asks.
    private static readonly InstrumentAdvice<double> SecondsBuckets = new()
    {
        HistogramBucketBoundaries = [0.000_001, 0.000_01, 0.000_1, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10],
    };

    internal static readonly Counter<long> LoopIterations = Meter.CreateCounter<long>(
        "reactor.loop.iterations", "{iteration}", "Iterations of reactor loops: each runs due calls, then waits for and dispatches I/O.");

    internal static readonly Histogram<double> CallbackDuration = Meter.CreateHistogram(
        "reactor.callback.duration", "s", "How long a timed call or a call from another thread ran on the reactor thread.", tags: null, advice: SecondsBuckets);

    internal static readonly Histogram<double> TimerLateness = Meter.CreateHistogram(
        "reactor.timer.lateness", "s", "How long after its due time a timed call started.", tags: null, advice: SecondsBuckets);

    /// <summary>Runs a timed call, recording its lateness and duration when those instruments are enabled.</summary>
    internal static void RunTimedCall(Action callback, long latenessTicks)
    {
        if (TimerLateness.Enabled)
        {
            TimerLateness.Record(latenessTicks / (double)TimeSpan.TicksPerSecond);
        }

        if (!CallbackDuration.Enabled)
        {
            callback();
            return;
        }

        var start = Stopwatch.GetTimestamp();
        try
        {
            callback();
        }
        finally
        {
            RecordCallbackDuration(start, TimerKind);
        }
    }

    /// <summary>Records how long a callback that started at <paramref name="startTimestamp"/> ran.</summary>
    internal static void RecordCallbackDuration(long startTimestamp, string kind) =>
        CallbackDuration.Record(Stopwatch.GetElapsedTime(startTimestamp).TotalSeconds, new KeyValuePair<string, object?>("reactor.callback.kind", kind));
}
