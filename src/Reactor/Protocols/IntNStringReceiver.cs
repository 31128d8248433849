using System.Buffers.Binary;
using Reactor.Internal.Protocols;

namespace Reactor.Protocols;

/// <summary>
/// The base of the length-prefixed protocols (Twisted's <c>IntNStringReceiver</c>): every string is sent after its
/// length, an unsigned integer of <see cref="PrefixLength"/> bytes in network byte order. Derive from
/// <see cref="Int32StringReceiver"/>, <see cref="Int16StringReceiver"/> or <see cref="Int8StringReceiver"/> and override
/// <see cref="StringReceived"/>; send with <see cref="SendString"/>.
/// </summary>
/// <remarks>
/// <para>Strings reach <see cref="StringReceived"/> as spans valid only during the call, straight from the receive
/// buffer when a string arrived whole; one cut between reads is gathered, once, in a pooled buffer.</para>
/// <para><b>Limit.</b> A prefix above <see cref="MaxLength"/> (99,999 by default) calls
/// <see cref="LengthLimitExceeded"/> — by default closing the connection — and the string is not delivered. The stream
/// cannot be re-synchronised after a bad length, so the receiver then discards everything else it receives (decision
/// D48 in docs/decisions.md). No string is delivered once the transport is disconnecting.</para>
/// <para><b>Pausing.</b> A push producer of strings, like <see cref="LineReceiver"/>: <see cref="PauseProducing"/>
/// stops delivery at once and pauses the transport; <see cref="ResumeProducing"/> delivers what was held.</para>
/// </remarks>
public abstract class IntNStringReceiver : Protocol, IPushProducer, IFrameReceiver
{
    /// <summary>A prefix announcing more than this is not waited for in one piece of reserved memory.</summary>
    private const int ReserveLimit = 1 << 20;

    private readonly FrameInput _bytes = new();
    private int _maxLength = 99999;
    private bool _stopped;

    private protected IntNStringReceiver(int prefixLength) => PrefixLength = prefixLength;

    /// <summary>The length prefix's size in bytes: 4, 2 or 1.</summary>
    public int PrefixLength { get; }

    /// <summary>The longest string received, in bytes: 99,999 unless set (Twisted's <c>MAX_LENGTH</c>).</summary>
    /// <exception cref="ArgumentOutOfRangeException">Set below 0.</exception>
    public int MaxLength
    {
        get => _maxLength;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            _maxLength = value;
        }
    }

    /// <summary>Whether delivery is paused (<see cref="PauseProducing"/> or <see cref="StopProducing"/> was called).</summary>
    public bool Paused => _bytes.Paused;

    /// <summary>Bytes buffered now (a partial string, or what a pause held back): for tests and diagnostics.</summary>
    internal int BufferedBytes => _bytes.PendingLength;

    /// <summary>The capacity of the pooled buffer held now (0 when none): for tests.</summary>
    internal int BufferCapacity => _bytes.Capacity;

    /// <summary>Cuts <paramref name="data"/> into strings. Sealed: override <see cref="StringReceived"/> instead.</summary>
    /// <param name="data">The bytes received, valid only during the call.</param>
    public sealed override void DataReceived(ReadOnlySpan<byte> data) => _bytes.Receive(data, this);

    /// <summary>Called with each string, without its prefix.</summary>
    /// <param name="data">The string: a view <b>valid only during this call</b>.</param>
    public abstract void StringReceived(ReadOnlySpan<byte> data);

    /// <summary>
    /// Called when a prefix announces more than <see cref="MaxLength"/> bytes; that string is not delivered and nothing
    /// after it is. The default closes the connection.
    /// </summary>
    /// <param name="length">The length the prefix announced.</param>
    public virtual void LengthLimitExceeded(long length) => Transport?.LoseConnection();

    /// <summary>Writes <paramref name="data"/> after its length prefix, in one write.</summary>
    /// <param name="data">The string.</param>
    /// <exception cref="StringTooLongException"><paramref name="data"/> is too long for the prefix (256 bytes or more for a 1-byte prefix, 65,536 or more for 2 bytes).</exception>
    /// <exception cref="InvalidOperationException">The protocol is not connected.</exception>
    public void SendString(ReadOnlySpan<byte> data)
    {
        var limit = PrefixLength >= 4 ? uint.MaxValue : (1u << (8 * PrefixLength)) - 1;
        if ((uint)data.Length > limit)
        {
            throw new StringTooLongException(data.Length, PrefixLength);
        }

        Span<byte> prefix = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(prefix, (uint)data.Length);
        FrameWriter.Write(Transport, prefix[(4 - PrefixLength)..], data, default);
    }

    /// <summary>Stops delivering strings (the rest stays buffered) and pauses the transport's reading.</summary>
    public void PauseProducing() => _bytes.Pause(Transport);

    /// <summary>Resumes the transport's reading and delivers the strings held while paused.</summary>
    public void ResumeProducing() => _bytes.Resume(Transport, this);

    /// <summary>Stops delivering for good and tells the transport to stop (it closes the connection).</summary>
    public void StopProducing() => _bytes.Stop(Transport);

    void IFrameReceiver.DeliverFrames()
    {
        while (!Paused && _bytes.HasData)
        {
            if (_stopped)
            {
                _bytes.Clear();
                return;
            }

            if (Transport is { Disconnecting: true })
            {
                return;
            }

            var fromPending = _bytes.PendingLength > 0;
            var frame = fromPending ? _bytes.Pending : _bytes.Input;
            if (frame.Length < PrefixLength)
            {
                if (!Gather(PrefixLength, ref frame, fromPending))
                {
                    return;
                }

                fromPending = true;
            }

            var length = ReadPrefix(frame);
            if (length > _maxLength)
            {
                _stopped = true;
                _bytes.Clear();
                LengthLimitExceeded(length);
                return;
            }

            var total = PrefixLength + (int)length;
            if (frame.Length < total && !Gather(total, ref frame, fromPending))
            {
                return;
            }

            if (fromPending)
            {
                _bytes.ConsumePending(total);
            }
            else
            {
                _bytes.ConsumeInput(total);
            }

            _bytes.BeginCallback();
            StringReceived(frame[PrefixLength..total]);
        }
    }

    /// <summary>Gathers <paramref name="needed"/> bytes of the current frame in the pending buffer; <c>false</c> (and the rest spilled) if they have not all arrived.</summary>
    private bool Gather(int needed, ref ReadOnlySpan<byte> frame, bool fromPending)
    {
        if (!fromPending)
        {
            _bytes.Reserve(Math.Min(needed, ReserveLimit));
            _bytes.SpillInput();
            return false;
        }

        _bytes.Reserve(Math.Min(needed, ReserveLimit));
        _bytes.MoveInputToPending(Math.Min(needed - _bytes.PendingLength, _bytes.Input.Length));
        frame = _bytes.Pending;
        return frame.Length >= needed;
    }

    private long ReadPrefix(ReadOnlySpan<byte> frame) => PrefixLength switch
    {
        1 => frame[0],
        2 => BinaryPrimitives.ReadUInt16BigEndian(frame),
        _ => BinaryPrimitives.ReadUInt32BigEndian(frame),
    };
}
