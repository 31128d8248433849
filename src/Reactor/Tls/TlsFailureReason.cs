namespace Reactor.Tls;

/// <summary>Why a TLS handshake failed (<see cref="TlsHandshakeException.Reason"/>).</summary>
public enum TlsFailureReason
{
    /// <summary>Something else: see the exception's message and inner exception.</summary>
    Other,

    /// <summary>The certificate is for other names than the one asked for (or verified).</summary>
    NameMismatch,

    /// <summary>The certificate's chain does not end in a trusted authority (a self-signed or private-CA certificate the client does not trust).</summary>
    UntrustedCertificate,

    /// <summary>A certificate of the chain has expired or is not yet valid.</summary>
    ExpiredCertificate,

    /// <summary>The peer sent no certificate where one was required.</summary>
    CertificateMissing,

    /// <summary>The peer offered no TLS version this side allows (for example a TLS 1.0-only peer).</summary>
    ProtocolVersion,

    /// <summary>The handshake took longer than the options' <c>HandshakeTimeout</c>.</summary>
    Timeout,

    /// <summary>The connection closed before the handshake completed.</summary>
    ConnectionClosed,
}
