using System.Net;

namespace Reactor.Tls;

/// <summary>
/// TLS over TCP in one call: Twisted's <c>listenSSL</c> and <c>connectSSL</c>, as extensions of
/// <see cref="IReactorTcp"/>. TLS is not part of <see cref="IReactor"/>, so it wraps any stream transport.
/// </summary>
public static class TlsReactorExtensions
{
    /// <summary>
    /// Listens for TLS connections on <paramref name="port"/> (<see cref="IReactorTcp.ListenTcp"/> with
    /// <see cref="TlsFactory.ForServer"/>); each connection's protocol is built once its handshake succeeded.
    /// </summary>
    /// <param name="reactor">The reactor.</param>
    /// <param name="port">The port; 0 picks a free one.</param>
    /// <param name="factory">Builds a protocol per connection.</param>
    /// <param name="options">The certificate and TLS settings.</param>
    /// <param name="backlog">The kernel's queue of connections not yet accepted.</param>
    /// <param name="interface">The local IP literal to bind (see <see cref="IReactorTcp.ListenTcp"/>).</param>
    /// <returns>The listening port.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="CannotListenException">The operating system refused the socket, the bind or the listen.</exception>
    public static ITcpPort ListenSsl(this IReactorTcp reactor, int port, Factory factory, TlsServerOptions options, int backlog = 50, string @interface = "")
    {
        ArgumentNullException.ThrowIfNull(reactor);
        return reactor.ListenTcp(port, TlsFactory.ForServer(factory, options), backlog, @interface);
    }

    /// <summary>
    /// Connects over TLS (<see cref="IReactorTcp.ConnectTcp"/> with <see cref="TlsFactory.ForClient(ClientFactory, TlsClientOptions)"/>). The server is
    /// verified — its chain, and its name: <see cref="TlsClientOptions.ServerName"/>, or else <paramref name="host"/> —
    /// before the factory builds the protocol; a failed verification reaches
    /// <see cref="ClientFactory.ClientConnectionFailed"/> as a <see cref="TlsHandshakeException"/>.
    /// </summary>
    /// <param name="reactor">The reactor.</param>
    /// <param name="host">An IP literal or host name.</param>
    /// <param name="port">The port.</param>
    /// <param name="factory">Builds the protocol once verified, and hears how the attempt went.</param>
    /// <param name="options">What to verify and present.</param>
    /// <param name="timeout">The TCP connect timeout (the handshake has its own, in <paramref name="options"/>); <c>null</c> means 30 seconds.</param>
    /// <param name="bindAddress">A local address to connect from, or <c>null</c>.</param>
    /// <returns>The connector.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public static IConnector ConnectSsl(this IReactorTcp reactor, string host, int port, ClientFactory factory, TlsClientOptions options, TimeSpan? timeout = null, IPEndPoint? bindAddress = null)
    {
        ArgumentNullException.ThrowIfNull(reactor);
        ArgumentNullException.ThrowIfNull(host);
        return reactor.ConnectTcp(host, port, TlsFactory.ForClient(factory, options, host), timeout, bindAddress);
    }
}
