using System.Net;

namespace Reactor;

/// <summary>
/// Builds a <see cref="Protocol"/> for each connection (Twisted's <c>Factory</c>): the reactor calls
/// <see cref="BuildProtocol"/> for every accepted (or, for a <see cref="ClientFactory"/>, established) connection.
/// Subclass it to share state between connections, or use <see cref="ForProtocol{TProtocol}()"/>.
/// </summary>
/// <remarks>
/// A factory counts the ports and connectors using it: <see cref="StartFactory"/> runs when the first starts
/// (<see cref="DoStart"/>, count 0 → 1) and <see cref="StopFactory"/> when the last stops (count 1 → 0), so one factory
/// can serve several ports. Reactor thread only.
/// </remarks>
/// <example>
/// <code>
/// reactor.ListenTcp(8000, Factory.ForProtocol&lt;Echo&gt;());
/// </code>
/// </example>
public abstract class Factory
{
    /// <summary>Whether starting and stopping are logged ("Starting factory …"); <c>true</c> by default, as in Twisted.</summary>
    public bool Noisy { get; set; } = true;

    /// <summary>How many ports and connectors are using this factory now.</summary>
    public int NumberOfPorts { get; private set; }

    /// <summary>The name used in log messages, e.g. "<c>EchoFactory starting on 8000</c>". The class name by default.</summary>
    public virtual string LogPrefix => GetType().Name;

    /// <summary>A factory that builds a new <typeparamref name="TProtocol"/> for each connection and sets its <see cref="Protocol.Factory"/>.</summary>
    /// <typeparam name="TProtocol">The protocol to build.</typeparam>
    /// <returns>The factory.</returns>
    public static Factory ForProtocol<TProtocol>()
        where TProtocol : Protocol, new() => new DelegateFactory(static () => new TProtocol(), typeof(TProtocol).Name);

    /// <summary>
    /// A factory that builds each connection's protocol with <paramref name="create"/> (for protocols whose constructor
    /// takes arguments) and sets its <see cref="Protocol.Factory"/>. <paramref name="create"/> may return <c>null</c> to
    /// refuse a connection.
    /// </summary>
    /// <param name="create">Makes one protocol.</param>
    /// <returns>The factory.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="create"/> is null.</exception>
    public static Factory ForProtocol(Func<Protocol?> create)
    {
        ArgumentNullException.ThrowIfNull(create);
        return new DelegateFactory(create, null);
    }

    /// <summary>
    /// Builds the protocol for a new connection from <paramref name="address"/> (the peer's address for a server, the
    /// server's for a client). Return <c>null</c> to refuse the connection: a server then closes it at once.
    /// </summary>
    /// <param name="address">The peer's address.</param>
    /// <returns>The protocol, or <c>null</c>.</returns>
    public abstract Protocol? BuildProtocol(EndPoint address);

    /// <summary>Called when the first port or connector starts using this factory. Override to set up shared state.</summary>
    public virtual void StartFactory()
    {
    }

    /// <summary>Called when the last port or connector has stopped using this factory. Override to release shared state.</summary>
    public virtual void StopFactory()
    {
    }

    /// <summary>
    /// Counts one more port or connector, calling <see cref="StartFactory"/> for the first (Twisted's <c>doStart</c>).
    /// The reactor calls it; a factory that wraps another forwards it.
    /// </summary>
    public void DoStart()
    {
        if (NumberOfPorts++ == 0)
        {
            StartFactory();
        }
    }

    /// <summary>
    /// Counts one port or connector fewer, calling <see cref="StopFactory"/> after the last (Twisted's <c>doStop</c>); an
    /// extra call at zero is ignored. The reactor calls it; a factory that wraps another forwards it.
    /// </summary>
    public void DoStop()
    {
        if (NumberOfPorts == 0)
        {
            return;
        }

        if (--NumberOfPorts == 0)
        {
            StopFactory();
        }
    }

    /// <inheritdoc/>
    public override string ToString() => $"<{GetType().Name}>";

    private sealed class DelegateFactory(Func<Protocol?> create, string? protocolName) : Factory
    {
        public override string LogPrefix => "Factory";

        public override string ToString() => protocolName is null ? "<Factory>" : $"<Factory of {protocolName}>";

        public override Protocol? BuildProtocol(EndPoint address)
        {
            var protocol = create();
            if (protocol is not null)
            {
                protocol.Factory = this;
            }

            return protocol;
        }
    }
}
