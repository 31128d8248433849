using System.Buffers.Binary;
using System.Net;
using BenchmarkDotNet.Attributes;
using Reactor.Internal.Udp;

namespace Reactor.Benchmarks.Micro;

/// <summary>
/// The sender address cache (<c>EndPointCache</c>): raw <c>sockaddr</c> bytes → the same <see cref="IPEndPoint"/>. A hit
/// (a known peer) must allocate nothing; a miss builds one endpoint.
/// </summary>
[MemoryDiagnoser]
public class EndPointCacheBenchmarks
{
    private static readonly Func<int, IPEndPoint> Decode = static port => new IPEndPoint(IPAddress.Loopback, port);

    private readonly byte[] _first = SockAddrIn(40_001);
    private readonly byte[] _second = SockAddrIn(40_002);
    private readonly byte[] _v6 = SockAddrIn6(40_003);
    private EndPointCache _cache = null!;
    private EndPointCache _oneSlot = null!;

    [GlobalSetup]
    public void SetUp()
    {
        _cache = new EndPointCache();
        _cache.GetOrAdd(_first, 40_001, Decode);
        _cache.GetOrAdd(_v6, 40_003, Decode);

        // One slot, two peers taking turns: every lookup evicts the other (the worst case of a collision).
        _oneSlot = new EndPointCache(slots: 1);
    }

    [Benchmark]
    public IPEndPoint HitIPv4() => _cache.GetOrAdd(_first, 40_001, Decode);

    [Benchmark]
    public IPEndPoint HitIPv6() => _cache.GetOrAdd(_v6, 40_003, Decode);

    /// <summary>Two lookups, both misses: each allocates one endpoint.</summary>
    [Benchmark(OperationsPerInvoke = 2)]
    public IPEndPoint Miss()
    {
        _oneSlot.GetOrAdd(_first, 40_001, Decode);
        return _oneSlot.GetOrAdd(_second, 40_002, Decode);
    }

    /// <summary>A Linux <c>sockaddr_in</c> for 127.0.0.1:<paramref name="port"/> (16 bytes).</summary>
    private static byte[] SockAddrIn(int port)
    {
        var bytes = new byte[16];
        BinaryPrimitives.WriteUInt16LittleEndian(bytes, 2); // AF_INET
        BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(2), (ushort)port);
        IPAddress.Loopback.TryWriteBytes(bytes.AsSpan(4), out _);
        return bytes;
    }

    /// <summary>A Linux <c>sockaddr_in6</c> for [::1]:<paramref name="port"/> (28 bytes).</summary>
    private static byte[] SockAddrIn6(int port)
    {
        var bytes = new byte[28];
        BinaryPrimitives.WriteUInt16LittleEndian(bytes, 10); // AF_INET6
        BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(2), (ushort)port);
        IPAddress.IPv6Loopback.TryWriteBytes(bytes.AsSpan(8), out _);
        return bytes;
    }
}
