using Reactor.Internal.Protocols;

namespace Reactor.Protocols;

/// <summary>
/// A protocol that receives lines, and raw data when it switches to raw mode (Twisted's <c>LineReceiver</c>): the
/// base of line-based protocols such as chat, SMTP, POP3 or Redis's inline commands. Override
/// <see cref="LineReceived"/>; send with <see cref="SendLine"/>.
/// </summary>
/// <remarks>
/// <para><b>Lines.</b> The byte stream is cut at each <see cref="Delimiter"/> (<c>"\r\n"</c> by default; with it a
/// bare <c>"\n"</c> is not a line end but part of the line). Each line reaches <see cref="LineReceived"/> without its
/// delimiter, as a span that is <b>valid only during the call</b>: copy what you keep. A line that arrived whole in one
/// read is handed over straight from the reactor's receive buffer; only a line cut between reads is copied, once, into
/// a buffer from <see cref="System.Buffers.ArrayPool{T}.Shared"/>, which goes back to the pool as soon as no partial
/// line is left (an idle connection holds none).</para>
/// <para><b>Limits.</b> A line of up to <see cref="MaxLength"/> bytes (16,384 by default) is delivered. A longer line, or
/// <see cref="MaxLength"/> + the delimiter's length bytes with no delimiter among them, calls
/// <see cref="LineLengthExceeded"/> with everything buffered from that line on; by default it closes the connection.
/// So at most about <see cref="MaxLength"/> bytes are ever buffered for a peer in line mode.</para>
/// <para><b>Modes.</b> <see cref="SetRawMode"/> sends what follows to <see cref="RawDataReceived"/> as it arrives;
/// <see cref="SetLineMode"/> goes back to lines, optionally with bytes to parse first.</para>
/// <para><b>Pausing.</b> The receiver is a push producer of lines: <see cref="PauseProducing"/> (also from inside
/// <see cref="LineReceived"/>) stops delivery at once, keeps the rest buffered and pauses the transport's reading;
/// <see cref="ResumeProducing"/> resumes reading and delivers what was held. Delivery also stops once the transport is
/// disconnecting (after <see cref="ITransport.LoseConnection"/>, for example).</para>
/// <para>Reactor thread only, like every protocol.</para>
/// </remarks>
/// <example>
/// <code>
/// sealed class Shout : LineReceiver
/// {
///     public override void LineReceived(ReadOnlySpan&lt;byte&gt; line) => SendLine(line);
/// }
/// </code>
/// </example>
public abstract class LineReceiver : Protocol, IPushProducer, IFrameReceiver
{
    private readonly LineFramer _framer = new();
    private bool _rawMode;

    /// <summary>The bytes that end a line: <c>"\r\n"</c> unless set (for example to <c>"\n"u8.ToArray()</c>).</summary>
    /// <exception cref="ArgumentException">Set to an empty delimiter.</exception>
    public ReadOnlyMemory<byte> Delimiter
    {
        get => _framer.Delimiter;
        set => _framer.Delimiter = value;
    }

    /// <summary>
    /// The longest line delivered, in bytes without the delimiter: 16,384 unless set (Twisted's <c>MAX_LENGTH</c>). Longer
    /// lines go to <see cref="LineLengthExceeded"/>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Set below 0.</exception>
    public int MaxLength
    {
        get => _framer.MaxLength;
        set => _framer.MaxLength = value;
    }

    /// <summary>Whether delivery is paused (<see cref="PauseProducing"/> or <see cref="StopProducing"/> was called).</summary>
    public bool Paused => _framer.Bytes.Paused;

    /// <summary>Bytes buffered now (a partial line, or what a pause held back): for tests and diagnostics.</summary>
    internal int BufferedBytes => _framer.Bytes.PendingLength;

    /// <summary>The capacity of the pooled buffer held now (0 when none): for tests.</summary>
    internal int BufferCapacity => _framer.Bytes.Capacity;

    /// <summary>Cuts <paramref name="data"/> into lines (or passes it on in raw mode). Sealed: override <see cref="LineReceived"/> instead.</summary>
    /// <param name="data">The bytes received, valid only during the call.</param>
    public sealed override void DataReceived(ReadOnlySpan<byte> data) => _framer.Bytes.Receive(data, this);

