using System.Net;
using System.Net.Sockets;
using Reactor.Internal.Linux;
using Reactor.Internal.Resolve;
using static Reactor.Internal.Linux.MulticastOptions;

namespace Reactor.Internal.Udp;

/// <summary>
/// A UDP port that joins multicast groups (Twisted's <c>MulticastPort</c>), going past Twisted as decision D11 says:
/// IPv6 groups, source-specific joins, interfaces by address, name or index, and no traffic from groups this socket did
/// not join. Options are set as Linux's raw socket options, the same way on both backends.
/// </summary>
internal sealed class MulticastPort : UdpPort, IMulticastTransport
{
    private string _outgoingInterface;

    private MulticastPort(ReactorBase reactor, DatagramProtocol protocol, IDatagramSocket socket, IPEndPoint local, string @interface, int maxPacketSize)
        : base(reactor, protocol, socket, local, @interface, maxPacketSize)
    {
        _outgoingInterface = IsIPv6 ? "::" : "0.0.0.0";
    }

    private bool IsIPv6 => Socket.AddressFamily == AddressFamily.InterNetworkV6;

    internal static MulticastPort ListenMulticast(ReactorBase reactor, int port, DatagramProtocol protocol, string @interface, int maxPacketSize, bool listenMultiple)
    {
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException("Multicast options are implemented for Linux; other systems are not supported yet.");
        }

