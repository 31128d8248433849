using System.Net;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Reactor.Endpoints;
using Reactor.Internal.Resolve;
using Reactor.Internal.Unix;
using Reactor.Tls;

namespace Reactor.Internal.Endpoints;

/// <summary>
/// The endpoint kinds every <see cref="EndpointParsers"/> starts with, each with Twisted's parameters, order and
/// defaults (<c>endpoints._parseTCP</c>, <c>_parseUNIX</c>, <c>_TCP6ServerParser</c>, <c>_SystemdParser</c>,
/// <c>_parseClientTCP</c>, <c>_parseClientUNIX</c>), plus the client kinds <c>tcp6</c> and <c>hostname</c>. Values are
/// checked here, so a bad one is an <see cref="EndpointParseException"/> naming its argument, not a failure at listen time.
/// </summary>
internal static class BuiltInKinds
{
    internal static void AddTo(EndpointParsers parsers, SystemdSockets? systemd)
    {
        // Servers.
        parsers.AddServerKind("tcp", ["port", "interface", "backlog"], static (reactor, a) =>
            new Tcp4ServerEndpoint(reactor, Port(a, allowZero: true), Backlog(a), Interface(a, "")));
        parsers.AddServerKind("tcp6", ["port", "backlog", "interface"], static (reactor, a) =>
            new Tcp6ServerEndpoint(reactor, Port(a, allowZero: true), Backlog(a), Interface(a, "::")));

        // Twisted's unix: string takes the lock file unless lockfile=0 (unlike UNIXServerEndpoint's own default).
        parsers.AddServerKind("unix", ["address", "mode", "backlog", "lockfile"], static (reactor, a) =>
            new UnixServerEndpoint(reactor, Path(a, "address"), Backlog(a), Mode(a), a.GetBoolean("lockfile", true)));

        // Twisted's systemd: plugin. The descriptor is looked up now, so a wrong index or name fails the parse.
        parsers.AddServerKind("systemd", ["domain", "index", "name"], (reactor, a) =>
        {
            var (descriptor, family) = Systemd(a, systemd ?? SystemdSockets.Current, datagram: false);
            return new AdoptedStreamServerEndpoint(reactor, descriptor, family);
        });

        // Twisted's ssl: server string (endpoints._parseSSL), its parameters in its order: a PEM key, a PEM certificate (the
        // key's file when absent) with any chain after it, the TLS method, and a chain file. tls: is the same kind under
        // Reactor.Tls's name. The files are read now, so a bad one fails the parse.
        foreach (var kind in new[] { "ssl", "tls" })
        {
            parsers.AddServerKind(kind, ["port", "privateKey", "certKey", "sslmethod", "interface", "backlog", "extraCertChain", "dhParameters"], static (reactor, a) =>
                new TlsServerEndpoint(
                    new Tcp4ServerEndpoint(reactor, Port(a, allowZero: true), Backlog(a), Interface(a, "")),
                    ServerOptions(a)));
        }

        // Datagrams (Reactor's own: Twisted has no datagram descriptions).
        parsers.AddDatagramKind("udp", ["port", "interface", "maxPacketSize"], static (reactor, a) =>
            new UdpEndpoint(reactor, Port(a, allowZero: true), Interface(a, ""), MaxPacketSize(a)));
        parsers.AddDatagramKind("systemd", ["domain", "index", "name", "maxPacketSize"], (reactor, a) =>
        {
            var (descriptor, family) = Systemd(a, systemd ?? SystemdSockets.Current, datagram: true);
            return new AdoptedDatagramEndpoint(reactor, descriptor, family, MaxPacketSize(a));
        });

        // Clients.
        parsers.AddClientKind("tcp", ["host", "port", "timeout", "bindAddress"], static (reactor, a) =>
            new Tcp4ClientEndpoint(reactor, Host(a), Port(a, allowZero: false), Timeout(a), BindAddress(a)));
        parsers.AddClientKind("tcp6", ["host", "port", "timeout", "bindAddress"], static (reactor, a) =>
            new Tcp6ClientEndpoint(reactor, Host(a), Port(a, allowZero: false), Timeout(a), BindAddress(a)));
        parsers.AddClientKind("hostname", ["host", "port", "timeout", "bindAddress", "attemptDelay"], static (reactor, a) =>
            new HostnameEndpoint(reactor, Host(a), Port(a, allowZero: false), Timeout(a), BindAddress(a),
                a.GetSeconds("attemptDelay", HostnameEndpoint.DefaultAttemptDelay, allowZero: true)));
        parsers.AddClientKind("unix", ["path", "timeout", "lockfile"], static (reactor, a) =>
            new UnixClientEndpoint(reactor, Path(a, "path"), Timeout(a), a.GetBoolean("lockfile", false)));

        // Twisted's tls: client (_TLSClientEndpointParser: HostnameEndpoint underneath, trustRoots, certificate and
        // privateKey) and ssl: client (_parseClientSSL: TCP4 underneath, caCertsDir, certKey and privateKey). Both also take
        // caCerts=<PEM file> (a private CA) and serverName= (the name to verify, when not the host).
        parsers.AddClientKind("tls", ["host", "port", "timeout", "bindAddress", "certificate", "privateKey", "trustRoots", "caCerts", "serverName"], static (reactor, a) =>
            new TlsClientEndpoint(
                reactor,
                new HostnameEndpoint(reactor, Host(a), Port(a, allowZero: false), Timeout(a), BindAddress(a)),
                ClientOptions(a, "certificate", "trustRoots"),
                a.Has("serverName") ? a.GetRequiredString("serverName") : null));
        parsers.AddClientKind("ssl", ["host", "port", "timeout", "bindAddress", "certKey", "privateKey", "caCertsDir", "caCerts", "serverName"], static (reactor, a) =>
            new TlsClientEndpoint(
                reactor,
                new Tcp4ClientEndpoint(reactor, Host(a), Port(a, allowZero: false), Timeout(a), BindAddress(a)),
                ClientOptions(a, "certKey", "caCertsDir"),
                a.Has("serverName") ? a.GetRequiredString("serverName") : null));
    }

