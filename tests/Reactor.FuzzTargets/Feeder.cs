using Reactor.Testing;

namespace Reactor.Fuzz;

/// <summary>Plays a script's stream into a protocol through a <see cref="FakeStreamTransport"/>, chunk by chunk.</summary>
internal static class Feeder
{
    /// <summary>
    /// Sends each chunk with <see cref="FakeStreamTransport.Receive(ReadOnlySpan{byte})"/>. Before each chunk and at the
    /// end, a receiver that paused itself is resumed (one turn of the loop after each resume, bounded), as a consumer that
    /// caught up would; with <paramref name="pauseAround"/> the receiver is also paused before each chunk (the transport
    /// then holds it) and resumed after.
    /// </summary>
    public static void Feed(FakeStreamTransport transport, ReadOnlySpan<byte> stream, List<(int Offset, int Length)> chunks, IPushProducer? producer, Func<bool> paused, bool pauseAround)
    {
        foreach (var (offset, length) in chunks)
        {
            ResumeHeld(transport, producer, paused, stream.Length);
            if (pauseAround && producer is not null)
            {
                producer.PauseProducing();
                transport.Receive(stream.Slice(offset, length));
                producer.ResumeProducing();
                transport.Pump();
            }
            else
            {
                transport.Receive(stream.Slice(offset, length));
            }
        }

        ResumeHeld(transport, producer, paused, stream.Length);
    }

    private static void ResumeHeld(FakeStreamTransport transport, IPushProducer? producer, Func<bool> paused, int bound)
    {
        for (var i = 0; producer is not null && i <= bound + 1 && paused(); i++)
        {
            producer.ResumeProducing();
            transport.Pump();
        }
    }
}
