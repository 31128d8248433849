namespace Reactor.Endpoints;

/// <summary>
/// Where a stream client connects, without saying how (Twisted's <c>IStreamClientEndpoint</c>): a TCP host and port
/// (<see cref="HostnameEndpoint"/> tries every address the name has), a UNIX socket, …. Make one in code or from one
/// string (<see cref="Endpoint.ClientFromString"/>).
/// </summary>
public interface IStreamClientEndpoint
{
    /// <summary>
    /// Connects once and builds the connection's protocol with <paramref name="factory"/> (its
    /// <see cref="Factory.BuildProtocol"/>, once connected; its <see cref="Factory.StartFactory"/> and
    /// <see cref="Factory.StopFactory"/> around the attempt). Reactor thread only.
    /// </summary>
    /// <param name="factory">Builds the protocol. It need not be a <see cref="ClientFactory"/>: the endpoint reports the outcome through the Deferred.</param>
    /// <returns>
    /// A Deferred of the protocol, fired after its <see cref="Protocol.ConnectionMade"/> has run (decision D39 in
    /// docs/decisions.md). It fails with the attempt's <see cref="ConnectException"/> (refused, timed out, name not
    /// found, …), with <see cref="NoProtocolException"/> when the factory built no protocol, or with the exception its
    /// <see cref="Factory.BuildProtocol"/> threw. <b>Cancel</b> it before it fires to stop the attempt (or close a
    /// connection made but not yet delivered): it then fails with <see cref="ConnectingCancelledException"/>.
    /// </returns>
    /// <exception cref="ArgumentNullException"><paramref name="factory"/> is null.</exception>
    Deferred<Protocol> Connect(Factory factory);
}