    /// <summary>The descriptor and family a <c>systemd:</c> description names: exactly one of <c>index</c> and <c>name</c>.</summary>
    internal static (int Descriptor, AddressFamily Family) Systemd(EndpointArguments a, SystemdSockets sockets, bool datagram)
    {
        var domain = a.GetRequiredString("domain");
        var family = domain.ToUpperInvariant() switch
        {
            "INET" => AddressFamily.InterNetwork,
            "INET6" => AddressFamily.InterNetworkV6,
            "UNIX" when !datagram => AddressFamily.Unix,
            _ => throw a.Invalid("domain", datagram ? $"must be INET or INET6, not '{domain}'" : $"must be INET, INET6 or UNIX, not '{domain}'"),
        };

        if (a.Has("index") == a.Has("name"))
        {
            throw a.Invalid(a.Has("index") ? "name" : "index", "and 'name' cannot both be given, and one of them must be: give exactly one of index=N and name=X");
        }

        if (a.Has("index"))
        {
            var index = a.GetInt32("index", null, 0, int.MaxValue);
            return index < sockets.Descriptors.Count
                ? (sockets.Descriptors[index], family)
                : throw a.Invalid("index", $"is {index}, but {sockets.Describe()}");
        }

        var name = a.GetRequiredString("name");
        for (var i = 0; i < sockets.Names.Count; i++)
        {
            if (sockets.Names[i] == name)
            {
                return (sockets.Descriptors[i], family);
            }
        }

        throw a.Invalid("name", $"is '{name}', but {sockets.Describe()}");
    }

