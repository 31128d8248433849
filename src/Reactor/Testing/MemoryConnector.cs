using System.Net;
using System.Net.Sockets;
using Reactor.Internal.Streams;

namespace Reactor.Testing;

/// <summary>
/// What <see cref="MemoryReactor.ConnectTcp"/> returns: a connector whose attempts never touch a network (Twisted's
/// <c>_FakeConnector</c>, made to behave as a real one). Each attempt stays <see cref="ConnectorState.Connecting"/> until
/// the test decides: <see cref="Complete"/> plays the handshake succeeding, <see cref="Fail"/> plays it failing.
/// </summary>
/// <remarks>
/// <para>As a real connector: the factory starts (<see cref="Factory.DoStart"/>) with the first attempt and stops after
/// the last attempt or connection ended, unless the factory connected again from its callback;
/// <see cref="ClientFactory.ClientConnectionLost"/> comes after the protocol's <see cref="Protocol.ConnectionLost"/>;
/// <see cref="StopConnecting"/> reports <see cref="ClientFactory.ClientConnectionFailed"/> after it returns — here, on
/// the memory reactor's next <see cref="MemoryReactor.RunPendingCalls"/> (or <see cref="MemoryReactor.Iterate"/>,
/// <see cref="MemoryReactor.Run"/>).</para>
/// <para>Exceptions the factory throws reach the test (a real connector logs them).</para>
/// </remarks>
public sealed class MemoryConnector : IConnector, IReactorBoundConnector
{
    private readonly MemoryReactor _reactor;
    private readonly EndPoint _destination;
    private readonly ClientFactory _factory;
    private readonly IPEndPoint? _bindAddress;
    private bool _factoryStarted;
    private bool _cancelling;

    internal MemoryConnector(MemoryReactor reactor, EndPoint destination, ClientFactory factory, IPEndPoint? bindAddress)
    {
        _reactor = reactor;
        _destination = destination;
        _factory = factory;
        _bindAddress = bindAddress;
    }

    /// <inheritdoc/>
    public ConnectorState State { get; private set; }

    /// <summary>The connection's fake transport while <see cref="State"/> is <see cref="ConnectorState.Connected"/>, else <c>null</c>.</summary>
    public FakeStreamTransport? Transport { get; private set; }

    ITransport? IConnector.Transport => Transport;

    /// <summary>A reconnecting factory's retries run on the memory reactor's clock.</summary>
    IReactorTime IReactorBoundConnector.Clock => _reactor;

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
        if (!_factoryStarted)
        {
            _factoryStarted = true;
            _factory.DoStart();
        }

