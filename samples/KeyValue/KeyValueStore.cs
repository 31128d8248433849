using System.Diagnostics.CodeAnalysis;
using System.Runtime.InteropServices;

namespace Reactor.Samples.KeyValue;

/// <summary>
/// The server's keys and values (byte strings), with expiry deadlines on the reactor's clock. Lookups take a span, so
/// reading a key allocates nothing. An expired key is removed when it is next touched (Redis's lazy expiry) and is
/// never seen by GET, EXISTS, KEYS or DBSIZE.
/// </summary>
internal sealed class KeyValueStore(IReactorTime clock)
{
    private readonly Dictionary<byte[], Entry> _entries = new(ByteStringComparer.Instance);

    /// <summary>A value and the reactor time (<see cref="IReactorTime.Seconds"/>) it expires at, or infinity.</summary>
    internal struct Entry(byte[] value, double expiresAt)
    {
        public byte[] Value = value;
        public double ExpiresAt = expiresAt;
    }

    private Dictionary<byte[], Entry>.AlternateLookup<ReadOnlySpan<byte>> Lookup => _entries.GetAlternateLookup<ReadOnlySpan<byte>>();

    public bool TryGet(ReadOnlySpan<byte> key, [NotNullWhen(true)] out byte[]? value)
    {
        if (Lookup.TryGetValue(key, out var entry) && !Expired(key, entry))
        {
            value = entry.Value;
            return true;
        }

        value = null;
        return false;
    }

    public bool Exists(ReadOnlySpan<byte> key) => TryGet(key, out _);

    /// <summary>Sets <paramref name="key"/>, replacing any value and expiry; <paramref name="ttlSeconds"/> null keeps it forever.</summary>
    public void Set(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, double? ttlSeconds = null)
    {
        var expiresAt = ttlSeconds is { } ttl ? clock.Seconds() + ttl : double.PositiveInfinity;
        ref var entry = ref CollectionsMarshal.GetValueRefOrAddDefault(Lookup, key, out var existed);
        entry.Value = existed && entry.Value.Length == value.Length ? entry.Value : new byte[value.Length];
        value.CopyTo(entry.Value);
        entry.ExpiresAt = expiresAt;
    }

    public bool Delete(ReadOnlySpan<byte> key) => Lookup.Remove(key, out _, out var entry) && entry.ExpiresAt > clock.Seconds();

    /// <summary>Every live key matching the glob <paramref name="pattern"/>.</summary>
    public List<byte[]> Keys(ReadOnlySpan<byte> pattern)
    {
        var now = clock.Seconds();
        var keys = new List<byte[]>();
        foreach (var (key, entry) in _entries)
        {
            if (entry.ExpiresAt > now && Glob.Matches(pattern, key))
            {
                keys.Add(key);
            }
        }

        return keys;
    }

    public int Count()
    {
        var now = clock.Seconds();
        var count = 0;
        foreach (var entry in _entries.Values)
        {
            if (entry.ExpiresAt > now)
            {
                count++;
            }
        }

        return count;
    }

    public void Clear() => _entries.Clear();

    private bool Expired(ReadOnlySpan<byte> key, Entry entry)
    {
        if (entry.ExpiresAt > clock.Seconds())
        {
            return false;
        }

        Lookup.Remove(key);
        return true;
    }

    /// <summary>Byte strings compared by content, looked up by span without copying them.</summary>
    private sealed class ByteStringComparer : IEqualityComparer<byte[]>, IAlternateEqualityComparer<ReadOnlySpan<byte>, byte[]>
    {
        public static readonly ByteStringComparer Instance = new();

        public bool Equals(byte[]? x, byte[]? y) => x.AsSpan().SequenceEqual(y);

        public int GetHashCode(byte[] obj) => GetHashCode((ReadOnlySpan<byte>)obj);

        public bool Equals(ReadOnlySpan<byte> alternate, byte[] other) => alternate.SequenceEqual(other);

        public int GetHashCode(ReadOnlySpan<byte> alternate)
        {
            var hash = default(HashCode);
            hash.AddBytes(alternate);
            return hash.ToHashCode();
        }

        public byte[] Create(ReadOnlySpan<byte> alternate) => alternate.ToArray();
    }
}
