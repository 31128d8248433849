namespace Reactor;

/// <summary>
/// A producer that writes whenever it has data until it is paused (Twisted's <c>IPushProducer</c>, "streaming"). A
/// transport pauses it when its write buffer rises above the high watermark and resumes it when the buffer has drained
/// below the low watermark; each call is made once per crossing, never twice in a row.
/// </summary>
/// <remarks>Every stream transport is itself a push producer of the data it receives: pausing it stops reading.</remarks>
public interface IPushProducer : IProducer
{
    /// <summary>Stop writing for now: the consumer's buffer is full.</summary>
    void PauseProducing();

    /// <summary>Write again: the consumer has room.</summary>
    void ResumeProducing();
}
