namespace Reactor.Tls;

/// <summary>
/// Implemented by a <see cref="Protocol"/> that wants to know when its connection's TLS handshake has completed
/// (Twisted's <c>IHandshakeListener</c>). It is called only once the handshake <b>and</b> the peer's verification have
/// succeeded — never for a failed verification (decision D35 in docs/decisions.md) — right after
/// <see cref="Protocol.ConnectionMade"/> for a connection made through TLS, or when <c>StartTls</c> has finished
/// upgrading one. <see cref="ITlsTransport"/> then has the negotiated protocol, version, cipher and peer certificate.
/// </summary>
public interface IHandshakeListener
{
    /// <summary>The handshake completed and the peer was verified.</summary>
    void HandshakeCompleted();
}
