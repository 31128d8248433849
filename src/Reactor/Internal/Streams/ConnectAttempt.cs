using System.Net;

namespace Reactor.Internal.Streams;

/// <summary>
/// The factory of one one-shot connect, shared by <see cref="ClientCreator{TProtocol}"/> (Twisted's
/// <c>_InstanceFactory</c>) and the client endpoints (<c>_WrappingFactory</c>): builds the protocol once connected,
/// delivers it after the protocol's <see cref="Protocol.ConnectionMade"/> (one iteration later, outside the connector's
/// call), reports a failure as it arrives, and is the Deferred's canceller (D39).
/// </summary>
/// <typeparam name="TProtocol">The protocol the Deferred delivers.</typeparam>
/// <remarks>
/// The protocol is never wrapped (Twisted wraps it in <c>_WrappingProtocol</c> to see <c>connectionMade</c>), so its
/// transport, its half-close interface and its identity are its own. A wrapped factory (an endpoint's) is started and
/// stopped with the attempt, as Twisted's <c>_WrappingFactory</c> does.
/// </remarks>
internal sealed class ConnectAttempt<TProtocol> : ClientFactory
    where TProtocol : Protocol
{
    private readonly IReactorTime _clock;
    private readonly Func<EndPoint, TProtocol?> _build;
    private readonly Factory? _wrapped;
    private readonly string _logPrefix;
    private IDelayedCall? _delivery;
    private TProtocol? _protocol;

    internal ConnectAttempt(IReactorTime clock, Func<EndPoint, TProtocol?> build, string logPrefix, Factory? wrapped = null)
    {
        _clock = clock;
        _build = build;
        _wrapped = wrapped;
        _logPrefix = logPrefix;
        Noisy = false; // Twisted's _InstanceFactory: one attempt is not worth "Starting factory" lines
        Result = new Deferred<TProtocol>(Cancel);
    }

    internal Deferred<TProtocol> Result { get; }

    internal IConnector? Connector { get; set; }

    public override string LogPrefix => _logPrefix;

    /// <summary>
    /// Starts a connect with <paramref name="connect"/> (a reactor's <c>ConnectTcp</c> or <c>ConnectUnix</c>, given this
    /// attempt as its factory) and returns the Deferred; an exception from <paramref name="connect"/> (bad arguments, the
    /// wrong thread, a reactor that has shut down) fails it instead of escaping, as Twisted's endpoints do.
    /// </summary>
    internal static Deferred<TProtocol> Start(IReactorTime clock, Func<EndPoint, TProtocol?> build, string logPrefix, Factory? wrapped, Func<ClientFactory, IConnector> connect)
    {
        var attempt = new ConnectAttempt<TProtocol>(clock, build, logPrefix, wrapped);
        try
        {
            attempt.Connector = connect(attempt);
        }
        catch (Exception e)
        {
            return Deferred.Fail<TProtocol>(e);
        }

        return attempt.Result;
    }

    public override void StartFactory() => _wrapped?.DoStart();

    public override void StopFactory() => _wrapped?.DoStop();

    public override void StartedConnecting(IConnector connector) => Connector = connector;

    public override Protocol? BuildProtocol(EndPoint address)
    {
        _protocol = _build(address);

        // Deliver once ConnectionMade has run (the transport calls it after this returns) and outside the
        // connector's call; a null protocol gets a placeholder and a clean close from the connector meanwhile.
        _delivery = _clock.CallLater(TimeSpan.Zero, Deliver);
        return _protocol;
    }

    public override void ClientConnectionFailed(IConnector connector, Failure reason)
    {
        // Already after the call that caused it (D26), so no extra iteration is needed. A failure that follows a
        // cancel (StopConnecting's own report) finds the Deferred already failed; one that follows BuildProtocol
        // (the connector could not finish setting the connection up) replaces the delivery.
        CancelDelivery();
        if (!Result.Called)
        {
            Result.Errback(reason);
        }
    }

    public override string ToString() => _wrapped is null ? $"<ClientCreator factory of {typeof(TProtocol).Name}>" : $"<wrapping {_wrapped}>";

    private void Deliver()
    {
        _delivery = null;
        if (Result.Called)
        {
            return;
        }

        if (_protocol is { } protocol)
        {
            Result.Callback(protocol);
        }
        else
        {
            Result.Errback(new NoProtocolException(Connector?.GetDestination()));
        }
    }

    /// <summary>The canceller: stop the attempt, or close the connection not yet delivered; either way the Deferred fails with <see cref="ConnectingCancelledException"/>.</summary>
    private void Cancel(Deferred<TProtocol> result)
    {
        CancelDelivery();
        var connector = Connector;
        connector?.Disconnect();
        if (!result.Called)
        {
            result.Errback(new ConnectingCancelledException(connector?.GetDestination()));
        }
    }

    private void CancelDelivery()
    {
        if (_delivery is { Active: true } delivery)
        {
            delivery.Cancel();
        }

        _delivery = null;
    }
}
