namespace Reactor;

/// <summary>
/// The connection was aborted because a write would have taken its write buffer past the hard cap
/// (<see cref="TcpOptions.MaxWriteBuffer"/>): the peer was not reading what the protocol wrote, and the protocol kept
/// writing past the high watermark. The write that crossed the cap was dropped, so was everything buffered, and the
/// peer saw a reset. It is a <see cref="ConnectionLostException"/>, since the close was not clean (decision D62 in
/// docs/decisions.md).
/// </summary>
/// <remarks>
/// Counted in <c>reactor.tcp.write_buffer.overflows</c> and in <c>reactor.tcp.connections.closed</c> with reason
/// <c>overflow</c>, and logged (event 410, <c>WriteBufferOverflow</c>).
/// </remarks>
public sealed class WriteBufferOverflowException : ConnectionLostException
{
    /// <summary>Creates the exception for a buffer of <paramref name="buffered"/> bytes that a write of <paramref name="writeLength"/> would have taken past <paramref name="limit"/>.</summary>
    /// <param name="buffered">The bytes buffered before the write.</param>
    /// <param name="writeLength">The length of the write that was refused.</param>
    /// <param name="limit">The cap in force.</param>
    public WriteBufferOverflowException(long buffered, long writeLength, long limit)
        : base($"The connection was aborted: a write of {writeLength} byte(s) would have taken its write buffer of {buffered} byte(s) past the cap of {limit} (the peer is not reading).")
    {
        Buffered = buffered;
        WriteLength = writeLength;
        Limit = limit;
    }

    /// <summary>The bytes buffered (written and not yet taken by the kernel) before the refused write.</summary>
    public long Buffered { get; }

    /// <summary>The length of the write that was refused.</summary>
    public long WriteLength { get; }

    /// <summary>The cap in force (<see cref="TcpOptions.MaxWriteBuffer"/>).</summary>
    public long Limit { get; }
}
