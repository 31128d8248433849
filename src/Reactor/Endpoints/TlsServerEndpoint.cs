using Reactor.Tls;

namespace Reactor.Endpoints;

/// <summary>
/// A TLS server over another stream server endpoint (Twisted's <c>SSL4ServerEndpoint</c>, and the <c>ssl:</c> and
/// <c>tls:</c> server descriptions): it listens where <see cref="Inner"/> does, and every connection is TLS with
/// <see cref="Options"/> (<see cref="TlsFactory.ForServer"/>), so the factory's protocol is built once the handshake
/// succeeded.
/// </summary>
public sealed class TlsServerEndpoint : IStreamServerEndpoint
{
    /// <summary>A TLS server listening where <paramref name="inner"/> does.</summary>
    /// <param name="inner">Where to listen: a <see cref="Tcp4ServerEndpoint"/>, a <see cref="UnixServerEndpoint"/>, ….</param>
    /// <param name="options">The certificate to present and the rest of the TLS options.</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public TlsServerEndpoint(IStreamServerEndpoint inner, TlsServerOptions options)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentNullException.ThrowIfNull(options);
        Inner = inner;
        Options = options;
    }

    /// <summary>The endpoint the TLS connections arrive on.</summary>
    public IStreamServerEndpoint Inner { get; }

    /// <summary>The TLS options every connection uses.</summary>
    public TlsServerOptions Options { get; }

    /// <summary>Listens on <see cref="Inner"/> with <paramref name="factory"/> wrapped in TLS. Reactor thread only.</summary>
    /// <param name="factory">Builds each connection's protocol, after its handshake.</param>
    /// <returns>The inner endpoint's Deferred of the listening port.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="factory"/> is null.</exception>
    public Deferred<IListeningPort> Listen(Factory factory)
    {
        ArgumentNullException.ThrowIfNull(factory);
        return Inner.Listen(TlsFactory.ForServer(factory, Options));
    }

    /// <inheritdoc/>
    public override string ToString() => $"<TlsServerEndpoint over {Inner}>";
}
