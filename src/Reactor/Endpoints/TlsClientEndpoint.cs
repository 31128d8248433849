using System.Net;
using Reactor.Internal.Tls;
using Reactor.Tls;

namespace Reactor.Endpoints;

/// <summary>
/// A TLS client over another stream client endpoint (Twisted's <c>wrapClientTLS</c>, and the <c>tls:</c> and
/// <c>ssl:</c> client descriptions): it connects with <see cref="Inner"/>, then runs the TLS handshake with
/// <see cref="Options"/> and verifies the server. The factory's protocol is built, and the Deferred fires with it, only
/// once the server is verified (decision D35 in docs/decisions.md); a failed handshake or verification fails the
/// Deferred with a <see cref="TlsHandshakeException"/>.
/// </summary>
public sealed class TlsClientEndpoint : IStreamClientEndpoint
{
    private readonly IReactorTime _clock;
    private readonly string? _serverName;

    /// <summary>A TLS client connecting with <paramref name="inner"/>.</summary>
    /// <param name="clock">The reactor (it delivers the protocol after its <see cref="Protocol.ConnectionMade"/>).</param>
    /// <param name="inner">How to reach the server: a <see cref="HostnameEndpoint"/>, a <see cref="Tcp4ClientEndpoint"/>, a <see cref="UnixClientEndpoint"/>, ….</param>
    /// <param name="options">What to verify and present. The name verified is <see cref="TlsClientOptions.ServerName"/>, else <paramref name="serverName"/>, else the inner endpoint's host (TCP and hostname endpoints).</param>
    /// <param name="serverName">The name to verify when the options give none; <c>null</c>: the inner endpoint's host.</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">No name to verify (and verification is not turned off).</exception>
    public TlsClientEndpoint(IReactorTime clock, IStreamClientEndpoint inner, TlsClientOptions options, string? serverName = null)
    {
        ArgumentNullException.ThrowIfNull(clock);
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentNullException.ThrowIfNull(options);
        _clock = clock;
        Inner = inner;
        Options = options;
        var host = serverName ?? inner switch
        {
            TcpClientEndpoint tcp => tcp.Host,
            HostnameEndpoint hostname => hostname.Host,
            _ => null,
        };
        _serverName = TlsFactory.ServerNameFor(options, host);
    }

    /// <summary>The endpoint the connection is made with.</summary>
    public IStreamClientEndpoint Inner { get; }

    /// <summary>The TLS options the connection uses.</summary>
    public TlsClientOptions Options { get; }

    /// <summary>
    /// Connects with <see cref="Inner"/>, runs the handshake, verifies the server, then builds the protocol with
    /// <paramref name="factory"/>. Reactor thread only.
    /// </summary>
    /// <param name="factory">Builds the protocol once the server is verified.</param>
    /// <returns>
    /// A Deferred of the protocol, fired after its <see cref="Protocol.ConnectionMade"/>. It fails with the inner
    /// endpoint's failure, with a <see cref="TlsHandshakeException"/> when the handshake or the verification failed,
    /// or with <see cref="NoProtocolException"/>; cancelling it before it fires stops the attempt (or closes a
    /// connection still handshaking) and fails it with <see cref="ConnectingCancelledException"/>.
    /// </returns>
    /// <exception cref="ArgumentNullException"><paramref name="factory"/> is null.</exception>
    public Deferred<Protocol> Connect(Factory factory)
    {
        ArgumentNullException.ThrowIfNull(factory);
        return new Attempt(this, factory).Start();
    }

    /// <inheritdoc/>
    public override string ToString() => $"<TlsClientEndpoint over {Inner}>";

    /// <summary>One connection attempt: the inner connect, then the handshake, then the delivery.</summary>
    private sealed class Attempt(TlsClientEndpoint endpoint, Factory factory) : Factory
    {
        private Deferred<Protocol>? _inner;
        private TlsProtocol? _tls;
        private Protocol? _app;
        private bool _built;
        private EndPoint? _peer;
        private Deferred<Protocol> _result = null!;

        public override string LogPrefix => $"{factory.LogPrefix} (TLS)";

        internal Deferred<Protocol> Start()
        {
            Noisy = false;
            _result = new Deferred<Protocol>(Cancel);
            _inner = endpoint.Inner.Connect(this);
            _inner.AddCallbacks(
                connected => connected,
                failure =>
                {
                    Fail(failure.Exception);
                    return null!;
                });
            return _result;
        }

        public override void StartFactory() => factory.DoStart();

        public override void StopFactory() => factory.DoStop();

        public override Protocol? BuildProtocol(EndPoint address)
        {
            _peer = address;
            _tls = new TlsProtocol(endpoint.Options, endpoint._serverName, BuildApplication) { LostUnconnected = Fail };
            return _tls;
        }

        /// <summary>The handshake succeeded and the server is verified: the application's protocol, delivered after its ConnectionMade.</summary>
        private Protocol? BuildApplication()
        {
            _built = true;
            _app = factory.BuildProtocol(_peer!);
            if (_app is not null)
            {
                endpoint._clock.CallLater(TimeSpan.Zero, Deliver);
            }

            return _app;
        }

        private void Deliver()
        {
            if (!_result.Called && _app is not null)
            {
                _result.Callback(_app);
            }
        }

        private void Fail(Exception reason)
        {
            if (_result.Called)
            {
                return;
            }

            _result.Errback(_built && _app is null ? new NoProtocolException(_peer) : reason);
        }

        private void Cancel(Deferred<Protocol> result)
        {
            if (_inner is { Called: false })
            {
                _inner.Cancel(); // fails the inner Deferred with ConnectingCancelledException, which fails ours
                return;
            }

            var tls = _tls;
            if (!result.Called)
            {
                result.Errback(new ConnectingCancelledException(_peer));
            }

            tls?.AbortConnection();
        }
    }
}
