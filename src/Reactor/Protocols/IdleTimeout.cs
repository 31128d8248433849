namespace Reactor.Protocols;

/// <summary>
/// An inactivity timeout for a protocol, on the reactor's clock (Twisted's <c>policies.TimeoutMixin</c>): set a period
/// with <see cref="SetTimeout"/>, call <see cref="ResetTimeout"/> whenever the peer shows signs of life (usually at the
/// top of <see cref="Protocol.DataReceived"/>), and when a whole period passes without a reset the timeout action runs —
/// by default the connection is closed cleanly (<see cref="ITransport.LoseConnection"/>).
/// </summary>
/// <remarks>
/// <para>A helper the protocol holds, not a base class: a .NET protocol already derives from <see cref="Protocol"/>,
/// <see cref="LineReceiver"/> or another receiver, and C# has no mixins, so a timeout base class would force a choice
/// between it and the framing. One field and three calls give any protocol the behaviour.</para>
/// <para>As Twisted: <see cref="SetTimeout"/> returns the previous period; <c>null</c> turns the timeout off; once it has
/// fired, <see cref="ResetTimeout"/> does nothing until <see cref="SetTimeout"/> arms it again. Turn it off in
/// <see cref="Protocol.ConnectionLost"/> so no timer outlives the connection. Reactor thread only.</para>
/// </remarks>
/// <example>
/// <code>
/// sealed class Session(IReactorTime clock) : LineReceiver
/// {
///     private IdleTimeout? _idle;
///     public override void ConnectionMade() =&gt; (_idle = new IdleTimeout(clock, this)).SetTimeout(TimeSpan.FromSeconds(30));
///     public override void LineReceived(ReadOnlySpan&lt;byte&gt; line) { _idle!.ResetTimeout(); SendLine(line); }
///     public override void ConnectionLost(Failure reason) =&gt; _idle?.SetTimeout(null);
/// }
/// </code>
/// </example>
public sealed class IdleTimeout
{
    private readonly IReactorTime _clock;
    private readonly Action _timeoutConnection;
    private readonly Action _timedOut;
    private IDelayedCall? _call;

    /// <summary>A timeout that closes <paramref name="protocol"/>'s connection when it fires (Twisted's default <c>timeoutConnection</c>).</summary>
    /// <param name="clock">The reactor (or a <see cref="Testing.Clock"/> in tests) whose time the period is measured on.</param>
    /// <param name="protocol">The protocol whose transport is closed with <see cref="ITransport.LoseConnection"/>.</param>
    public IdleTimeout(IReactorTime clock, Protocol protocol)
        : this(clock, () => protocol.Transport?.LoseConnection())
    {
        ArgumentNullException.ThrowIfNull(protocol);
    }

    /// <summary>A timeout that runs <paramref name="timeoutConnection"/> when it fires (Twisted's overridden <c>timeoutConnection</c>).</summary>
    /// <param name="clock">The reactor (or a <see cref="Testing.Clock"/> in tests) whose time the period is measured on.</param>
    /// <param name="timeoutConnection">What to do after a whole period without <see cref="ResetTimeout"/>, for example abort the connection or send a goodbye first.</param>
    public IdleTimeout(IReactorTime clock, Action timeoutConnection)
    {
        ArgumentNullException.ThrowIfNull(clock);
        ArgumentNullException.ThrowIfNull(timeoutConnection);
        _clock = clock;
        _timeoutConnection = timeoutConnection;
        _timedOut = TimedOut;
    }

    /// <summary>The period now, or <c>null</c> when the timeout is off.</summary>
    public TimeSpan? Period { get; private set; }

    /// <summary>Whether a countdown is running (a period is set and it has not fired since it was set).</summary>
    public bool Pending => _call is { Active: true };

    /// <summary>
    /// Sets the period and starts the countdown again from now; <c>null</c> turns the timeout off. Returns the previous
    /// period (Twisted's <c>setTimeout</c>).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="period"/> is negative.</exception>
    public TimeSpan? SetTimeout(TimeSpan? period)
    {
        if (period is { } value)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, TimeSpan.Zero, nameof(period));
        }

        var previous = Period;
        Period = period;
        if (_call is { Active: true } call)
        {
            if (period is { } delay)
            {
                call.Reset(delay);
            }
            else
            {
                call.Cancel();
                _call = null;
            }
        }
        else if (period is { } delay)
        {
            _call = _clock.CallLater(delay, _timedOut);
        }

        return previous;
    }

    /// <summary>Starts the countdown again from now, if one is running (call it on every sign of the peer's activity).</summary>
    public void ResetTimeout()
    {
        if (Period is { } period && _call is { Active: true } call)
        {
            call.Reset(period);
        }
    }

    private void TimedOut()
    {
        _call = null;
        _timeoutConnection();
    }
}
