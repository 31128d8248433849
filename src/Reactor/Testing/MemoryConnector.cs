using System.Net;
using Reactor.Internal.Streams;

namespace Reactor.Testing;

/// <summary>
/// What <see cref="MemoryReactor.ConnectTcp"/> returns: a connector whose attempts never touch a network. It stays
/// <see cref="ConnectorState.Connecting"/> until the test decides: <see cref="Fail"/> reports a failure to the factory,
/// <see cref="StopConnecting"/> cancels as a real connector does, <see cref="Establish"/> completes the attempt and
/// <see cref="Lose"/> ends the connection it made. Each reports to the factory at once, within the call.
/// </summary>
/// <remarks>
/// There is no transport: <see cref="Establish"/> builds the protocol but does not connect it, and <see cref="Lose"/> tells
/// only the factory. Connect the protocol to a fake transport yourself to run its own callbacks.
/// </remarks>
public sealed class MemoryConnector : IConnector, IReactorBoundConnector
{
    private readonly EndPoint _destination;
    private readonly ClientFactory _factory;
    private readonly IReactorTime _clock;

    internal MemoryConnector(EndPoint destination, ClientFactory factory, IReactorTime clock)
    {
        _destination = destination;
        _factory = factory;
        _clock = clock;
    }

    /// <inheritdoc/>
    public ConnectorState State { get; private set; }

    /// <inheritdoc/>
    public ITransport? Transport => null;

    /// <summary>How many attempts have started (<see cref="Connect"/> calls, the first made by <c>ConnectTcp</c>).</summary>
    public int Attempts { get; private set; }

    /// <summary>The protocol the factory built for the connection <see cref="Establish"/> made, until <see cref="Lose"/>.</summary>
    public Protocol? Protocol { get; private set; }

    IReactorTime IReactorBoundConnector.Clock => _clock;

    /// <inheritdoc/>
    public void Connect()
    {
        if (State != ConnectorState.Disconnected)
        {
            throw new InvalidOperationException($"Can't connect in this state: the connector is {State}.");
        }

        State = ConnectorState.Connecting;
        Attempts++;
        _factory.StartedConnecting(this);
    }

    /// <summary>Cancels the attempt: the factory's <see cref="ClientFactory.ClientConnectionFailed"/> gets a <see cref="ConnectingCancelledException"/> at once.</summary>
    /// <exception cref="InvalidOperationException">Not connecting.</exception>
    public void StopConnecting()
    {
        if (State != ConnectorState.Connecting)
        {
            throw new InvalidOperationException("StopConnecting was called while the connector is not connecting.");
        }

        Fail(new ConnectingCancelledException(_destination));
    }

    /// <summary>
    /// Cancels the attempt if one is under way (as <see cref="StopConnecting"/>), or ends the connection if connected
    /// (as <see cref="Lose"/>, with a <see cref="ConnectionDoneException"/>); otherwise does nothing.
    /// </summary>
    public void Disconnect()
    {
        if (State == ConnectorState.Connecting)
        {
            StopConnecting();
        }
        else if (State == ConnectorState.Connected)
        {
            Lose();
        }
    }

    /// <summary>Ends the attempt with <paramref name="reason"/>, as a refused or timed-out connect would.</summary>
    /// <param name="reason">Why it failed (for example a <see cref="ConnectionRefusedException"/>).</param>
    /// <exception cref="InvalidOperationException">Not connecting.</exception>
    public void Fail(Exception reason)
    {
        ArgumentNullException.ThrowIfNull(reason);
        if (State != ConnectorState.Connecting)
        {
            throw new InvalidOperationException("The connector is not connecting.");
        }

        State = ConnectorState.Disconnected;
        _factory.ClientConnectionFailed(this, new Failure(reason));
    }

    /// <summary>
    /// Completes the attempt as a real handshake would: the state becomes <see cref="ConnectorState.Connected"/> and the
    /// factory's <see cref="Factory.BuildProtocol"/> is called with the destination (as given: a host name is not
    /// resolved).
    /// </summary>
    /// <returns>The protocol the factory built (also in <see cref="Protocol"/>), or <c>null</c> if it built none.</returns>
    /// <exception cref="InvalidOperationException">Not connecting.</exception>
    public Protocol? Establish()
    {
        if (State != ConnectorState.Connecting)
        {
            throw new InvalidOperationException("The connector is not connecting.");
        }

        State = ConnectorState.Connected;
        Protocol = _factory.BuildProtocol(_destination);
        return Protocol;
    }

    /// <summary>Ends the connection <see cref="Establish"/> made: the factory's <see cref="ClientFactory.ClientConnectionLost"/> gets <paramref name="reason"/>.</summary>
    /// <param name="reason">Why it closed; <c>null</c> for a clean close (<see cref="ConnectionDoneException"/>).</param>
    /// <exception cref="InvalidOperationException">Not connected.</exception>
    public void Lose(Exception? reason = null)
    {
        if (State != ConnectorState.Connected)
        {
            throw new InvalidOperationException("The connector is not connected.");
        }

        State = ConnectorState.Disconnected;
        Protocol = null;
        _factory.ClientConnectionLost(this, new Failure(reason ?? new ConnectionDoneException()));
    }

    /// <inheritdoc/>
    public EndPoint GetDestination() => _destination;
}
