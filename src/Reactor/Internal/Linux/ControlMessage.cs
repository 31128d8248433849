using System.Runtime.InteropServices;

namespace Reactor.Internal.Linux;

/// <summary>
/// Ancillary data (<c>struct cmsghdr</c>) as 64-bit Linux lays it out: <c>{ size_t cmsg_len; int cmsg_level;
/// int cmsg_type; }</c> (16 bytes), then the data, each message padded to 8 bytes. This is <c>CMSG_LEN</c>,
/// <c>CMSG_SPACE</c>, <c>CMSG_FIRSTHDR</c>/<c>CMSG_NXTHDR</c> and <c>CMSG_DATA</c>, written once for the UDP GSO send
/// (<c>UDP_SEGMENT</c>) and the GRO read (<c>UDP_GRO</c>).
/// </summary>
internal static class ControlMessage
{
    /// <summary><c>sizeof(struct cmsghdr)</c>.</summary>
    internal const int HeaderLength = 16;

    private const int LevelOffset = 8;
    private const int TypeOffset = 12;

    /// <summary><c>CMSG_LEN(dataLength)</c>: the <c>cmsg_len</c> of a message carrying that much data.</summary>
    internal static int Length(int dataLength) => HeaderLength + dataLength;

    /// <summary><c>CMSG_SPACE(dataLength)</c>: the room a message carrying that much data takes, padding included.</summary>
    internal static int Space(int dataLength) => HeaderLength + Align(dataLength);

    /// <summary>
    /// Writes one control message carrying <paramref name="data"/> at the start of <paramref name="buffer"/> (at least
    /// <c>Space(data.Length)</c> bytes); returns the bytes used, for <c>msg_controllen</c>.
    /// </summary>
    internal static int Write(Span<byte> buffer, int level, int type, ReadOnlySpan<byte> data)
    {
        var space = Space(data.Length);
        var message = buffer[..space];
        MemoryMarshal.Write(message, (ulong)Length(data.Length));
        MemoryMarshal.Write(message[LevelOffset..], level);
        MemoryMarshal.Write(message[TypeOffset..], type);
        data.CopyTo(message[HeaderLength..]);
        message[(HeaderLength + data.Length)..].Clear();
        return space;
    }

    /// <summary>Writes one control message carrying a <c>u16</c> (e.g. <c>UDP_SEGMENT</c>'s segment size); returns the bytes used.</summary>
    internal static int Write(Span<byte> buffer, int level, int type, ushort value) =>
        Write(buffer, level, type, MemoryMarshal.AsBytes(new ReadOnlySpan<ushort>(in value)));

    /// <summary>
    /// Finds the first message of <paramref name="level"/> and <paramref name="type"/> with an <c>int</c> of data in
    /// <paramref name="control"/> (the <c>msg_control</c> bytes, <c>msg_controllen</c> long), walking past others.
    /// A message that claims more bytes than are there (the kernel truncated the list) ends the walk.
    /// </summary>
    internal static bool TryFind(ReadOnlySpan<byte> control, int level, int type, out int value)
    {
        var offset = 0;
        while (control.Length - offset >= HeaderLength)
        {
            var message = control[offset..];
            var length = MemoryMarshal.Read<ulong>(message);
            if (length < HeaderLength || length > (ulong)message.Length)
            {
                break;
            }

            if (MemoryMarshal.Read<int>(message[LevelOffset..]) == level &&
                MemoryMarshal.Read<int>(message[TypeOffset..]) == type &&
                length >= (ulong)Length(sizeof(int)))
            {
                value = MemoryMarshal.Read<int>(message[HeaderLength..]);
                return true;
            }

            offset += Align((int)length);
        }

        value = 0;
        return false;
    }

    /// <summary><c>CMSG_ALIGN</c>: up to a multiple of <c>sizeof(size_t)</c>.</summary>
    private static int Align(int length) => (length + 7) & ~7;
}
