using Reactor.Internal.Protocols;

namespace Reactor.Protocols;

/// <summary>
/// The base for a framing of your own (a binary header, RESP, a TLV format): override <see cref="FramesReceived"/>,
/// which is given the bytes not yet consumed as one contiguous span and says how many of them it consumed. The
/// receiver keeps the rest — a frame cut between reads — in a pooled buffer until more arrives, and is a push producer
/// like <see cref="LineReceiver"/>.
/// </summary>
/// <remarks>
/// <para><b>The contract.</b> <see cref="FramesReceived"/> gets a span that starts at the first byte not yet consumed and
/// is valid only during the call. It delivers the complete frames at its start (straight from the span: nothing is
/// copied for a frame that arrived whole) and returns the number of bytes they took; returning 0 asks for more data.
/// It is called again while bytes remain and it consumes some, so it may deliver one frame per call or all of them.
/// When a frame is cut between reads, the next call's span starts with the same bytes again, longer: a parser that
/// needs many reads for one large frame can remember how far it got (offsets from the span's start stay valid) instead
/// of parsing it again from the start.</para>
/// <para><b>Limits.</b> When more than <see cref="MaxBufferedLength"/> bytes (1 MiB unless set) are buffered without a
/// complete frame, <see cref="BufferLimitExceeded"/> is called and the buffer dropped; by default it closes the
/// connection. Frames are not delivered once the transport is disconnecting, nor while the receiver is paused.</para>
/// <para>A receiver that keeps nothing between reads holds no buffer. Reactor thread only.</para>
/// </remarks>
public abstract class FrameReceiver : Protocol, IPushProducer, IFrameReceiver
{
    private readonly FrameInput _bytes = new();
    private int _maxBufferedLength = 1 << 20;

    /// <summary>The most bytes buffered while waiting for a frame to complete: 1,048,576 unless set.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Set below 1.</exception>
    public int MaxBufferedLength
    {
        get => _maxBufferedLength;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            _maxBufferedLength = value;
        }
    }

    /// <summary>Whether delivery is paused (<see cref="PauseProducing"/> or <see cref="StopProducing"/> was called).</summary>
    public bool Paused => _bytes.Paused;

    /// <summary>Bytes buffered now (a partial frame, or what a pause held back).</summary>
    public int BufferedLength => _bytes.PendingLength;

    /// <summary>The capacity of the pooled buffer held now (0 when none): for tests.</summary>
    internal int BufferCapacity => _bytes.Capacity;

    /// <summary>Hands the bytes not yet consumed to <see cref="FramesReceived"/>. Sealed: override that instead.</summary>
    /// <param name="data">The bytes received, valid only during the call.</param>
    public sealed override void DataReceived(ReadOnlySpan<byte> data) => _bytes.Receive(data, this);

    /// <summary>
    /// Delivers the complete frames at the start of <paramref name="data"/> and returns how many bytes they took (0:
    /// no complete frame yet, wait for more).
    /// </summary>
    /// <param name="data">Every byte not yet consumed, in order: a view <b>valid only during this call</b>.</param>
    /// <returns>The bytes consumed, from 0 to <paramref name="data"/>'s length.</returns>
    protected abstract int FramesReceived(ReadOnlySpan<byte> data);

    /// <summary>
    /// Called when <paramref name="length"/> bytes, more than <see cref="MaxBufferedLength"/>, are buffered without a
    /// complete frame; they are dropped. The default closes the connection.
    /// </summary>
    /// <param name="length">How many bytes were buffered.</param>
    public virtual void BufferLimitExceeded(int length) => Transport?.LoseConnection();

    /// <summary>Stops delivering frames (the rest stays buffered) and pauses the transport's reading.</summary>
    public void PauseProducing() => _bytes.Pause(Transport);

    /// <summary>Resumes the transport's reading and delivers the frames held while paused.</summary>
    public void ResumeProducing() => _bytes.Resume(Transport, this);

    /// <summary>Stops delivering for good and tells the transport to stop (it closes the connection).</summary>
    public void StopProducing() => _bytes.Stop(Transport);

    void IFrameReceiver.DeliverFrames()
    {
        while (!Paused && _bytes.HasData)
        {
            if (Transport is { Disconnecting: true })
            {
                return;
            }

            var fromPending = _bytes.PendingLength > 0;
            if (fromPending)
            {
                // The frame continues in this read: one contiguous span of both.
                _bytes.SpillInput();
            }

            var data = fromPending ? _bytes.Pending : _bytes.Input;
            _bytes.BeginCallback();
            var consumed = FramesReceived(data);
            if ((uint)consumed > (uint)data.Length)
            {
                throw new InvalidOperationException($"{GetType().Name}.FramesReceived returned {consumed} for {data.Length} bytes.");
            }

            if (consumed == 0)
            {
                _bytes.SpillInput();
                if (_bytes.PendingLength > _maxBufferedLength)
                {
                    var length = _bytes.PendingLength;
                    _bytes.Clear();
                    BufferLimitExceeded(length);
                }

                return;
            }

            if (fromPending || _bytes.Input.Length < data.Length)
            {
                // From the pending bytes — or from the input, which a nested DataReceived moved there meanwhile.
                _bytes.ConsumePending(consumed);
            }
            else
            {
                _bytes.ConsumeInput(consumed);
            }
        }
    }
}
