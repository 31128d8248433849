using System.Net.Security;
using System.Runtime.CompilerServices;
using System.Security.Cryptography.X509Certificates;

namespace Reactor.Internal.Tls;

/// <summary>
/// One <see cref="SslStreamCertificateContext"/> per server certificate, built on first use and kept as long as the
/// certificate lives: its chain is resolved once, not on every handshake (as Kestrel does).
/// </summary>
internal static class TlsCertificateContexts
{
    private static readonly ConditionalWeakTable<X509Certificate2, SslStreamCertificateContext> Contexts = [];

    internal static SslStreamCertificateContext For(X509Certificate2 certificate) =>
        Contexts.GetValue(certificate, static c => SslStreamCertificateContext.Create(c, additionalCertificates: null, offline: true));
}
