using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Reactor.Internal.Linux;

/// <summary>
/// Linux <c>sockaddr_in</c> / <c>sockaddr_in6</c> encoding without allocation. Layout: family (u16, host order),
/// port (u16, network order), then for IPv4 the address and 8 zero bytes (16 bytes in all); for IPv6 flowinfo (u32),
/// the address and scope_id (u32, host order) (28 bytes in all).
/// </summary>
internal static class SockAddr
{
    internal const int IPv4Length = 16;
    internal const int IPv6Length = 28;

    /// <summary>Room for either layout; stackalloc this much.</summary>
    internal const int MaxLength = IPv6Length;

    /// <summary>
    /// Writes <paramref name="endpoint"/> into <paramref name="destination"/> (at least <see cref="MaxLength"/> bytes);
    /// returns the length to pass as <c>socklen_t</c>.
    /// </summary>
    internal static int Encode(IPEndPoint endpoint, Span<byte> destination) => Encode(endpoint.Address, endpoint.Port, destination);

    /// <summary>
    /// Writes <paramref name="address"/> and <paramref name="port"/> into <paramref name="destination"/> (at least
    /// <see cref="MaxLength"/> bytes); returns the length to pass as <c>socklen_t</c>. Port 0 for an address alone
    /// (e.g. inside a multicast request).
    /// </summary>
    internal static int Encode(IPAddress address, int port, Span<byte> destination)
    {
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            destination[..IPv4Length].Clear();
            MemoryMarshal.Write(destination, (ushort)Interop.AF_INET);
            BinaryPrimitives.WriteUInt16BigEndian(destination[2..], (ushort)port);
            address.TryWriteBytes(destination.Slice(4, 4), out _);
            return IPv4Length;
        }

        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            destination[..IPv6Length].Clear();
            MemoryMarshal.Write(destination, (ushort)Interop.AF_INET6);
            BinaryPrimitives.WriteUInt16BigEndian(destination[2..], (ushort)port);
            address.TryWriteBytes(destination.Slice(8, 16), out _);
            MemoryMarshal.Write(destination[24..], (uint)address.ScopeId);
            return IPv6Length;
        }

        throw new ArgumentException($"Not an IP address: {address}.", nameof(address));
    }

    /// <summary>Builds an endpoint from a socket address the kernel wrote (allocates: call on a cache miss only).</summary>
    internal static IPEndPoint Decode(ReadOnlySpan<byte> sockaddr)
    {
        var family = sockaddr.Length >= 2 ? MemoryMarshal.Read<ushort>(sockaddr) : 0;
        if (family == Interop.AF_INET && sockaddr.Length >= 8)
        {
            return new IPEndPoint(new IPAddress(sockaddr.Slice(4, 4)), BinaryPrimitives.ReadUInt16BigEndian(sockaddr[2..]));
        }

        if (family == Interop.AF_INET6 && sockaddr.Length >= IPv6Length)
        {
            var scopeId = MemoryMarshal.Read<uint>(sockaddr[24..]);
            return new IPEndPoint(new IPAddress(sockaddr.Slice(8, 16), scopeId), BinaryPrimitives.ReadUInt16BigEndian(sockaddr[2..]));
        }

        throw new ArgumentException($"Unsupported socket address (family {family}, {sockaddr.Length} bytes).", nameof(sockaddr));
    }
}