        var (socket, local) = BindDatagramSocket(reactor, port, protocol, @interface, maxPacketSize, listenMultiple);
        var multicast = new MulticastPort(reactor, protocol, socket, local, @interface, maxPacketSize);
        multicast.ReceiveOnlyJoinedGroups();
        multicast.Start();
        return multicast;
    }

    /// <summary>D11: a wildcard-bound socket receives only the groups it joined (Linux delivers every joined group by default).</summary>
    private void ReceiveOnlyJoinedGroups()
    {
        Span<byte> off = stackalloc byte[4];
        WriteInt(off, 0);
        Socket.SetRawOption(Interop.IPPROTO_IP, Interop.IP_MULTICAST_ALL, off);
        if (IsIPv6)
        {
            Socket.SetRawOption(Interop.IPPROTO_IPV6, Interop.IPV6_MULTICAST_ALL, off);
        }
    }

    public int Ttl
    {
        get => ReadIntOption(IsIPv6 ? Interop.IPV6_MULTICAST_HOPS : Interop.IP_MULTICAST_TTL);
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, 255);
            WriteIntOption(IsIPv6 ? Interop.IPV6_MULTICAST_HOPS : Interop.IP_MULTICAST_TTL, value);
        }
    }

    public bool LoopbackMode
    {
        get => ReadIntOption(IsIPv6 ? Interop.IPV6_MULTICAST_LOOP : Interop.IP_MULTICAST_LOOP) != 0;
        set => WriteIntOption(IsIPv6 ? Interop.IPV6_MULTICAST_LOOP : Interop.IP_MULTICAST_LOOP, value ? 1 : 0);
    }

    public string OutgoingInterface
    {
        get
        {
            VerifyOpen();
            return _outgoingInterface;
        }
    }

    public Deferred<object?> SetOutgoingInterface(string @interface)
    {
        ArgumentNullException.ThrowIfNull(@interface);
        VerifyOpen();
        return ResolveInterface(@interface).Then(found =>
        {
            if (found is not { } chosen)
            {
                return Deferred.Fail<object?>(new InvalidAddressException(@interface, "no such network interface"));
            }

            SocketError error;
            if (IsIPv6)
            {
                if (!chosen.TryGetIndex(out var index) || chosen.Address?.AddressFamily == AddressFamily.InterNetwork)
                {
                    return Deferred.Fail<object?>(new InvalidAddressException(@interface, "no IPv6 network interface has this address"));
                }

                Span<byte> value = stackalloc byte[4];
                WriteInt(value, index);
                error = Socket.SetRawOption(Interop.IPPROTO_IPV6, Interop.IPV6_MULTICAST_IF, value);
            }
            else
            {
                if (chosen.Address?.AddressFamily == AddressFamily.InterNetworkV6)
                {
                    return Deferred.Fail<object?>(new InvalidAddressException(@interface, "IPv4 port given an IPv6 interface address"));
                }

                Span<byte> value = stackalloc byte[IPMreqnSize];
                WriteIPMreqn(value, IPAddress.Any, chosen.Address ?? IPAddress.Any, chosen.Index);
                error = Socket.SetRawOption(Interop.IPPROTO_IP, Interop.IP_MULTICAST_IF, value);
            }

            if (error != SocketError.Success)
            {
                return Deferred.Fail<object?>(new SocketException((int)error));
            }

            _outgoingInterface = chosen.IsAny ? (IsIPv6 ? "::" : "0.0.0.0") : chosen.Address?.ToString() ?? chosen.Text;
            return Deferred.Succeed<object?>(null);
        });
    }

    public Deferred<object?> JoinGroup(string group, string @interface = "") => Membership("join", group, null, @interface, join: true);

    public Deferred<object?> LeaveGroup(string group, string @interface = "") => Membership("leave", group, null, @interface, join: false);

    public Deferred<object?> JoinSourceGroup(string group, string source, string @interface = "")
    {
        ArgumentNullException.ThrowIfNull(source);
        return Membership("join", group, source, @interface, join: true);
    }

    public Deferred<object?> LeaveSourceGroup(string group, string source, string @interface = "")
    {
        ArgumentNullException.ThrowIfNull(source);
        return Membership("leave", group, source, @interface, join: false);
    }

    /// <summary>
    /// Resolves what needs resolving (hostnames only; literals, names and indexes are immediate, so the Deferred has
    /// already fired, as in Twisted), then adds or drops the membership.
    /// </summary>
    private Deferred<object?> Membership(string operation, string group, string? source, string @interface, bool join)
    {
        ArgumentNullException.ThrowIfNull(group);
        ArgumentNullException.ThrowIfNull(@interface);
        VerifyOpen();
        MulticastJoinException Failed(SocketError error, string? reason = null) =>
            new(operation, group, @interface, source, error, reason);

        return ResolveAddress(group).Then(groupAddress =>
            (source is null ? Deferred.Succeed<IPAddress?>(null) : ResolveAddress(source).Then<IPAddress?>(a => a)).Then(sourceAddress =>
                ResolveInterface(@interface).Then(found =>
                {
                    if (found is not { } chosen)
                    {
                        return Deferred.Fail<object?>(Failed(SocketError.AddressNotAvailable, "no such network interface"));
                    }

                    var error = ApplyMembership(groupAddress, sourceAddress, chosen, join, out var reason);
                    return error == SocketError.Success ? Deferred.Succeed<object?>(null) : Deferred.Fail<object?>(Failed(error, reason));
                })));
    }

    private SocketError ApplyMembership(IPAddress group, IPAddress? source, MulticastInterface chosen, bool join, out string? reason)
    {
        reason = null;
        var family = Socket.AddressFamily;
        if (!UdpWriteRules.IsMulticast(group))
        {
            reason = "not a multicast address";
            return SocketError.InvalidArgument;
        }

        if (group.AddressFamily != family || (source is not null && source.AddressFamily != family))
        {
            reason = $"the port is {(IsIPv6 ? "IPv6" : "IPv4")}; use a port of the group's family";
            return SocketError.AddressFamilyNotSupported;
        }

        if (source is null && !IsIPv6)
        {
            if (chosen.Address?.AddressFamily == AddressFamily.InterNetworkV6)
            {
                reason = "an IPv6 interface address for an IPv4 group";
                return SocketError.AddressFamilyNotSupported;
            }

            Span<byte> request = stackalloc byte[IPMreqnSize];
            WriteIPMreqn(request, group, chosen.Address ?? IPAddress.Any, chosen.Index);
            return Socket.SetRawOption(Interop.IPPROTO_IP, join ? Interop.IP_ADD_MEMBERSHIP : Interop.IP_DROP_MEMBERSHIP, request);
        }

        if (!chosen.TryGetIndex(out var index))
        {
            reason = $"no network interface has the address {chosen.Address}";
            return SocketError.AddressNotAvailable;
        }

        if (source is null)
        {
            Span<byte> request = stackalloc byte[IPv6MreqSize];
            WriteIPv6Mreq(request, group, index);
            return Socket.SetRawOption(Interop.IPPROTO_IPV6, join ? Interop.IPV6_ADD_MEMBERSHIP : Interop.IPV6_DROP_MEMBERSHIP, request);
        }

        Span<byte> sourceRequest = stackalloc byte[GroupSourceReqSize];
        WriteGroupSourceReq(sourceRequest, index, group, source);
        return Socket.SetRawOption(Level(family), join ? Interop.MCAST_JOIN_SOURCE_GROUP : Interop.MCAST_LEAVE_SOURCE_GROUP, sourceRequest);
    }

    /// <summary>A literal at once; a hostname through <c>reactor.Resolve</c>, in the port's family.</summary>
    private Deferred<IPAddress> ResolveAddress(string text) =>
        IPLiteral.TryParse(text, out var literal)
            ? Deferred.Succeed(literal)
            : Reactor.Resolve(text, preference: IsIPv6 ? AddressPreference.IPv6Only : AddressPreference.IPv4Only);

    /// <summary>
    /// An interface given by address, index or name at once (null when no interface has that name); a hostname (it has a
    /// dot) through <c>reactor.Resolve</c>. A dotless unknown name is never sent to DNS.
    /// </summary>
    private Deferred<MulticastInterface?> ResolveInterface(string text)
    {
        if (MulticastInterface.TryParse(text, out var parsed))
        {
            return Deferred.Succeed<MulticastInterface?>(parsed);
        }

        if (MulticastInterface.LooksLikeInterfaceName(text))
        {
            return Deferred.Succeed<MulticastInterface?>(null);
        }

        return ResolveAddress(text).Then<MulticastInterface?>(address => new MulticastInterface(address, 0, text));
    }

    private int ReadIntOption(int name)
    {
        VerifyOpen();
        Span<byte> value = stackalloc byte[4];
        var error = Socket.GetRawOption(Level(Socket.AddressFamily), name, value, out var length);
        return error == SocketError.Success ? ReadInt(value, length) : throw new SocketException((int)error);
    }

    private void WriteIntOption(int name, int value)
    {
        VerifyOpen();
        Span<byte> bytes = stackalloc byte[4];
        WriteInt(bytes, value);
        var error = Socket.SetRawOption(Level(Socket.AddressFamily), name, bytes);
        if (error != SocketError.Success)
        {
            throw new SocketException((int)error);
        }
    }
}
