using System.Net;

namespace Reactor.Testing;

/// <summary>
/// What <see cref="MemoryReactor.ConnectTcp"/> returns: a connector whose attempts never touch a network. It stays
/// <see cref="ConnectorState.Connecting"/> until the test decides: <see cref="Fail"/> reports a failure to the factory,
/// <see cref="StopConnecting"/> cancels as a real connector does.
/// </summary>
public sealed class MemoryConnector : IConnector
{
    private readonly EndPoint _destination;
    private readonly ClientFactory _factory;

    internal MemoryConnector(EndPoint destination, ClientFactory factory)
    {
        _destination = destination;
        _factory = factory;
    }

    /// <inheritdoc/>
    public ConnectorState State { get; private set; }

    /// <inheritdoc/>
    public ITransport? Transport => null;

    /// <summary>How many attempts have started (<see cref="Connect"/> calls, the first made by <c>ConnectTcp</c>).</summary>
    public int Attempts { get; private set; }

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

    /// <inheritdoc/>
    public void Disconnect()
    {
        if (State == ConnectorState.Connecting)
        {
            StopConnecting();
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

    /// <inheritdoc/>
    public EndPoint GetDestination() => _destination;
}
