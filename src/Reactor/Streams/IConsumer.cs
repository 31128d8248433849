namespace Reactor;

/// <summary>Something data can be written into, at a pace it sets for a registered producer (Twisted's <c>IConsumer</c>).</summary>
public interface IConsumer
{
    /// <summary>
    /// Registers <paramref name="producer"/> to write into this consumer. A streaming producer (<paramref name="streaming"/>
    /// <c>true</c>, an <see cref="IPushProducer"/>) is paused and resumed as the write buffer fills and drains; a pull
    /// producer (<c>false</c>, an <see cref="IPullProducer"/>) is asked for a chunk at once and whenever the buffer is
    /// empty. If the connection has already closed, the producer is told to stop instead and is not registered.
    /// </summary>
    /// <param name="producer">The producer.</param>
    /// <param name="streaming"><c>true</c> for an <see cref="IPushProducer"/>, <c>false</c> for an <see cref="IPullProducer"/>.</param>
    /// <exception cref="InvalidOperationException">A producer is already registered, or not on the reactor thread.</exception>
    /// <exception cref="ArgumentException">The producer does not implement the interface <paramref name="streaming"/> asks for.</exception>
    void RegisterProducer(IProducer producer, bool streaming);

    /// <summary>
    /// Forgets the registered producer (nothing happens if none is). A <c>LoseConnection</c> that was waiting for the
    /// producer then goes ahead: the buffer is flushed and the connection closes.
    /// </summary>
    void UnregisterProducer();

    /// <summary>
    /// Writes <paramref name="data"/>. It is copied before this returns, so the caller may reuse its buffer. Never blocks
    /// and never throws for a network condition: data that cannot be sent yet is buffered.
    /// </summary>
    /// <param name="data">The bytes to write; an empty span writes nothing.</param>
    void Write(ReadOnlySpan<byte> data);
}
