namespace Reactor.Tests.Deferreds;

/// <summary>A fake <see cref="IReactorTime"/> whose time only moves when a test calls <see cref="Advance"/> (Twisted's <c>task.Clock</c>).</summary>
internal sealed class ManualTime : IReactorTime
{
    private readonly List<ManualDelayedCall> _calls = [];
    private double _now;

    public double Seconds() => _now;

    public IDelayedCall CallLater(TimeSpan delay, Action callback)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(delay, TimeSpan.Zero);
        ArgumentNullException.ThrowIfNull(callback);
        var call = new ManualDelayedCall(this, _now + delay.TotalSeconds, callback);
        _calls.Add(call);
        return call;
    }

    public IReadOnlyList<IDelayedCall> GetDelayedCalls() => _calls.Where(c => c.Active).ToList();

    /// <summary>Moves time forward and runs every call that became due, in due-time then scheduling order.</summary>
    public void Advance(TimeSpan amount)
    {
        _now += amount.TotalSeconds;
        while (true)
        {
            ManualDelayedCall? due = _calls.Where(c => c.Active && c.Time <= _now).OrderBy(c => c.Time).FirstOrDefault();
            if (due is null)
            {
                return;
            }

            due.Run();
        }
    }

    private sealed class ManualDelayedCall(ManualTime clock, double time, Action callback) : IDelayedCall
    {
        public double Time { get; private set; } = time;

        public bool Active => !Called && !Cancelled;

        public bool Called { get; private set; }

        public bool Cancelled { get; private set; }

        public void Cancel()
        {
            if (Called)
            {
                throw new AlreadyCalledException();
            }

            if (Cancelled)
            {
                throw new AlreadyCancelledException();
            }

            Cancelled = true;
        }

        public void Reset(TimeSpan delayFromNow) => Time = clock.Seconds() + delayFromNow.TotalSeconds;

        public void Delay(TimeSpan delay) => Time += delay.TotalSeconds;

        internal void Run()
        {
            Called = true;
            callback();
        }
    }
}
