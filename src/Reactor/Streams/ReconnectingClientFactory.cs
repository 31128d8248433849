using Reactor.Internal.Streams;

namespace Reactor;

/// <summary>
/// A <see cref="ClientFactory"/> that connects again with exponential back-off (Twisted's
/// <c>ReconnectingClientFactory</c>): when an attempt fails or an established connection is lost, it waits and calls the
/// connector's <see cref="IConnector.Connect"/> again — <see cref="InitialDelay"/> before the first retry, then
/// <see cref="Factor"/> times longer each time up to <see cref="MaxDelay"/>, each wait jittered at random so that many
/// clients that lost the same server do not come back in step. Subclass it and override <see cref="Factory.BuildProtocol"/>.
/// </summary>
/// <remarks>
/// <para><b>Call <see cref="ResetDelay"/> once connected</b> (in <see cref="Factory.BuildProtocol"/> or the protocol's
/// <see cref="Protocol.ConnectionMade"/>): nothing calls it for you, as in Twisted, so without it the retry after a lost
/// connection waits as long as the failures before it had grown to, and <see cref="MaxRetries"/> counts across
/// connections.</para>
/// <para>With the defaults, retry <i>n</i> waits min(<see cref="InitialDelay"/>·<see cref="Factor"/><sup>n−1</sup>,
/// <see cref="MaxDelay"/>) before jitter: 1 s, 2.7 s, 7.4 s, 20 s, 55 s, 2.5 min, 6.7 min, 18 min, 50 min, then an hour
/// each time. Where Reactor differs from Twisted (decision D29 in docs/decisions.md): the first retry waits <see cref="InitialDelay"/> (Twisted
/// waits <c>initialDelay·factor</c>, its issue #12478); jitter is drawn afresh for each wait and never feeds the next one,
/// and a jittered wait is clamped to [0, <see cref="MaxDelay"/>] (Twisted's compounds and can go negative, #8714).</para>
/// <para>Retries are scheduled on <see cref="Clock"/>, by default the reactor the connector belongs to; give a
/// <see cref="Testing.Clock"/> to test the timing. Every member is reactor-thread-only, like the connector.</para>
/// </remarks>
/// <example>
/// <code>
/// sealed class ChatClientFactory : ReconnectingClientFactory
/// {
///     public override Protocol? BuildProtocol(EndPoint address)
///     {
///         ResetDelay();                      // connected: the next loss starts again from InitialDelay
///         return new ChatClient { Factory = this };
///     }
/// }
///
/// reactor.ConnectTcp("chat.example", 6667, new ChatClientFactory());
/// </code>
/// </example>
public abstract class ReconnectingClientFactory : ClientFactory
{
    private const double DefaultFactor = Math.E; // Twisted's 2.7182818284590451
    private const double DefaultJitter = 0.119626565582; // Twisted's (the molar Planck constant times c)

    private TimeSpan _initialDelay;
    private TimeSpan _maxDelay;
    private double _factor;
    private double _jitter;
    private int? _maxRetries;
    private IDelayedCall? _retryCall;

    /// <summary>Creates the factory with the given tunables (each also a settable property).</summary>
    /// <param name="initialDelay">The wait before the first retry; <c>null</c> means 1 second.</param>
    /// <param name="maxDelay">The longest wait between attempts; <c>null</c> means 1 hour.</param>
    /// <param name="factor">How much longer each wait is than the one before; at least 1 (default e ≈ 2.718).</param>
    /// <param name="jitter">The standard deviation of each wait's random variation, as a fraction of the wait; 0 for none (default ≈ 0.12).</param>
    /// <param name="maxRetries">How many retries in a row before giving up; <c>null</c> (the default) never gives up.</param>
    /// <param name="clock">Where retries are scheduled; <c>null</c> (the default) means the connector's reactor.</param>
    /// <exception cref="ArgumentOutOfRangeException">A delay is negative, <paramref name="factor"/> is below 1,
    /// <paramref name="jitter"/> is negative, <paramref name="maxRetries"/> is negative, or a value is not finite.</exception>
    protected ReconnectingClientFactory(
        TimeSpan? initialDelay = null,
        TimeSpan? maxDelay = null,
        double factor = DefaultFactor,
        double jitter = DefaultJitter,
        int? maxRetries = null,
        IReactorTime? clock = null)
    {
        InitialDelay = initialDelay ?? TimeSpan.FromSeconds(1);
        MaxDelay = maxDelay ?? TimeSpan.FromHours(1);
        Factor = factor;
        Jitter = jitter;
        MaxRetries = maxRetries;
        Clock = clock;
    }

