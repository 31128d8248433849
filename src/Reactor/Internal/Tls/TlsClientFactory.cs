using System.Net;
using Reactor.Tls;

namespace Reactor.Internal.Tls;

/// <summary>
/// A client factory that puts TLS under the protocol another client factory builds. The wrapped factory hears of the
/// connection only once the handshake and verification succeeded (D35): a connection whose handshake fails is, to it, a
/// failed attempt (<see cref="ClientFactory.ClientConnectionFailed"/> with a <see cref="TlsHandshakeException"/>).
/// </summary>
internal sealed class TlsClientFactory : ClientFactory
{
    private readonly ClientFactory _wrapped;
    private readonly TlsClientOptions _options;
    private readonly string? _serverName;
    private TlsProtocol? _current;

    internal TlsClientFactory(ClientFactory wrapped, TlsClientOptions options, string? serverName)
    {
        _wrapped = wrapped;
        _options = options;
        _serverName = serverName;
        Noisy = false;
    }

    public override string LogPrefix => $"{_wrapped.LogPrefix} (TLS)";

    public override Protocol? BuildProtocol(EndPoint address)
    {
        _current = new TlsProtocol(_options, _serverName, () => _wrapped.BuildProtocol(address));
        return _current;
    }

    public override void StartFactory() => _wrapped.DoStart();

    public override void StopFactory() => _wrapped.DoStop();

    public override void StartedConnecting(IConnector connector) => _wrapped.StartedConnecting(connector);

    public override void ClientConnectionFailed(IConnector connector, Failure reason) => _wrapped.ClientConnectionFailed(connector, reason);

    public override void ClientConnectionLost(IConnector connector, Failure reason)
    {
        var tls = _current;
        _current = null;
        if (tls is { IsHandshakeComplete: true, Application: not null })
        {
            _wrapped.ClientConnectionLost(connector, reason);
            return;
        }

        // The handshake never completed (or verified): to the application, the attempt failed — with the handshake's
        // reason, which is known once the handshake has failed on the close (an alert the peer sent just before it).
        if (tls is null)
        {
            _wrapped.ClientConnectionFailed(connector, reason);
            return;
        }

        tls.WhenLossSettled(() =>
        {
            if (tls is { IsHandshakeComplete: true, Application: not null })
            {
                _wrapped.ClientConnectionLost(connector, reason);
            }
            else
            {
                _wrapped.ClientConnectionFailed(connector, new Failure(tls.Failure ?? reason.Exception));
            }
        });
    }

    public override string ToString() => $"<TLS over {_wrapped}>";
}