    /// <summary>
    /// Twisted's <c>privateKey</c> (default <c>server.pem</c>) and <c>certKey</c> (default: the key's file), both PEM, the
    /// certificates after the first in <c>certKey</c>'s file and then <c>extraCertChain</c>'s as the chain, in file order;
    /// <c>sslmethod</c> as the versions; <c>dhParameters</c> refused.
    /// </summary>
    private static TlsServerOptions ServerOptions(EndpointArguments a)
    {
        var key = a.GetString("privateKey", "server.pem");
        var certificatePath = a.GetString("certKey", key);
        var certificateName = a.Has("certKey") ? "certKey" : "privateKey";
        var options = new TlsServerOptions(LoadPem(a, certificateName, certificatePath, key));
        var chain = new X509Certificate2Collection();
        LoadCertificates(a, certificateName, certificatePath, chain);
        chain.RemoveAt(0); // the server's own certificate
        if (a.Has("extraCertChain"))
        {
            // Twisted: the file must hold at least one certificate.
            LoadAuthorities(a, "extraCertChain", chain);
        }

        if (chain.Count > 0)
        {
            options.IntermediateCertificates = chain;
        }

        if (a.Has("sslmethod"))
        {
            var method = a.GetRequiredString("sslmethod");
            options.EnabledProtocols = method.ToUpperInvariant() switch
            {
                "SSLV23_METHOD" or "TLS_METHOD" => SslProtocols.Tls12 | SslProtocols.Tls13,
                "TLSV1_2_METHOD" => SslProtocols.Tls12,
                "SSLV2_METHOD" or "SSLV3_METHOD" or "TLSV1_METHOD" or "TLSV1_1_METHOD" =>
                    throw a.Invalid("sslmethod", $"is '{method}', a version Reactor refuses: TLS 1.2 and 1.3 only (SSLv23_METHOD, the default, negotiates them; TLSv1_2_METHOD allows only 1.2)"),
                _ => throw a.Invalid("sslmethod", $"must be SSLv23_METHOD (TLS 1.2 and 1.3, the default) or TLSv1_2_METHOD, not '{method}'"),
            };
        }

        if (a.Has("dhParameters"))
        {
            throw a.Invalid("dhParameters", ".NET's TLS chooses its own key exchange (ECDHE, or TLS 1.3's) and cannot load Diffie-Hellman parameters: leave it out");
        }

        return options;
    }

