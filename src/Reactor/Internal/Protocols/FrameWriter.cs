using System.Buffers;

namespace Reactor.Internal.Protocols;

/// <summary>Writes one frame (header, payload, trailer) to a transport without allocating.</summary>
internal static class FrameWriter
{
    private const int StackLimit = 512;

    /// <summary>
    /// Frames up to this size are assembled and written with one <c>Write</c>, so each leaves in one segment even
    /// outside a dispatch; a larger payload is written in place, between its header and trailer (inside a dispatch the
    /// three are gathered into one send anyway).
    /// </summary>
    private const int CopyLimit = 16 * 1024;

    public static void Write(ITransport? transport, ReadOnlySpan<byte> header, ReadOnlySpan<byte> payload, ReadOnlySpan<byte> trailer)
    {
        var connection = transport ?? throw new InvalidOperationException("The protocol has no transport to write to: it is not connected.");
        var total = header.Length + payload.Length + trailer.Length;
        if (total > CopyLimit)
        {
            connection.Write(header);
            connection.Write(payload);
            connection.Write(trailer);
            return;
        }

        byte[]? rented = null;
        var frame = total <= StackLimit ? stackalloc byte[StackLimit] : (rented = ArrayPool<byte>.Shared.Rent(total));
        header.CopyTo(frame);
        payload.CopyTo(frame[header.Length..]);
        trailer.CopyTo(frame[(header.Length + payload.Length)..]);
        connection.Write(frame[..total]);
        if (rented is not null)
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }
}
