namespace Reactor;

/// <summary>
/// Something that writes data into a consumer (a transport) when asked (Twisted's <c>IProducer</c>). Register it with
/// <see cref="IConsumer.RegisterProducer"/>; the consumer then paces it. Use <see cref="IPushProducer"/> for a producer that
/// writes on its own until paused, <see cref="IPullProducer"/> for one that writes a chunk each time it is asked.
/// </summary>
public interface IProducer
{
    /// <summary>Stop producing for good: the consumer is going away (its connection closed, or it was told to stop).</summary>
    void StopProducing();
}
