using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace Reactor.Tls;

/// <summary>
/// A TLS connection as its protocol sees it (Twisted's <c>ISSLTransport</c> and <c>INegotiated</c>): an
/// <see cref="ITransport"/> whose bytes are encrypted, with what the handshake settled. Reactor thread only.
/// </summary>
/// <remarks>
/// Writes made in one dispatch are encrypted together, into as few TLS records as possible, when the dispatch ends
/// (decision D36 in docs/decisions.md). <see cref="ITransport.LoseConnection"/> sends a close_notify and waits, for at
/// most the options' <c>CloseTimeout</c>, for the peer's before closing (D34); before the handshake has completed it
/// aborts instead.
/// </remarks>
public interface ITlsTransport : ITransport
{
    /// <summary>Whether the handshake has completed and the peer was verified.</summary>
    bool IsHandshakeComplete { get; }

    /// <summary>The application protocol ALPN negotiated (for example <c>h2</c>), or <c>default</c> when none was (or before the handshake).</summary>
    SslApplicationProtocol NegotiatedApplicationProtocol { get; }

    /// <summary>The TLS version negotiated (<see cref="SslProtocols.None"/> before the handshake).</summary>
    SslProtocols SslProtocol { get; }

    /// <summary>The cipher suite negotiated (<c>null</c> before the handshake).</summary>
    TlsCipherSuite? CipherSuite { get; }

    /// <summary>The peer's certificate (<c>null</c> before the handshake, or when a client sent none).</summary>
    X509Certificate2? RemoteCertificate { get; }

    /// <summary>The host name the client asked for with SNI (on a server), or the name it verified (on a client); <c>null</c> if none.</summary>
    string? ServerName { get; }
}
