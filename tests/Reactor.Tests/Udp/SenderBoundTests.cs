using System.Net;
using Reactor.Internal.Udp;

namespace Reactor.Tests.Udp;

/// <summary>Issue 7, "security": nothing a port keeps grows with the number of remote senders.</summary>
[Trait("kind", "security")]
public class SenderBoundTests
{
    [Fact]
    public void The_endpoint_cache_keeps_at_most_one_sender_per_slot_however_many_senders_there_are()
    {
        const int Slots = 16;
        const int Senders = 10_000;
        var cache = new EndPointCache(Slots);
        var endpoints = new IPEndPoint[Senders];
        for (var i = 0; i < Senders; i++)
        {
            endpoints[i] = new IPEndPoint(new IPAddress(new byte[] { 10, (byte)(i >> 16), (byte)(i >> 8), (byte)i }), 1000 + (i % 7));
            cache.GetOrAdd(endpoints[i].Serialize().Buffer.Span, endpoints[i], static e => e).Should().BeSameAs(endpoints[i]);
        }

        cache.Misses.Should().Be(Senders);

        // Asking again for every sender: only those still in a slot hit, so at most Slots were retained.
        var hits = 0;
        for (var i = 0; i < Senders; i++)
        {
            var before = cache.Misses;
            cache.GetOrAdd(endpoints[i].Serialize().Buffer.Span, endpoints[i], static e => e);
            hits += cache.Misses == before ? 1 : 0;
        }

        hits.Should().BeLessThanOrEqualTo(Slots, "a direct-mapped cache evicts instead of growing");
    }
}
