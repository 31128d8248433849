namespace Reactor;

/// <summary>
/// A producer that writes one chunk each time the consumer asks for more (Twisted's <c>IPullProducer</c>,
/// "non-streaming"): the transport calls <see cref="ResumeProducing"/> when it is registered and again every time its
/// write buffer has drained. A pull producer is never paused.
/// </summary>
public interface IPullProducer : IProducer
{
    /// <summary>Write the next chunk now (or unregister if there is nothing left).</summary>
    void ResumeProducing();
}
