namespace Reactor;

/// <summary>
/// A <see cref="Factory"/> for outgoing connections (Twisted's <c>ClientFactory</c>): besides building the protocol, it
/// hears how each connection attempt went. Pass it to <see cref="IReactorTcp.ConnectTcp"/>.
/// </summary>
/// <remarks>
/// Order of calls for one attempt: <see cref="StartedConnecting"/> (inside <c>ConnectTcp</c>), then either
/// <see cref="ClientConnectionFailed"/> (never from inside <c>ConnectTcp</c>) or <see cref="Factory.BuildProtocol"/> and,
/// once the connection has closed and the protocol's <see cref="Protocol.ConnectionLost"/> has run,
/// <see cref="ClientConnectionLost"/>. Calling <see cref="IConnector.Connect"/> from either of the last two tries again.
/// </remarks>
public abstract class ClientFactory : Factory
{
    /// <summary>A client factory that builds a new <typeparamref name="TProtocol"/> for the connection.</summary>
    /// <typeparam name="TProtocol">The protocol to build.</typeparam>
    /// <returns>The factory.</returns>
    public static new ClientFactory ForProtocol<TProtocol>()
        where TProtocol : Protocol, new() => new DelegateClientFactory(static () => new TProtocol(), typeof(TProtocol).Name);

    /// <summary>A client factory that builds the connection's protocol with <paramref name="create"/>.</summary>
    /// <param name="create">Makes the protocol; <c>null</c> refuses the connection (it is then closed).</param>
    /// <returns>The factory.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="create"/> is null.</exception>
    public static new ClientFactory ForProtocol(Func<Protocol?> create)
    {
        ArgumentNullException.ThrowIfNull(create);
        return new DelegateClientFactory(create, null);
    }

    /// <summary>Called when a connection attempt starts (inside <c>ConnectTcp</c> or <see cref="IConnector.Connect"/>).</summary>
    /// <param name="connector">The attempt; <see cref="IConnector.StopConnecting"/> cancels it.</param>
    public virtual void StartedConnecting(IConnector connector)
    {
    }

    /// <summary>
    /// Called when an attempt failed: refused (<see cref="ConnectionRefusedException"/>), timed out
    /// (<see cref="ConnectTimeoutException"/>), cancelled (<see cref="ConnectingCancelledException"/>), the host name
    /// did not resolve (<see cref="DnsLookupException"/>), or another <see cref="ConnectException"/>.
    /// </summary>
    /// <param name="connector">The attempt; <see cref="IConnector.Connect"/> retries.</param>
    /// <param name="reason">Why it failed.</param>
    public virtual void ClientConnectionFailed(IConnector connector, Failure reason)
    {
    }

    /// <summary>Called after an established connection closed (after its protocol's <see cref="Protocol.ConnectionLost"/>).</summary>
    /// <param name="connector">The connector; <see cref="IConnector.Connect"/> reconnects.</param>
    /// <param name="reason">Why it closed (the same reason the protocol got).</param>
    public virtual void ClientConnectionLost(IConnector connector, Failure reason)
    {
    }

    private sealed class DelegateClientFactory(Func<Protocol?> create, string? protocolName) : ClientFactory
    {
        public override string LogPrefix => "ClientFactory";

        public override Protocol? BuildProtocol(System.Net.EndPoint address)
        {
            var protocol = create();
            if (protocol is not null)
            {
                protocol.Factory = this;
            }

            return protocol;
        }

        public override string ToString() => protocolName is null ? "<ClientFactory>" : $"<ClientFactory of {protocolName}>";
    }
}