    /// <summary>Every certificate in the PEM file <paramref name="path"/>, in order, added to <paramref name="into"/>.</summary>
    private static void LoadCertificates(EndpointArguments a, string name, string path, X509Certificate2Collection into)
    {
        try
        {
            into.ImportFromPemFile(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException)
        {
            throw a.Invalid(name, $"names '{path}', which cannot be read as PEM certificates: {e.Message}");
        }
    }

    /// <summary>A client's options: the trusted authorities (<c>caCerts</c> or the kind's own name) and a client certificate.</summary>
    private static TlsClientOptions ClientOptions(EndpointArguments a, string certificateName, string trustName)
    {
        var options = new TlsClientOptions();
        var trust = new X509Certificate2Collection();
        foreach (var name in new[] { "caCerts", trustName })
        {
            if (a.Has(name))
            {
                LoadAuthorities(a, name, trust);
            }
        }

        if (trust.Count > 0)
        {
            options.TrustedCertificateAuthorities = trust;
        }

        if (a.Has(certificateName) != a.Has("privateKey"))
        {
            throw a.Invalid(a.Has(certificateName) ? "privateKey" : certificateName, $"is needed too: a client certificate takes both {certificateName} and privateKey");
        }

        if (a.Has(certificateName))
        {
            options.ClientCertificate = LoadPem(a, certificateName, a.GetRequiredString(certificateName), a.GetRequiredString("privateKey"));
        }

        return options;
    }

    /// <summary>The certificates of a PEM file, or of every <c>.pem</c> and <c>.crt</c> file of a directory (Twisted's <c>caCertsDir</c>).</summary>
    private static void LoadAuthorities(EndpointArguments a, string name, X509Certificate2Collection into)
    {
        var path = a.GetRequiredString(name);
        var files = Directory.Exists(path)
            ? Directory.GetFiles(path).Where(f => f.EndsWith(".pem", StringComparison.OrdinalIgnoreCase) || f.EndsWith(".crt", StringComparison.OrdinalIgnoreCase)).Order(StringComparer.Ordinal).ToArray()
            : [path];
        var before = into.Count;
        foreach (var file in files)
        {
            LoadCertificates(a, name, file, into);
        }

        if (into.Count == before)
        {
            throw a.Invalid(name, $"names '{path}', which holds no PEM certificate");
        }
    }

    private static X509Certificate2 LoadPem(EndpointArguments a, string name, string certificatePath, string keyPath)
    {
        try
        {
            return X509Certificate2.CreateFromPemFile(certificatePath, keyPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException or ArgumentException)
        {
            throw a.Invalid(name, $"cannot be loaded (certificate '{certificatePath}', key '{keyPath}', both PEM): {e.Message}");
        }
    }

    private static int Port(EndpointArguments a, bool allowZero) => a.GetInt32("port", null, allowZero ? 0 : 1, IPEndPoint.MaxPort);

    private static int MaxPacketSize(EndpointArguments a) => a.GetInt32("maxPacketSize", 8192, 0, 65_535);

    private static int Backlog(EndpointArguments a) => a.GetInt32("backlog", 50, 1, int.MaxValue);

    private static TimeSpan Timeout(EndpointArguments a) => a.GetSeconds("timeout", EndpointChecks.DefaultTimeout);

    private static string Host(EndpointArguments a)
    {
        var host = a.GetRequiredString("host");
        return host.Trim().Length > 0 ? host : throw a.Invalid("host", "cannot be empty");
    }

    /// <summary>An IP literal, or the kind's default when absent; a host name is refused, as by <c>ListenTcp</c> (D24).</summary>
    private static string Interface(EndpointArguments a, string defaultValue)
    {
        var value = a.GetString("interface", defaultValue);
        return value.Length == 0 || IPLiteral.TryParse(value, out _)
            ? value
            : throw a.Invalid("interface", $"must be an IP address (write an IPv6 one with its colons escaped, as \\:\\:1), not '{value}'");
    }

    /// <summary>Twisted's <c>(bindAddress, 0)</c>: a local IP address, any port.</summary>
    private static IPEndPoint? BindAddress(EndpointArguments a)
    {
        if (!a.Has("bindAddress"))
        {
            return null;
        }

        var value = a.GetRequiredString("bindAddress");
        return IPLiteral.TryParse(value, out var address)
            ? new IPEndPoint(address, 0)
            : throw a.Invalid("bindAddress", $"must be a local IP address, not '{value}'");
    }

    private static string Path(EndpointArguments a, string name)
    {
        var path = a.GetRequiredString(name);
        try
        {
            _ = UnixPath.Parse(path);
        }
        catch (InvalidAddressException e)
        {
            throw a.Invalid(name, $"is not a usable UNIX socket path: {e.Reason}");
        }

        return path;
    }

    /// <summary>Twisted's <c>int(mode, 8)</c>: octal digits (<c>660</c>, <c>0660</c>, <c>0o660</c>); absent means 0666.</summary>
    private static UnixFileMode? Mode(EndpointArguments a)
    {
        if (!a.Has("mode"))
        {
            return null;
        }

        var text = a.GetRequiredString("mode").Trim();
        var digits = text.StartsWith("0o", StringComparison.OrdinalIgnoreCase) ? text[2..] : text;
        var value = 0;
        if (digits.Length is 0 or > 5 || !digits.All(c => c is >= '0' and <= '7'))
        {
            throw a.Invalid("mode", $"must be an octal file mode such as 660 or 0600, not '{text}'");
        }

        foreach (var digit in digits)
        {
            value = (value * 8) + (digit - '0');
        }

        return value <= 0xFFF
            ? (UnixFileMode)value
            : throw a.Invalid("mode", $"must be an octal file mode up to 7777, not '{text}'");
    }
}
