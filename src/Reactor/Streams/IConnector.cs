using System.Net;

namespace Reactor;

/// <summary>
/// An outgoing connection's handle (Twisted's <c>IConnector</c>): what <see cref="IReactorTcp.ConnectTcp"/> returns and
/// what the <see cref="ClientFactory"/> callbacks receive. It outlives one attempt: <see cref="Connect"/> starts another
/// (that is how reconnecting works). Reactor thread only.
/// </summary>
public interface IConnector
{
    /// <summary>Where the connector is now.</summary>
    ConnectorState State { get; }

    /// <summary>The connection while <see cref="State"/> is <see cref="ConnectorState.Connected"/>, else <c>null</c>.</summary>
    ITransport? Transport { get; }

    /// <summary>Starts a new attempt (calling <see cref="ClientFactory.StartedConnecting"/>).</summary>
    /// <exception cref="InvalidOperationException">The connector is already connecting or connected.</exception>
    void Connect();

    /// <summary>
    /// Cancels the attempt under way: the factory's <see cref="ClientFactory.ClientConnectionFailed"/> then gets a
    /// <see cref="ConnectingCancelledException"/> (after this returns).
    /// </summary>
    /// <exception cref="InvalidOperationException">The connector is not connecting.</exception>
    void StopConnecting();

    /// <summary>Cancels the attempt if one is under way, or closes the connection cleanly if connected; otherwise does nothing.</summary>
    void Disconnect();

    /// <summary>
    /// Where the connector connects, as it was given: an <see cref="IPEndPoint"/> for an IP literal, a
    /// <see cref="DnsEndPoint"/> (not resolved) for a host name.
    /// </summary>
    /// <returns>The destination.</returns>
    EndPoint GetDestination();
}
