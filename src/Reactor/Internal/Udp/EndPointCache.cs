using System.Buffers.Binary;
using System.Net;
using System.Runtime.CompilerServices;

namespace Reactor.Internal.Udp;

/// <summary>
/// Maps a sender's raw socket address bytes to one <see cref="IPEndPoint"/>, so that receiving from a known peer
/// allocates nothing (Twisted hands out a new tuple per datagram; .NET would allocate an IPEndPoint, an IPAddress and a
/// SocketAddress). Direct-mapped with a fixed number of slots: memory is bounded whatever the number of senders, and a
/// collision only costs one allocation when the evicted peer comes back.
/// </summary>
internal sealed class EndPointCache
{
    /// <summary>Room for the largest key: a <c>sockaddr_in6</c> (28 bytes) in any OS layout.</summary>
    internal const int MaxKeyLength = 32;

    private readonly Entry[] _entries;
    private readonly int _mask;

    internal EndPointCache(int slots = 256)
    {
        if (slots <= 0 || (slots & (slots - 1)) != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(slots), slots, "Must be a power of two.");
        }

        _entries = new Entry[slots];
        _mask = slots - 1;
    }

    /// <summary>How many lookups missed (allocated a new endpoint); for tests and metrics.</summary>
    internal long Misses { get; private set; }

    /// <summary>
    /// The endpoint for <paramref name="key"/> (the raw address bytes as the OS wrote them); calls
    /// <paramref name="decode"/> with <paramref name="state"/> to build one on a miss.
    /// </summary>
    internal IPEndPoint GetOrAdd<TState>(ReadOnlySpan<byte> key, TState state, Func<TState, IPEndPoint> decode)
    {
        if (key.Length > MaxKeyLength)
        {
            key = key[..MaxKeyLength];
        }

        ref var entry = ref _entries[Hash(key) & _mask];
        if (entry.EndPoint is not null && entry.Length == key.Length && key.SequenceEqual(entry.Key.AsSpan()[..entry.Length]))
        {
            return entry.EndPoint;
        }

        Misses++;
        var endPoint = decode(state);
        entry.Key ??= new byte[MaxKeyLength];
        key.CopyTo(entry.Key);
        entry.Length = key.Length;
        entry.EndPoint = endPoint;
        return endPoint;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Hash(ReadOnlySpan<byte> key)
    {
        // FNV-1a over 4-byte words: addresses differ mostly in the port and the last address bytes.
        var hash = 2166136261u;
        var i = 0;
        for (; i + 4 <= key.Length; i += 4)
        {
            hash = (hash ^ BinaryPrimitives.ReadUInt32LittleEndian(key[i..])) * 16777619u;
        }

        for (; i < key.Length; i++)
        {
            hash = (hash ^ key[i]) * 16777619u;
        }

        return (int)(hash ^ (hash >> 15));
    }

    private struct Entry
    {
        public byte[]? Key;
        public int Length;
        public IPEndPoint? EndPoint;
    }
}