    /// <summary>The wait before the first retry (and the first after <see cref="ResetDelay"/>). Default 1 second.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Set to a negative value.</exception>
    public TimeSpan InitialDelay
    {
        get => _initialDelay;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, TimeSpan.Zero);
            _initialDelay = value;
        }
    }

    /// <summary>The longest wait between attempts, jitter included. Default 1 hour (3,600 s).</summary>
    /// <exception cref="ArgumentOutOfRangeException">Set to a negative value.</exception>
    public TimeSpan MaxDelay
    {
        get => _maxDelay;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, TimeSpan.Zero);
            _maxDelay = value;
        }
    }

    /// <summary>How much longer each wait is than the one before. Default e (2.7182818284590451, Twisted's); 1 keeps the wait constant.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Set below 1, or to a value that is not finite.</exception>
    public double Factor
    {
        get => _factor;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1.0);
            if (!double.IsFinite(value))
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, "The factor must be finite.");
            }

            _factor = value;
        }
    }

    /// <summary>
    /// How much each wait varies at random: the standard deviation of a normal distribution around the wait, as a
    /// fraction of it (Twisted's <c>random.normalvariate(delay, delay * jitter)</c>). Default 0.119626565582 (Twisted's);
    /// 0 makes the waits exact. The result is clamped to [0, <see cref="MaxDelay"/>].
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Set to a negative value, or to a value that is not finite.</exception>
    public double Jitter
    {
        get => _jitter;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            if (!double.IsFinite(value))
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, "The jitter must be finite.");
            }

            _jitter = value;
        }
    }

    /// <summary>
    /// How many retries in a row are made before giving up: with 3, the fourth failure schedules nothing.
    /// <c>null</c> (the default) retries forever. <see cref="ResetDelay"/> starts the count again.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Set to a negative value.</exception>
    public int? MaxRetries
    {
        get => _maxRetries;
        set
        {
            if (value is { } retries)
            {
                ArgumentOutOfRangeException.ThrowIfNegative(retries, nameof(value));
            }

            _maxRetries = value;
        }
    }

    /// <summary>
    /// Where retries are scheduled. <c>null</c> (the default) means the reactor the connector belongs to; set a
    /// <see cref="Testing.Clock"/> (or a <see cref="Testing.MemoryReactor"/>) to test the timing without waiting.
    /// </summary>
    public IReactorTime? Clock { get; set; }

    /// <summary>
    /// The wait before the next retry, before jitter: min(<see cref="InitialDelay"/>·<see cref="Factor"/><sup><see cref="Retries"/></sup>,
    /// <see cref="MaxDelay"/>) — <see cref="InitialDelay"/> at first and after <see cref="ResetDelay"/>.
    /// </summary>
    public TimeSpan Delay
    {
        get
        {
            var ticks = InitialDelay.Ticks * Math.Pow(Factor, Retries);
            return ticks >= MaxDelay.Ticks ? MaxDelay : TimeSpan.FromTicks((long)ticks);
        }
    }

    /// <summary>How many retries have been scheduled (or refused by <see cref="MaxRetries"/>) since the start or the last <see cref="ResetDelay"/>.</summary>
    public int Retries { get; protected set; }

    /// <summary>Whether a failed attempt or a lost connection is retried: <c>true</c> until <see cref="StopTrying"/>, and again after <see cref="ResetDelay"/>.</summary>
    public bool ContinueTrying { get; protected set; } = true;

    /// <summary>The connector this factory last heard from (attempt started, failed or connection lost), which <see cref="StopTrying"/> stops.</summary>
    public IConnector? Connector { get; protected set; }

    /// <summary>Where the jitter comes from (tests seed it).</summary>
    internal Random Random { get; set; } = Random.Shared;

    /// <summary>Remembers <paramref name="connector"/>, so that <see cref="StopTrying"/> can cancel this attempt. Overrides should call it.</summary>
    /// <param name="connector">The attempt.</param>
    public override void StartedConnecting(IConnector connector) => Connector = connector;

    /// <summary>Retries (<see cref="Retry"/>) unless <see cref="StopTrying"/> was called. Overrides should call it.</summary>
    /// <param name="connector">The attempt that failed.</param>
    /// <param name="reason">Why it failed.</param>
    public override void ClientConnectionFailed(IConnector connector, Failure reason)
    {
        if (ContinueTrying)
        {
            Connector = connector;
            Retry(connector);
        }
    }

    /// <summary>Retries (<see cref="Retry"/>) unless <see cref="StopTrying"/> was called. Overrides should call it.</summary>
    /// <param name="connector">The connector whose connection closed.</param>
    /// <param name="reason">Why it closed.</param>
    public override void ClientConnectionLost(IConnector connector, Failure reason)
    {
        if (ContinueTrying)
        {
            Connector = connector;
            Retry(connector);
        }
    }

    /// <summary>
    /// Schedules <paramref name="connector"/>'s <see cref="IConnector.Connect"/> after <see cref="Delay"/> (jittered),
    /// counting one more retry — unless <see cref="ContinueTrying"/> is <c>false</c>, or this retry would pass
    /// <see cref="MaxRetries"/>, in which case nothing is scheduled. A retry already scheduled is replaced.
    /// </summary>
    /// <param name="connector">The connector to connect again; it must be <see cref="ConnectorState.Disconnected"/> when the wait ends.</param>
    /// <exception cref="ArgumentNullException"><paramref name="connector"/> is null.</exception>
    /// <exception cref="InvalidOperationException"><see cref="Clock"/> is <c>null</c> and the connector is not a reactor's (a test double): set <see cref="Clock"/>.</exception>
    public virtual void Retry(IConnector connector)
    {
        ArgumentNullException.ThrowIfNull(connector);
        if (!ContinueTrying)
        {
            return;
        }

        var clock = Clock ?? (connector as IReactorBoundConnector)?.Clock
            ?? throw new InvalidOperationException($"{connector} does not belong to a reactor: set {nameof(Clock)} to schedule its retries.");
        var wait = Delay;
        Retries++;
        if (MaxRetries is { } maxRetries && Retries > maxRetries)
        {
            return;
        }

        CancelRetry();
        _retryCall = clock.CallLater(Jittered(wait), () =>
        {
            _retryCall = null;
            connector.Connect();
        });
    }

    /// <summary>
    /// Stops reconnecting: cancels the retry waiting to run, sets <see cref="ContinueTrying"/> to <c>false</c>, and
    /// cancels the attempt under way, if any (<see cref="IConnector.StopConnecting"/>; its failure is then not retried).
    /// An established connection stays open, and is not retried when it closes. <see cref="ResetDelay"/> undoes it.
    /// </summary>
    public virtual void StopTrying()
    {
        CancelRetry();
        ContinueTrying = false;
        if (Connector is { State: ConnectorState.Connecting } connector)
        {
            try
            {
                connector.StopConnecting();
            }
            catch (InvalidOperationException)
            {
                // Not connecting after all: the attempt has just ended and its failure is on its way (Twisted ignores
                // NotConnectingError here too); ContinueTrying is already false, so it will not be retried.
            }
        }
    }

    /// <summary>
    /// Starts the back-off again: <see cref="Retries"/> becomes 0 (so <see cref="Delay"/> is <see cref="InitialDelay"/>)
    /// and <see cref="ContinueTrying"/> <c>true</c>. Call it once a connection is made (nothing calls it for you, as in
    /// Twisted). A retry already scheduled keeps its time.
    /// </summary>
    public virtual void ResetDelay()
    {
        Retries = 0;
        ContinueTrying = true;
    }

    private void CancelRetry()
    {
        if (_retryCall is { Active: true } call)
        {
            call.Cancel();
        }

        _retryCall = null;
    }

    /// <summary>A normal variate around <paramref name="wait"/> (Box–Muller), clamped to [0, <see cref="MaxDelay"/>].</summary>
    private TimeSpan Jittered(TimeSpan wait)
    {
        // D29: the result only schedules this retry; Delay is computed from Retries, so jitter never compounds.
        if (Jitter == 0 || wait <= TimeSpan.Zero)
        {
            return wait;
        }

        var u1 = 1.0 - Random.NextDouble(); // (0, 1]: the logarithm stays finite
        var u2 = Random.NextDouble();
        var standardNormal = Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
        var ticks = wait.Ticks * (1.0 + (Jitter * standardNormal));
        return ticks <= 0 ? TimeSpan.Zero : ticks >= MaxDelay.Ticks ? MaxDelay : TimeSpan.FromTicks((long)ticks);
    }
}