    /// <summary>Called with each line, without its delimiter.</summary>
    /// <param name="line">The line: a view <b>valid only during this call</b>.</param>
    public abstract void LineReceived(ReadOnlySpan<byte> line);

    /// <summary>
    /// Called in raw mode with the bytes received, as they arrive (any buffered bytes first, together with them). The
    /// default throws <see cref="NotImplementedException"/>: a subclass that calls <see cref="SetRawMode"/> overrides it.
    /// </summary>
    /// <param name="data">The bytes: a view <b>valid only during this call</b>.</param>
    /// <exception cref="NotImplementedException">Not overridden.</exception>
    public virtual void RawDataReceived(ReadOnlySpan<byte> data) =>
        throw new NotImplementedException($"{GetType().Name} switched to raw mode but does not override RawDataReceived.");

    /// <summary>
    /// Called when a line is longer than <see cref="MaxLength"/>, or when <see cref="MaxLength"/> + the delimiter's length
    /// bytes arrived without a delimiter. The buffer is emptied first; the default closes the connection
    /// (<see cref="ITransport.LoseConnection"/>). Delivery stops for this call; data received later is framed again.
    /// </summary>
    /// <param name="line">
    /// Everything that was buffered from the start of the over-long line on (it may hold more lines after it): a view
    /// <b>valid only during this call</b>.
    /// </param>
    public virtual void LineLengthExceeded(ReadOnlySpan<byte> line) => Transport?.LoseConnection();

    /// <summary>Writes <paramref name="line"/> followed by the delimiter, in one write.</summary>
    /// <param name="line">The line, without a delimiter.</param>
    /// <exception cref="InvalidOperationException">The protocol is not connected.</exception>
    public void SendLine(ReadOnlySpan<byte> line) => FrameWriter.Write(Transport, default, line, _framer.Delimiter.Span);

    /// <summary>From now on, received bytes go to <see cref="RawDataReceived"/> (from inside a callback: the bytes after the current line).</summary>
    public void SetRawMode() => _rawMode = true;

    /// <summary>
    /// From now on, received bytes are cut into lines. <paramref name="extra"/> is parsed first: from inside
    /// <see cref="RawDataReceived"/>, pass the part of its data that you did not consume, and it is framed before
    /// anything received later.
    /// </summary>
    /// <param name="extra">Bytes to parse as lines before what arrives next; none by default.</param>
    public void SetLineMode(ReadOnlySpan<byte> extra = default)
    {
        _rawMode = false;
        if (!extra.IsEmpty)
        {
            DataReceived(extra);
        }
    }

    /// <summary>
    /// Empties the buffer and returns what it held: from inside <see cref="LineReceived"/>, every byte received after the
    /// current line (Twisted's <c>clearLineBuffer</c>).
    /// </summary>
    /// <returns>The bytes that were buffered (a new array).</returns>
    public byte[] ClearLineBuffer()
    {
        _framer.ResetSearch();
        return _framer.Bytes.ToArrayAndClear();
    }

    /// <summary>Stops delivering lines (the rest stays buffered) and pauses the transport's reading.</summary>
    public void PauseProducing() => _framer.Bytes.Pause(Transport);

    /// <summary>Resumes the transport's reading and delivers the lines held while paused.</summary>
    public void ResumeProducing() => _framer.Bytes.Resume(Transport, this);

    /// <summary>Stops delivering for good and tells the transport to stop (it closes the connection).</summary>
    public void StopProducing() => _framer.Bytes.Stop(Transport);

    void IFrameReceiver.DeliverFrames()
    {
        var bytes = _framer.Bytes;
        while (!Paused && bytes.HasData)
        {
            // Also when resumed later: a line left buffered is not delivered to a connection that is closing or closed.
            if (Transport is { Disconnecting: true })
            {
                return;
            }

            if (_rawMode)
            {
                var data = bytes.TakeAll();
                _framer.ResetSearch();
                bytes.BeginCallback();
                RawDataReceived(data);
                continue;
            }

            switch (_framer.Next(out var line, out _))
            {
                case LineStep.Line:
                    bytes.BeginCallback();
                    LineReceived(line);
                    break;
                case LineStep.TooLong:
                    var exceeded = bytes.TakeAll();
                    _framer.ResetSearch();
                    bytes.BeginCallback();
                    LineLengthExceeded(exceeded);
                    return;
                default:
                    return;
            }
        }
    }
}
