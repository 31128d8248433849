namespace Reactor.Endpoints;

/// <summary>
/// Where a stream server listens, without saying how (Twisted's <c>IStreamServerEndpoint</c>): TCP on a port, a UNIX
/// socket, a socket systemd handed over. Make one in code (<see cref="Tcp4ServerEndpoint"/>,
/// <see cref="UnixServerEndpoint"/>, …) or from one string (<see cref="Endpoint.ServerFromString"/>), and the same
/// server code listens wherever the configuration says.
/// </summary>
public interface IStreamServerEndpoint
{
    /// <summary>
    /// Listens, building a protocol per connection with <paramref name="factory"/>. Reactor thread only.
    /// </summary>
    /// <param name="factory">Builds a protocol per accepted connection.</param>
    /// <returns>
    /// A Deferred of the listening port. It fails, rather than throwing, when listening fails: with
    /// <see cref="CannotListenException"/> (address in use, permission denied, …), <see cref="InvalidAddressException"/>,
    /// or the exception the reactor threw (on the wrong thread, or after the reactor shut down).
    /// </returns>
    /// <exception cref="ArgumentNullException"><paramref name="factory"/> is null.</exception>
    Deferred<IListeningPort> Listen(Factory factory);
}
