using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Reactor.Internal.Linux;

/// <summary>
/// The structs Linux's multicast socket options take, written into spans so both backends set them the same way
/// (<c>setsockopt</c> through P/Invoke, or <see cref="Socket.SetRawSocketOption"/>). Layouts are from
/// <c>linux/in.h</c> and <c>linux/in6.h</c> for 64-bit Linux; the option numbers are in <see cref="Interop"/>.
/// </summary>
internal static class MulticastOptions
{
    /// <summary><c>struct ip_mreqn</c>: group, local address, interface index (12 bytes).</summary>
    internal const int IPMreqnSize = 12;

    /// <summary><c>struct ipv6_mreq</c>: group, interface index (20 bytes).</summary>
    internal const int IPv6MreqSize = 20;

    /// <summary><c>struct group_source_req</c>: u32 index, padding, two <c>sockaddr_storage</c> (264 bytes).</summary>
    internal const int GroupSourceReqSize = 264;

    /// <summary>The option level of a socket of <paramref name="family"/>: <c>IPPROTO_IP</c> or <c>IPPROTO_IPV6</c>.</summary>
    internal static int Level(AddressFamily family) => family == AddressFamily.InterNetworkV6 ? Interop.IPPROTO_IPV6 : Interop.IPPROTO_IP;

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
        SockAddr.Encode(group, 0, destination.Slice(8, Interop.SockAddrStorageSize));
        SockAddr.Encode(source, 0, destination.Slice(8 + Interop.SockAddrStorageSize, Interop.SockAddrStorageSize));
    }

    /// <summary>An <c>int</c> option value, in the machine's byte order.</summary>
    internal static void WriteInt(Span<byte> destination, int value) => BinaryPrimitives.WriteInt32LittleEndian(destination, value);

    internal static int ReadInt(ReadOnlySpan<byte> source, int length) =>
        length >= 4 ? BinaryPrimitives.ReadInt32LittleEndian(source) : source[0];
}
