namespace Reactor.Internal.Streams;

/// <summary>
/// The argument checks of <see cref="ITransport"/>, in one place for every stream transport (<see cref="StreamConnection"/>
/// and <c>Reactor.Testing.FakeStreamTransport</c>), so each throws the same exception for the same mistake.
/// </summary>
internal static class TransportArguments
{
    /// <summary>A new high watermark: at least 1 and not below the low one.</summary>
    internal static int HighWatermark(int value, int lowWatermark)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(value, lowWatermark);
        return value;
    }

    /// <summary>A new low watermark: not negative and not above the high one.</summary>
    internal static int LowWatermark(int value, int highWatermark)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(value);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(value, highWatermark);
        return value;
    }

    /// <summary>A producer may register when none is and it implements the interface <paramref name="streaming"/> names.</summary>
    internal static void VerifyProducer(IProducer? registered, IProducer producer, bool streaming)
    {
        if (registered is not null)
        {
            throw new InvalidOperationException($"Cannot register producer {producer}: producer {registered} was never unregistered.");
        }

        if (streaming ? producer is not IPushProducer : producer is not IPullProducer)
        {
            throw new ArgumentException(
                streaming ? "A streaming producer must implement IPushProducer." : "A non-streaming producer must implement IPullProducer.",
                nameof(producer));
        }
    }
}
