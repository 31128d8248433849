using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace Reactor.Tls;

/// <summary>
/// How a TLS server presents itself and what it accepts: the certificate (or one per SNI host name), client
/// certificates, TLS versions and ALPN protocols, and the handshake and close timeouts. Hand it to
/// <see cref="TlsReactorExtensions.ListenSsl"/>, <see cref="TlsFactory.ForServer"/> or
/// <see cref="TlsTransportExtensions.StartTls(ITransport, TlsServerOptions)"/>.
/// </summary>
/// <example>
/// <code>
/// var options = TlsServerOptions.FromPemFiles("server.pem", "server.key");
/// reactor.ListenSsl(8443, Factory.ForProtocol&lt;Echo&gt;(), options);
/// </code>
/// </example>
public sealed class TlsServerOptions
{
    /// <summary>A server that presents <paramref name="certificate"/> (which must carry its private key) to every client.</summary>
    /// <param name="certificate">The server certificate, with its private key.</param>
    /// <exception cref="ArgumentNullException"><paramref name="certificate"/> is null.</exception>
    /// <exception cref="ArgumentException">The certificate has no private key.</exception>
    public TlsServerOptions(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        if (!certificate.HasPrivateKey)
        {
            throw new ArgumentException("A TLS server needs its certificate's private key.", nameof(certificate));
        }

        Certificate = certificate;
    }

    /// <summary>
    /// A server that picks its certificate by the host name the client asks for (SNI) with <paramref name="selector"/>;
    /// the selector gets <c>null</c> when the client sent no name, and returning <c>null</c> refuses the handshake.
    /// </summary>
    /// <param name="selector">Chooses the certificate (with its private key) for a host name.</param>
    /// <exception cref="ArgumentNullException"><paramref name="selector"/> is null.</exception>
    public TlsServerOptions(Func<string?, X509Certificate2?> selector)
    {
        ArgumentNullException.ThrowIfNull(selector);
        CertificateSelector = selector;
    }

    private X509Certificate2Collection? _intermediates;
    private SslStreamCertificateContext? _context;

    /// <summary>The certificate every client is shown, or <c>null</c> when <see cref="CertificateSelector"/> chooses.</summary>
    public X509Certificate2? Certificate { get; }

    /// <summary>
    /// The certificates sent after <see cref="Certificate"/> so that clients can build its chain to a root they trust:
    /// the intermediate authorities, the certificate's issuer first (Twisted's <c>extraCertChain</c>). <c>null</c> (the
    /// default): only what the system's certificate stores hold. <see cref="FromPemFiles"/> takes them from the
    /// certificates that follow the first in its file. Used with <see cref="Certificate"/>; a
    /// <see cref="CertificateSelector"/>'s certificates are sent with what the system's stores hold.
    /// </summary>
    public X509Certificate2Collection? IntermediateCertificates
    {
        get => _intermediates;
        set
        {
            _intermediates = value;
            _context = null;
        }
    }

    /// <summary>
    /// <see cref="Certificate"/> with <see cref="IntermediateCertificates"/>, its chain resolved once for every handshake
    /// (as Kestrel does), not per connection. Several reactors may race to build it; each gets an equal one.
    /// </summary>
    internal SslStreamCertificateContext CertificateContext =>
        _context ??= SslStreamCertificateContext.Create(Certificate!, _intermediates, offline: true);

    /// <summary>Chooses the certificate by the client's SNI host name, or <c>null</c> when <see cref="Certificate"/> is used.</summary>
    public Func<string?, X509Certificate2?>? CertificateSelector { get; }

    /// <summary>Whether clients must present a certificate (verified against <see cref="ClientCertificateAuthorities"/>, or the system's roots). Off by default.</summary>
    public bool RequireClientCertificate { get; set; }

    /// <summary>The certificate authorities client certificates must chain to; <c>null</c> (the default) uses the system's trusted roots.</summary>
    public X509Certificate2Collection? ClientCertificateAuthorities { get; set; }

    /// <summary>The TLS versions allowed. Default TLS 1.2 and 1.3, as Twisted's minimum; older versions are refused.</summary>
    public SslProtocols EnabledProtocols { get; set; } = SslProtocols.Tls12 | SslProtocols.Tls13;

    /// <summary>The ALPN protocols the server accepts, in order of preference (for example <see cref="SslApplicationProtocol.Http2"/>). Empty by default: no ALPN.</summary>
    public IList<SslApplicationProtocol> ApplicationProtocols { get; } = [];

    /// <summary>How long a handshake may take before the connection is aborted. Default 10 seconds (Netty's).</summary>
    public TimeSpan HandshakeTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// After this side's close_notify, how long to wait for the peer's before closing anyway (decision D34 in
    /// docs/decisions.md). Default 5 seconds.
    /// </summary>
    public TimeSpan CloseTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// A server that presents the first certificate in the PEM file <paramref name="certificatePath"/>, with its private
    /// key from <paramref name="keyPath"/> (PKCS#8 or RSA/EC PEM; it may be the same file), and sends the certificates
    /// that follow it in the file, in their order, as its chain (<see cref="IntermediateCertificates"/>).
    /// </summary>
    /// <param name="certificatePath">The certificate's PEM file, with any chain certificates after it.</param>
    /// <param name="keyPath">The private key's PEM file.</param>
    /// <returns>The options.</returns>
    /// <exception cref="System.Security.Cryptography.CryptographicException">A file is not a certificate or key the runtime can read.</exception>
    public static TlsServerOptions FromPemFiles(string certificatePath, string keyPath)
    {
        ArgumentNullException.ThrowIfNull(certificatePath);
        ArgumentNullException.ThrowIfNull(keyPath);
        var options = new TlsServerOptions(X509Certificate2.CreateFromPemFile(certificatePath, keyPath));
        var all = new X509Certificate2Collection();
        all.ImportFromPemFile(certificatePath);
        if (all.Count > 1)
        {
            options.IntermediateCertificates = [.. all.Skip(1)];
        }

        return options;
    }

    /// <summary>Throws if a value is out of range.</summary>
    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(HandshakeTimeout, TimeSpan.Zero, nameof(HandshakeTimeout));
        ArgumentOutOfRangeException.ThrowIfLessThan(CloseTimeout, TimeSpan.Zero, nameof(CloseTimeout));
    }
}
