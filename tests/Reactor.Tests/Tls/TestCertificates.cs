using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Reactor.Tests.Tls;

/// <summary>
/// Certificates made for the tests, in memory (nothing is installed in a system store): a private CA, and server
/// certificates it signs for <c>localhost</c>, 127.0.0.1 and ::1 — valid, expired, or for another name — plus a
/// self-signed one. <see cref="WritePem"/> writes a pair for external peers (openssl, Twisted).
/// </summary>
public static class TestCertificates
{
    private static readonly Lazy<X509Certificate2> LazyCa = new(() => CreateCa("Reactor Test CA"));
    private static readonly Lazy<X509Certificate2> LazyOtherCa = new(() => CreateCa("Someone Else's CA"));
    private static readonly Lazy<X509Certificate2> LazyServer = new(() => Leaf(Ca, "localhost", Now.AddDays(-1), Now.AddDays(30)));
    private static readonly Lazy<X509Certificate2> LazyExpired = new(() => Leaf(Ca, "localhost", Now.AddDays(-30), Now.AddDays(-1)));
    private static readonly Lazy<X509Certificate2> LazyWrongName = new(() => Leaf(Ca, "elsewhere.test", Now.AddDays(-1), Now.AddDays(30), withLoopbackAddresses: false));
    private static readonly Lazy<X509Certificate2> LazyUntrusted = new(() => Leaf(OtherCa, "localhost", Now.AddDays(-1), Now.AddDays(30)));
    private static readonly Lazy<X509Certificate2> LazyIntermediate = new(() => CreateIntermediate(Ca, "Reactor Test Intermediate CA"));
    private static readonly Lazy<X509Certificate2> LazyServerViaIntermediate = new(() => Leaf(Intermediate, "localhost", Now.AddDays(-1), Now.AddDays(30)));
    private static readonly Lazy<X509Certificate2> LazyIdnServer = new(() => Leaf(Ca, "xn--bcher-kva.example", Now.AddDays(-1), Now.AddDays(30), withLoopbackAddresses: false));
    private static readonly Lazy<X509Certificate2> LazyClient = new(() => Leaf(Ca, "client.test", Now.AddDays(-1), Now.AddDays(30), withLoopbackAddresses: false, clientAuth: true));

    private static DateTimeOffset Now => DateTimeOffset.UtcNow;

    /// <summary>The private CA the tests trust.</summary>
    public static X509Certificate2 Ca => LazyCa.Value;

    /// <summary>A CA the tests do not trust.</summary>
    public static X509Certificate2 OtherCa => LazyOtherCa.Value;

    /// <summary>Valid, for localhost, 127.0.0.1 and ::1, signed by <see cref="Ca"/>.</summary>
    public static X509Certificate2 Server => LazyServer.Value;

    /// <summary>Like <see cref="Server"/>, but expired yesterday.</summary>
    public static X509Certificate2 Expired => LazyExpired.Value;

    /// <summary>Valid and signed by <see cref="Ca"/>, but only for elsewhere.test.</summary>
    public static X509Certificate2 WrongName => LazyWrongName.Value;

    /// <summary>For localhost, but signed by <see cref="OtherCa"/>.</summary>
    public static X509Certificate2 Untrusted => LazyUntrusted.Value;

    /// <summary>An intermediate authority signed by <see cref="Ca"/> (with its key).</summary>
    public static X509Certificate2 Intermediate => LazyIntermediate.Value;

    /// <summary>Like <see cref="Server"/>, but signed by <see cref="Intermediate"/>: a client trusting <see cref="Ca"/> verifies it only when the server sends the intermediate.</summary>
    public static X509Certificate2 ServerViaIntermediate => LazyServerViaIntermediate.Value;

    /// <summary>Signed by <see cref="Ca"/> for bücher.example, which a certificate holds in its IDNA form xn--bcher-kva.example.</summary>
    public static X509Certificate2 IdnServer => LazyIdnServer.Value;

    /// <summary>A client certificate signed by <see cref="Ca"/>.</summary>
    public static X509Certificate2 Client => LazyClient.Value;

    /// <summary>The trust store holding only <see cref="Ca"/>.</summary>
    public static X509Certificate2Collection TrustCa => [Ca];

    /// <summary>Writes <paramref name="certificate"/> and its key as PEM files into <paramref name="directory"/>; returns their paths.</summary>
    public static (string Certificate, string Key) WritePem(X509Certificate2 certificate, string directory, string name)
    {
        var certificatePath = Path.Combine(directory, name + ".pem");
        var keyPath = Path.Combine(directory, name + ".key");
        File.WriteAllText(certificatePath, certificate.ExportCertificatePem() + "\n");
        using var key = certificate.GetECDsaPrivateKey();
        File.WriteAllText(keyPath, key!.ExportPkcs8PrivateKeyPem() + "\n");
        return (certificatePath, keyPath);
    }

    /// <summary>Writes <see cref="Ca"/>'s certificate as PEM into <paramref name="directory"/>; returns its path.</summary>
    public static string WriteCaPem(string directory)
    {
        var path = Path.Combine(directory, "ca.pem");
        File.WriteAllText(path, Ca.ExportCertificatePem() + "\n");
        return path;
    }

    private static X509Certificate2 CreateCa(string name)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        return request.CreateSelfSigned(Now.AddDays(-365), Now.AddYears(1));
    }

    private static X509Certificate2 CreateIntermediate(X509Certificate2 issuer, string name)
    {
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(issuer, includeKeyIdentifier: true, includeIssuerAndSerial: false));
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7f;
        using var signed = request.Create(issuer, Now.AddDays(-30), Now.AddDays(180), serial);
        return signed.CopyWithPrivateKey(key);
    }

    private static X509Certificate2 Leaf(X509Certificate2 issuer, string dnsName, DateTimeOffset notBefore, DateTimeOffset notAfter, bool withLoopbackAddresses = true, bool clientAuth = false)
    {
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={dnsName}", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName(dnsName);
        if (withLoopbackAddresses)
        {
            names.AddIpAddress(IPAddress.Loopback);
            names.AddIpAddress(IPAddress.IPv6Loopback);
        }

        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [clientAuth ? new Oid("1.3.6.1.5.5.7.3.2") : new Oid("1.3.6.1.5.5.7.3.1")], false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(issuer, includeKeyIdentifier: true, includeIssuerAndSerial: false));
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7f;
        using var signed = request.Create(issuer, notBefore, notAfter, serial);
        return signed.CopyWithPrivateKey(key);
    }
}
