using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace Reactor.Tls;

/// <summary>
/// How a TLS client verifies the server and presents itself: the name to verify (and send with SNI), the certificate
/// authorities to trust, a client certificate, TLS versions, ALPN, and the handshake and close timeouts.
/// Verification of the certificate chain and of the name is <b>on by default</b> (decision D35 in docs/decisions.md).
/// </summary>
/// <example>
/// <code>
/// var options = new TlsClientOptions { ServerName = "example.test", TrustedCertificateAuthorities = myCa };
/// reactor.ConnectSsl("127.0.0.1", 8443, clientFactory, options);
/// </code>
/// </example>
public sealed class TlsClientOptions
{
    /// <summary>
    /// The server's name: sent with SNI (when it is a DNS name) and checked against the server's certificate.
    /// <c>null</c> means the host given to <see cref="TlsReactorExtensions.ConnectSsl"/>; an IP literal there is checked
    /// against the certificate's IP addresses. A name in Unicode is sent and checked in its IDNA form
    /// (<c>bücher.example</c> as <c>xn--bcher-kva.example</c>), as Twisted's <c>optionsForClientTLS</c> does.
    /// </summary>
    public string? ServerName { get; set; }

    /// <summary>
    /// The certificate authorities the server's chain must end in, instead of the system's trusted roots; <c>null</c>
    /// (the default) uses the system's roots. For a private CA: <c>X509Certificate2Collection.ImportFromPemFile</c>.
    /// </summary>
    public X509Certificate2Collection? TrustedCertificateAuthorities { get; set; }

    /// <summary>
    /// <b>Turns verification off</b>: any certificate, for any name, from any issuer, expired or not, is accepted. Only for
    /// tests and diagnostics; a connection made this way is not protected against an attacker in the middle.
    /// </summary>
    public bool DangerousAcceptAnyServerCertificate { get; set; }

    /// <summary>A certificate (with its private key) to present when the server asks for one; <c>null</c> by default.</summary>
    public X509Certificate2? ClientCertificate { get; set; }

    /// <summary>The TLS versions allowed. Default TLS 1.2 and 1.3; older versions are refused.</summary>
    public SslProtocols EnabledProtocols { get; set; } = SslProtocols.Tls12 | SslProtocols.Tls13;

    /// <summary>The ALPN protocols offered, in order of preference (decision D37 in docs/decisions.md: per connection, readable afterwards on <see cref="ITlsTransport.NegotiatedApplicationProtocol"/>). Empty by default.</summary>
    public IList<SslApplicationProtocol> ApplicationProtocols { get; } = [];

    /// <summary>How long a handshake may take before the attempt fails. Default 10 seconds.</summary>
    public TimeSpan HandshakeTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>After this side's close_notify, how long to wait for the peer's before closing anyway (decision D34 in docs/decisions.md). Default 5 seconds.</summary>
    public TimeSpan CloseTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Throws if a value is out of range.</summary>
    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(HandshakeTimeout, TimeSpan.Zero, nameof(HandshakeTimeout));
        ArgumentOutOfRangeException.ThrowIfLessThan(CloseTimeout, TimeSpan.Zero, nameof(CloseTimeout));
    }
}
