namespace Reactor;

/// <summary>
/// A UDP port that can join multicast groups (Twisted's <c>IMulticastTransport</c>), for IPv4 and IPv6 groups, with
/// any-source and source-specific joins. All members are reactor-thread-only.
/// </summary>
/// <remarks>
/// <para>Interfaces are named by address (<c>"192.0.2.7"</c>), by name (<c>"lo"</c>, <c>"eth0"</c>), by index
/// (<c>"1"</c>), or <c>""</c> to let the kernel choose from its routing table. IPv6 joins need an index or a name
/// unless the kernel can choose.</para>
/// <para>As in Twisted, the methods that take addresses return Deferreds: already fired when every argument is a literal
/// (or an interface name or index), otherwise fired once the hostname has been resolved with <c>reactor.Resolve</c>.</para>
/// </remarks>
public interface IMulticastTransport : IUdpTransport
{
    /// <summary>IP_MULTICAST_TTL / IPV6_MULTICAST_HOPS: how many routers a multicast datagram may cross; 1 (the default) keeps it on the local network.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is outside 0–255.</exception>
    int Ttl { get; set; }

    /// <summary>
    /// IP_MULTICAST_LOOP / IPV6_MULTICAST_LOOP: whether datagrams this port sends to a group are also delivered to sockets
    /// on this host that joined it (including this one). On by default. On Linux it applies to the sending socket.
    /// </summary>
    bool LoopbackMode { get; set; }

    /// <summary>The interface multicast datagrams are sent from: <c>"0.0.0.0"</c> (or <c>"::"</c>) until set, meaning the kernel chooses.</summary>
    string OutgoingInterface { get; }

    /// <summary>Sets the interface multicast datagrams are sent from (IP_MULTICAST_IF / IPV6_MULTICAST_IF).</summary>
    /// <param name="interface">An address, name or index; a hostname is resolved first.</param>
    /// <returns>A Deferred that fires (with null) once set, or fails: <see cref="InvalidAddressException"/> for an interface that does not exist, <see cref="System.Net.Sockets.SocketException"/> when the OS refuses, <see cref="DnsLookupException"/> for an unknown hostname.</returns>
    Deferred<object?> SetOutgoingInterface(string @interface);

    /// <summary>Joins <paramref name="group"/> on <paramref name="interface"/>, so datagrams sent to it arrive at this port.</summary>
    /// <param name="group">A multicast address (224.0.0.0/4 or ff00::/8); a hostname is resolved first.</param>
    /// <param name="interface">Where to join; <c>""</c> lets the kernel choose.</param>
    /// <returns>A Deferred that fires (with null) once joined, or fails with <see cref="MulticastJoinException"/> (e.g. not a multicast address, already joined, no such interface) or <see cref="DnsLookupException"/>.</returns>
    Deferred<object?> JoinGroup(string group, string @interface = "");

    /// <summary>Leaves a group joined with <see cref="JoinGroup"/>.</summary>
    /// <param name="group">The group.</param>
    /// <param name="interface">The interface it was joined on.</param>
    /// <returns>A Deferred that fires once left, or fails with <see cref="MulticastJoinException"/> (e.g. not a member).</returns>
    Deferred<object?> LeaveGroup(string group, string @interface = "");

    /// <summary>
    /// Joins <paramref name="group"/> for datagrams from <paramref name="source"/> only (source-specific multicast,
    /// RFC 4607: groups 232.0.0.0/8 and ff3x::/32). Call it once per source to accept several.
    /// </summary>
    /// <param name="group">The group.</param>
    /// <param name="source">The only sender to accept.</param>
    /// <param name="interface">Where to join; <c>""</c> lets the kernel choose.</param>
    /// <returns>A Deferred that fires once joined, or fails with <see cref="MulticastJoinException"/>.</returns>
    Deferred<object?> JoinSourceGroup(string group, string source, string @interface = "");

    /// <summary>Leaves a source-specific membership.</summary>
    /// <param name="group">The group.</param>
    /// <param name="source">The source.</param>
    /// <param name="interface">The interface it was joined on.</param>
    /// <returns>A Deferred that fires once left, or fails with <see cref="MulticastJoinException"/>.</returns>
    Deferred<object?> LeaveSourceGroup(string group, string source, string @interface = "");
}
