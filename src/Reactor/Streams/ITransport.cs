using System.Net;

namespace Reactor;

/// <summary>
/// A stream connection as its <see cref="Protocol"/> sees it (Twisted's <c>ITransport</c> with <c>IConsumer</c> and
/// <c>IPushProducer</c>): write bytes, close, learn the addresses, and pace data both ways. TCP's transport adds its
/// own options (<see cref="ITcpTransport"/>). Every member is reactor-thread-only and throws
/// <see cref="InvalidOperationException"/> from another thread.
/// </summary>
/// <remarks>
/// <para><b>Writing.</b> <see cref="IConsumer.Write"/> never blocks and never throws for a network condition. Writes made
/// while the reactor dispatches received data (inside <see cref="Protocol.DataReceived"/>, for example) are gathered and
/// sent with one system call when the dispatch ends; what the kernel cannot take yet waits in this transport's buffer
/// (<see cref="BufferedBytes"/>) and is sent as the socket drains. A registered streaming producer is paused when the
/// buffer rises above <see cref="HighWatermark"/> and resumed when it falls to <see cref="LowWatermark"/>.</para>
/// <para><b>Closing.</b> <see cref="LoseConnection"/> sends everything written before it, then closes cleanly;
/// <see cref="AbortConnection"/> discards the buffer and resets the connection. Either way the protocol's
/// <see cref="Protocol.ConnectionLost"/> runs exactly once, after the current callback has returned. Writes after either
/// call are dropped (and counted), never thrown.</para>
/// <para><b>Receiving.</b> As a push producer the transport can be paused (<see cref="IPushProducer.PauseProducing"/>):
/// it then stops reading, so the peer is slowed by TCP flow control and nothing piles up in memory.
/// <see cref="IPushProducer.ResumeProducing"/> reads again; <see cref="IProducer.StopProducing"/> is
/// <see cref="LoseConnection"/>.</para>
/// </remarks>
public interface ITransport : IConsumer, IPushProducer
{
    /// <summary>
    /// Writes several buffers, in order, as if written one after another (enumerated once; queued data leaves with one
    /// vectored send).
    /// </summary>
    /// <param name="data">The buffers.</param>
    /// <exception cref="ArgumentNullException"><paramref name="data"/> is null.</exception>
    void WriteSequence(IEnumerable<ReadOnlyMemory<byte>> data);

    /// <summary>
    /// Closes the connection cleanly once everything written so far has been sent (and, if a producer is registered,
    /// once it has unregistered). Reading stops at once. Calling it again does nothing.
    /// </summary>
    void LoseConnection();

    /// <summary>
    /// Closes the connection at once: buffered data is discarded and the peer sees a reset. The protocol's
    /// <see cref="Protocol.ConnectionLost"/> gets a <see cref="ConnectionAbortedException"/>. Calling it again, or after
    /// <see cref="LoseConnection"/>, is safe.
    /// </summary>
    void AbortConnection();

    /// <summary>The local address of the connection; it stays readable after the connection closed.</summary>
    /// <returns>The address (an <see cref="IPEndPoint"/> for TCP).</returns>
    EndPoint GetHost();

    /// <summary>The peer's address; it stays readable after the connection closed.</summary>
    /// <returns>The address (an <see cref="IPEndPoint"/> for TCP).</returns>
    EndPoint GetPeer();

    /// <summary>Whether the connection is closing or closed: <see cref="LoseConnection"/> or <see cref="AbortConnection"/> was called, or the connection was lost.</summary>
    bool Disconnecting { get; }

    /// <summary>Bytes written but not yet taken by the kernel.</summary>
    long BufferedBytes { get; }

    /// <summary>
    /// Above this many buffered bytes a registered streaming producer is paused (once). Default 65,536
    /// (<see cref="TcpOptions.HighWatermark"/>).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Set below 1 or below <see cref="LowWatermark"/>.</exception>
    int HighWatermark { get; set; }

    /// <summary>
    /// Once the buffer has drained to this many bytes, a paused streaming producer is resumed (once). Default 16,384
    /// (<see cref="TcpOptions.LowWatermark"/>).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Set below 0 or above <see cref="HighWatermark"/>.</exception>
    int LowWatermark { get; set; }
}
