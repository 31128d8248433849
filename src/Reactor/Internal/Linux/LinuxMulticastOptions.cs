using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Reactor.Internal.Linux;

/// <summary>
/// Linux's multicast socket options and the structs they take, written into spans so both backends set them the same way
/// (<c>setsockopt</c> through P/Invoke, or <see cref="Socket.SetRawSocketOption"/>). Values are from
/// <c>linux/in.h</c> and <c>linux/in6.h</c>; layouts are for 64-bit Linux.
/// </summary>
internal static class LinuxMulticastOptions
{
    internal const int IPPROTO_IP = 0;
    internal const int IPPROTO_IPV6 = 41;

    internal const int IP_MULTICAST_IF = 32;
    internal const int IP_MULTICAST_TTL = 33;
    internal const int IP_MULTICAST_LOOP = 34;
    internal const int IP_ADD_MEMBERSHIP = 35;
    internal const int IP_DROP_MEMBERSHIP = 36;
    internal const int IP_MULTICAST_ALL = 49;

    internal const int IPV6_MULTICAST_IF = 17;
    internal const int IPV6_MULTICAST_HOPS = 18;
    internal const int IPV6_MULTICAST_LOOP = 19;
    internal const int IPV6_ADD_MEMBERSHIP = 20;
    internal const int IPV6_DROP_MEMBERSHIP = 21;
    internal const int IPV6_MULTICAST_ALL = 29;

    internal const int MCAST_JOIN_SOURCE_GROUP = 46;
    internal const int MCAST_LEAVE_SOURCE_GROUP = 47;

    /// <summary><c>struct ip_mreqn</c>: group, local address, interface index (12 bytes).</summary>
    internal const int IPMreqnSize = 12;

    /// <summary><c>struct ipv6_mreq</c>: group, interface index (20 bytes).</summary>
    internal const int IPv6MreqSize = 20;

    /// <summary><c>struct group_source_req</c>: u32 index, padding, two <c>sockaddr_storage</c> (264 bytes).</summary>
    internal const int GroupSourceReqSize = 264;

    private const ushort AF_INET = 2;
    private const ushort AF_INET6 = 10;

    internal static int Level(AddressFamily family) => family == AddressFamily.InterNetworkV6 ? IPPROTO_IPV6 : IPPROTO_IP;

    /// <summary>Writes <c>ip_mreqn</c>: join on the interface with <paramref name="interfaceAddress"/>, or index <paramref name="interfaceIndex"/> (0 and 0.0.0.0: the kernel picks).</summary>
    internal static void WriteIPMreqn(Span<byte> destination, IPAddress group, IPAddress interfaceAddress, int interfaceIndex)
    {
        destination[..IPMreqnSize].Clear();
        group.TryWriteBytes(destination[..4], out _);
        interfaceAddress.TryWriteBytes(destination.Slice(4, 4), out _);
        BinaryPrimitives.WriteInt32LittleEndian(destination.Slice(8, 4), interfaceIndex);
    }

    /// <summary>Writes <c>ipv6_mreq</c>.</summary>
    internal static void WriteIPv6Mreq(Span<byte> destination, IPAddress group, int interfaceIndex)
    {
        destination[..IPv6MreqSize].Clear();
        group.TryWriteBytes(destination[..16], out _);
        BinaryPrimitives.WriteInt32LittleEndian(destination.Slice(16, 4), interfaceIndex);
    }

    /// <summary>Writes <c>group_source_req</c> for a source-specific join or leave (IPv4 or IPv6).</summary>
    internal static void WriteGroupSourceReq(Span<byte> destination, int interfaceIndex, IPAddress group, IPAddress source)
    {
        destination[..GroupSourceReqSize].Clear();
        BinaryPrimitives.WriteUInt32LittleEndian(destination, (uint)interfaceIndex);
        WriteSockAddr(destination.Slice(8, 128), group);
        WriteSockAddr(destination.Slice(136, 128), source);
    }

    /// <summary>An <c>int</c> option value, in the machine's byte order.</summary>
    internal static void WriteInt(Span<byte> destination, int value) => BinaryPrimitives.WriteInt32LittleEndian(destination, value);

    internal static int ReadInt(ReadOnlySpan<byte> source, int length) =>
        length >= 4 ? BinaryPrimitives.ReadInt32LittleEndian(source) : source[0];

    private static void WriteSockAddr(Span<byte> destination, IPAddress address)
    {
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(destination, AF_INET);
            address.TryWriteBytes(destination.Slice(4, 4), out _);
        }
        else
        {
            BinaryPrimitives.WriteUInt16LittleEndian(destination, AF_INET6);
            address.TryWriteBytes(destination.Slice(8, 16), out _);
            BinaryPrimitives.WriteUInt32LittleEndian(destination.Slice(24, 4), (uint)address.ScopeId);
        }
    }
}
