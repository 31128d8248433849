using System.Net;
using Reactor.Tls;

namespace Reactor.Internal.Tls;

/// <summary>
/// A server factory that puts TLS under the protocols another factory builds (Twisted's <c>TLSMemoryBIOFactory</c>,
/// server side): each connection gets a <see cref="TlsProtocol"/>, and the wrapped factory's protocol is built once the
/// handshake has succeeded. Quiet, as Twisted's: the wrapped factory is the one that logs.
/// </summary>
internal sealed class TlsServerFactory : Factory
{
    private readonly Factory _wrapped;
    private readonly TlsServerOptions _options;

    internal TlsServerFactory(Factory wrapped, TlsServerOptions options)
    {
        _wrapped = wrapped;
        _options = options;
        Noisy = false;
    }

    public override string LogPrefix => $"{_wrapped.LogPrefix} (TLS)";

    public override Protocol? BuildProtocol(EndPoint address) => new TlsProtocol(_options, () => _wrapped.BuildProtocol(address));

    public override void StartFactory() => _wrapped.DoStart();

    public override void StopFactory() => _wrapped.DoStop();

    public override string ToString() => $"<TLS over {_wrapped}>";
}
