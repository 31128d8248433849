namespace Reactor;

/// <summary>
/// Calls a function repeatedly, every <see cref="Interval"/>, on an <see cref="IReactorTime"/> (Twisted's
/// <c>task.LoopingCall</c>).
/// </summary>
/// <remarks>
/// <para>Calls are aligned to multiples of the interval from <see cref="Start"/>: when a call runs late (or a Deferred it
/// returned fired late), the intervals that have already passed are skipped and the next call is at the next multiple.
/// <see cref="WithCount"/> tells the function how many intervals passed.</para>
/// <para>When the function returns a <see cref="Deferred"/>, the next call is scheduled only after it fires. When the
/// function throws, or its Deferred fails, the loop stops and the Deferred from <see cref="Start"/> fails.</para>
/// </remarks>
/// <example>
/// <code>
/// var loop = new LoopingCall(reactor, () => Console.WriteLine("tick"));
/// loop.Start(TimeSpan.FromSeconds(1));   // calls now, then every second
/// </code>
/// </example>
public sealed class LoopingCall
{
    private readonly Func<Deferred?> _function;
    private Deferred<LoopingCall>? _deferred;
    private IDelayedCall? _call;
    private long _startTicks;
    private bool _runAtStart;
    private long? _lastCountTicks;

    /// <summary>Creates a loop that calls <paramref name="function"/>.</summary>
    /// <param name="clock">The time source: a reactor, or a <see cref="Testing.Clock"/> in tests.</param>
    /// <param name="function">What to call.</param>
    public LoopingCall(IReactorTime clock, Action function)
    {
        ArgumentNullException.ThrowIfNull(clock);
        ArgumentNullException.ThrowIfNull(function);
        Clock = clock;
        _function = () =>
        {
            function();
            return null;
        };
    }

    /// <summary>Creates a loop that calls <paramref name="function"/>, waiting for the Deferred it returns (if any) before scheduling the next call.</summary>
    /// <param name="clock">The time source: a reactor, or a <see cref="Testing.Clock"/> in tests.</param>
    /// <param name="function">What to call.</param>
    public LoopingCall(IReactorTime clock, Func<Deferred?> function)
    {
        ArgumentNullException.ThrowIfNull(clock);
        ArgumentNullException.ThrowIfNull(function);
        Clock = clock;
        _function = function;
    }

    /// <summary>The time source the loop schedules on.</summary>
    public IReactorTime Clock { get; }

    /// <summary><c>true</c> between <see cref="Start"/> and <see cref="Stop"/> (or a failure).</summary>
    public bool Running { get; private set; }

    /// <summary>The interval given to <see cref="Start"/>.</summary>
    public TimeSpan Interval { get; private set; }

    /// <summary>
    /// Creates a loop whose function receives the number of intervals that have passed since it last ran: 1 normally,
    /// more when calls were skipped because one ran late (Twisted's <c>LoopingCall.withCount</c>).
    /// </summary>
    /// <param name="clock">The time source.</param>
    /// <param name="countCallback">What to call, with the count.</param>
    /// <returns>The loop, not yet started.</returns>
    public static LoopingCall WithCount(IReactorTime clock, Action<int> countCallback)
    {
        ArgumentNullException.ThrowIfNull(countCallback);
        LoopingCall? loop = null;
        loop = new LoopingCall(clock, () => loop!.CountIntervals(countCallback));
        return loop;
    }

