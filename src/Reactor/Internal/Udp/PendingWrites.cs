using System.Buffers;
using System.Net;

namespace Reactor.Internal.Udp;

/// <summary>
/// Datagrams waiting for the socket's send buffer to drain (decision D8: queue instead of raising EWOULDBLOCK), in write
/// order, bounded by count and by bytes. Payloads are copied into pooled arrays: the queue allocates only while it is
/// in use, which is when the network is already the bottleneck.
/// </summary>
internal sealed class PendingWrites
{
    private readonly Queue<Entry> _entries = new();
    private readonly int _maxCount;
    private readonly long _maxBytes;

    internal PendingWrites(int maxCount, long maxBytes)
    {
        _maxCount = maxCount;
        _maxBytes = maxBytes;
    }

    internal int Count => _entries.Count;

    internal long Bytes { get; private set; }

    /// <summary>Adds a copy of <paramref name="datagram"/>; <c>false</c> (nothing added) when that would pass a bound.</summary>
    internal bool TryEnqueue(ReadOnlySpan<byte> datagram, IPEndPoint? destination)
    {
        if (_entries.Count >= _maxCount || Bytes + datagram.Length > _maxBytes)
        {
            return false;
        }

        var buffer = ArrayPool<byte>.Shared.Rent(Math.Max(datagram.Length, 1));
        datagram.CopyTo(buffer);
        _entries.Enqueue(new Entry(buffer, datagram.Length, destination));
        Bytes += datagram.Length;
        return true;
    }

    /// <summary>The oldest datagram, without removing it.</summary>
    internal (ReadOnlyMemory<byte> Datagram, IPEndPoint? Destination) Peek()
    {
        var entry = _entries.Peek();
        return (entry.Buffer.AsMemory(0, entry.Length), entry.Destination);
    }

    internal void RemoveOldest()
    {
        var entry = _entries.Dequeue();
        Bytes -= entry.Length;
        ArrayPool<byte>.Shared.Return(entry.Buffer);
    }

    /// <summary>Empties the queue; returns how many datagrams were discarded.</summary>
    internal int Clear()
    {
        var count = _entries.Count;
        while (_entries.Count > 0)
        {
            RemoveOldest();
        }

        return count;
    }

    private readonly record struct Entry(byte[] Buffer, int Length, IPEndPoint? Destination);
}
