using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;

namespace Reactor.Internal.Linux;

/// <summary>
/// Linux <c>sockaddr_in</c> / <c>sockaddr_in6</c> encoding without allocation. Layout: family (u16, host order),
/// port (u16, network order), then for IPv4 the address and 8 zero bytes (16 bytes in all); for IPv6 flowinfo (u32),
/// the address and scope_id (u32, host order) (28 bytes in all). And <c>sockaddr_un</c> for UNIX sockets: family, then
/// up to 108 bytes of path — a file path ends with a NUL, a Linux abstract name starts with one and has none at the end
/// (its length says where it ends); only the family (2 bytes) for an unnamed socket.
/// </summary>
internal static class SockAddr
{
    internal const int IPv4Length = 16;
    internal const int IPv6Length = 28;

    /// <summary><c>sizeof(struct sockaddr_un)</c>: the family and 108 bytes of path.</summary>
    internal const int UnixLength = 110;

    /// <summary>Room for either IP layout; stackalloc this much.</summary>
    internal const int MaxLength = IPv6Length;

    /// <summary>Room for any address <see cref="Encode(EndPoint, Span{byte})"/> writes, UNIX included.</summary>
    internal const int MaxAnyLength = UnixLength;

    /// <summary>The address of an unnamed UNIX socket (a client that did not bind): empty, as .NET reports it.</summary>
    internal static readonly UnixDomainSocketEndPoint UnnamedUnix =
        (UnixDomainSocketEndPoint)new UnixDomainSocketEndPoint("/").Create(new SocketAddress(AddressFamily.Unix, 2));

    /// <summary>
    /// Writes an IP or UNIX address into <paramref name="destination"/> (at least <see cref="MaxAnyLength"/> bytes);
    /// returns the length to pass as <c>socklen_t</c>. A UNIX address allocates (it is read through .NET's serializer).
    /// </summary>
    internal static int Encode(EndPoint endpoint, Span<byte> destination)
    {
        switch (endpoint)
        {
            case IPEndPoint ip:
                return Encode(ip.Address, ip.Port, destination);
            case UnixDomainSocketEndPoint unix:
                // .NET serializes the path exactly as the kernel wants it (a file path NUL-terminated, an abstract name
                // with its leading NUL and no trailing one); only the family is rewritten with Linux's number.
                var serialized = unix.Serialize();
                var length = Math.Min(serialized.Size, UnixLength);
                destination[..UnixLength].Clear();
                serialized.Buffer.Span[2..length].CopyTo(destination[2..]);
                MemoryMarshal.Write(destination, (ushort)Interop.AF_UNIX);
                return length;
            default:
                throw new ArgumentException($"Not an IP or UNIX socket address: {endpoint}.", nameof(endpoint));
        }
    }

    /// <summary>Builds an IP or UNIX endpoint from a socket address the kernel wrote (allocates).</summary>
    internal static EndPoint DecodeAny(ReadOnlySpan<byte> sockaddr)
    {
        var family = sockaddr.Length >= 2 ? MemoryMarshal.Read<ushort>(sockaddr) : 0;
        if (family != Interop.AF_UNIX)
        {
            return Decode(sockaddr);
        }

        var path = sockaddr[2..];
        if (path.IsEmpty)
        {
            return UnnamedUnix;
        }

        if (path[0] == 0)
        {
            // Linux's abstract namespace: the name is every byte after the NUL (.NET shows it as "@name").
            return new UnixDomainSocketEndPoint("\0" + Encoding.UTF8.GetString(path[1..]));
        }

        var end = path.IndexOf((byte)0);
        return new UnixDomainSocketEndPoint(Encoding.UTF8.GetString(end < 0 ? path : path[..end]));
    }

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