    /// <summary>Starts calling the function every <paramref name="interval"/>.</summary>
    /// <param name="interval">Time between calls; zero calls it on every iteration of the loop.</param>
    /// <param name="now">Call the function immediately (the default) rather than after the first interval.</param>
    /// <returns>A Deferred that fires with this loop when it is stopped, or fails with the function's exception.</returns>
    /// <exception cref="InvalidOperationException">The loop is already running.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="interval"/> is negative.</exception>
    public Deferred<LoopingCall> Start(TimeSpan interval, bool now = true)
    {
        if (Running)
        {
            throw new InvalidOperationException("Tried to start an already running LoopingCall.");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(interval, TimeSpan.Zero);
        Running = true;
        var deferred = _deferred = new Deferred<LoopingCall>();
        if (Clock is Internal.ReactorBase reactor)
        {
            deferred.SetOwner(reactor);
        }

        _startTicks = NowTicks();
        Interval = interval;
        _runAtStart = now;
        _lastCountTicks = null;
        if (now)
        {
            CallFunction();
        }
        else
        {
            ScheduleFrom(_startTicks);
        }

        return deferred;
    }

    /// <summary>Stops the loop; the Deferred from <see cref="Start"/> fires with this loop (at once, or when a Deferred the function returned fires).</summary>
    /// <exception cref="InvalidOperationException">The loop is not running.</exception>
    public void Stop()
    {
        if (!Running)
        {
            throw new InvalidOperationException("Tried to stop a LoopingCall that was not running.");
        }

        Running = false;
        if (_call is not null)
        {
            _call.Cancel();
            _call = null;
            FireStopped();
        }
    }

    /// <summary>Restarts the interval from now: the next call is one interval away.</summary>
    /// <exception cref="InvalidOperationException">The loop is not running.</exception>
    public void Reset()
    {
        if (!Running)
        {
            throw new InvalidOperationException("Tried to reset a LoopingCall that was not running.");
        }

        if (_call is not null)
        {
            _call.Cancel();
            _call = null;
            _startTicks = NowTicks();
            ScheduleFrom(_startTicks);
        }
    }

    /// <inheritdoc/>
    public override string ToString() => $"LoopingCall<{Interval}>({_function.Method.Name})";

    private long NowTicks() => (long)Math.Round(Clock.Seconds() * TimeSpan.TicksPerSecond);

    private void CallFunction()
    {
        _call = null;
        Deferred? result;
        try
        {
            result = _function();
        }
        catch (Exception e)
        {
            Fail(new Failure(e));
            return;
        }

        if (result is null)
        {
            AfterCall();
            return;
        }

        result.AddCallbacksUntyped(
            value =>
            {
                AfterCall();
                return value;
            },
            failure =>
            {
                Fail(failure);
                return null;
            });
    }

    private void AfterCall()
    {
        if (Running)
        {
            ScheduleFrom(NowTicks());
        }
        else
        {
            FireStopped();
        }
    }

    private void Fail(Failure failure)
    {
        Running = false;
        var deferred = _deferred!;
        _deferred = null;
        deferred.Errback(failure);
    }

    private void FireStopped()
    {
        var deferred = _deferred!;
        _deferred = null;
        deferred.Callback(this);
    }

    /// <summary>Schedules the next call at the next multiple of the interval after <paramref name="whenTicks"/>.</summary>
    private void ScheduleFrom(long whenTicks)
    {
        var interval = Interval.Ticks;
        long delay;
        if (interval == 0)
        {
            delay = 0;
        }
        else
        {
            var runningFor = whenTicks - _startTicks;
            delay = interval - (runningFor % interval);
        }

        _call = Clock.CallLater(TimeSpan.FromTicks(delay), CallFunction);
    }

    private void CountIntervals(Action<int> countCallback)
    {
        var now = NowTicks();
        var interval = Interval.Ticks;
        if (interval == 0)
        {
            _lastCountTicks = now;
            countCallback(1);
            return;
        }

        var last = _lastCountTicks ?? (_runAtStart ? _startTicks - interval : _startTicks);
        var count = IntervalOf(now, interval) - IntervalOf(last, interval);
        if (count > 0)
        {
            _lastCountTicks = now;
            countCallback((int)count);
        }
    }

    private long IntervalOf(long ticks, long interval) => (long)Math.Floor((ticks - _startTicks) / (double)interval);
}
