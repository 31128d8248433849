using System.Net;
using System.Net.Sockets;
using Reactor.Endpoints;
using Reactor.Internal.Resolve;
using Reactor.Internal.Unix;

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