        _factory.StartedConnecting(this);
    }

    /// <summary>
    /// Plays the attempt succeeding: the factory builds the protocol for the server's address and it is attached to a
    /// new <see cref="FakeStreamTransport"/> (its <see cref="Protocol.ConnectionMade"/> has run when this returns); the
    /// connector is <see cref="ConnectorState.Connected"/> until that transport closes, when the factory hears
    /// <see cref="ClientFactory.ClientConnectionLost"/>. A factory that builds no protocol gets its connection closed
    /// cleanly at once (it hears <see cref="ClientFactory.ClientConnectionLost"/>), as with a real connector.
    /// </summary>
    /// <param name="peer">The server's address; <c>null</c> for the destination, when it is an IP address.</param>
    /// <param name="host">The connection's local address; <c>null</c> for the bind address given to <c>ConnectTcp</c>, or else the loopback address of the server's family, with a fresh port number.</param>
    /// <returns>The connection's transport, or <c>null</c> when the factory built no protocol.</returns>
    /// <exception cref="InvalidOperationException">Not connecting.</exception>
    /// <exception cref="ArgumentException"><paramref name="peer"/> is null and the destination is a host name.</exception>
    public FakeStreamTransport? Complete(IPEndPoint? peer = null, IPEndPoint? host = null)
    {
        VerifyConnecting();
        var server = peer ?? _destination as IPEndPoint
            ?? throw new ArgumentException($"The destination {_destination} is a host name: pass the address it resolved to as peer.", nameof(peer));
        var local = host ?? LocalAddress(server.AddressFamily);
        var protocol = _factory.BuildProtocol(server);
        var transport = new FakeStreamTransport(local, server) { OnClosed = OnConnectionLost };
        State = ConnectorState.Connected;
        Transport = transport;
        _reactor.Open(transport, protocol ?? new Protocol());
        if (protocol is not null)
        {
            return transport;
        }

        transport.LoseConnection();
        transport.Pump();
        return null;
    }

    /// <summary>Plays the attempt failing with <paramref name="reason"/>, as a refused or timed-out connect would: the factory's <see cref="ClientFactory.ClientConnectionFailed"/> runs now.</summary>
    /// <param name="reason">Why it failed (for example a <see cref="ConnectionRefusedException"/>).</param>
    /// <exception cref="ArgumentNullException"><paramref name="reason"/> is null.</exception>
    /// <exception cref="InvalidOperationException">Not connecting.</exception>
    public void Fail(Exception reason)
    {
        ArgumentNullException.ThrowIfNull(reason);
        VerifyConnecting();
        ReportFailure(reason);
    }

    /// <summary>
    /// Cancels the attempt: after this returns — on the memory reactor's next <see cref="MemoryReactor.RunPendingCalls"/>
    /// — the factory's <see cref="ClientFactory.ClientConnectionFailed"/> gets a <see cref="ConnectingCancelledException"/>.
    /// </summary>
    /// <exception cref="InvalidOperationException">Not connecting (or already cancelled).</exception>
    public void StopConnecting()
    {
        if (State != ConnectorState.Connecting || _cancelling)
        {
            throw new InvalidOperationException("StopConnecting was called while the connector is not connecting.");
        }

        _cancelling = true;
        _reactor.CallFromThread(() =>
        {
            _cancelling = false;
            ReportFailure(new ConnectingCancelledException(_destination));
        });
    }

    /// <summary>Cancels the attempt if one is under way (see <see cref="StopConnecting"/>), or closes the connection cleanly if connected (<see cref="ITransport.LoseConnection"/>; it completes on the transport's next <see cref="FakeStreamTransport.Pump"/> or the reactor's <see cref="MemoryReactor.Iterate"/>).</summary>
    public void Disconnect()
    {
        if (State == ConnectorState.Connecting && !_cancelling)
        {
            StopConnecting();
        }
        else if (State == ConnectorState.Connected)
        {
            Transport?.LoseConnection();
        }
    }

    /// <inheritdoc/>
    public EndPoint GetDestination() => _destination;

    /// <inheritdoc/>
    public override string ToString() => $"<MemoryConnector to {_destination} ({State})>";

    private void VerifyConnecting()
    {
        if (State != ConnectorState.Connecting || _cancelling)
        {
            throw new InvalidOperationException($"The connector is not connecting{(_cancelling ? " (StopConnecting cancelled the attempt)" : "")}.");
        }
    }

    private IPEndPoint LocalAddress(AddressFamily family)
    {
        var address = _bindAddress is { } bound && !bound.Address.Equals(IPAddress.Any) && !bound.Address.Equals(IPAddress.IPv6Any)
            ? bound.Address
            : family == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Loopback : IPAddress.Loopback;
        return new IPEndPoint(address, _bindAddress is { Port: > 0 } withPort ? withPort.Port : _reactor.NextPort());
    }

    private void ReportFailure(Exception reason)
    {
        State = ConnectorState.Disconnected;
        _factory.ClientConnectionFailed(this, new Failure(reason));
        StopFactoryUnlessReconnecting();
    }

    private void OnConnectionLost(Failure reason)
    {
        Transport = null;
        State = ConnectorState.Disconnected;
        _factory.ClientConnectionLost(this, reason);
        StopFactoryUnlessReconnecting();
    }

    /// <summary>Unless the factory called <see cref="Connect"/> again from its callback, this connector stops using it.</summary>
    private void StopFactoryUnlessReconnecting()
    {
        if (State == ConnectorState.Disconnected && _factoryStarted)
        {
            _factoryStarted = false;
            _factory.DoStop();
        }
    }
}
