using Reactor.Internal.Protocols;

namespace Reactor.Protocols;

/// <summary>
/// A protocol that receives only lines (Twisted's <c>LineOnlyReceiver</c>): <see cref="LineReceiver"/> without raw mode
/// and pausing, for protocols that never need them. Override <see cref="LineReceived"/>; send with
/// <see cref="SendLine"/>.
/// </summary>
/// <remarks>
/// Lines are cut at <see cref="Delimiter"/> (<c>"\r\n"</c> by default) and handed over as spans valid only during the
/// call, straight from the receive buffer when a line arrived whole. The limits are <see cref="LineReceiver"/>'s: a line
/// of up to <see cref="MaxLength"/> bytes (16,384 by default) is delivered, a longer one — or that many bytes plus the
/// delimiter's length with no delimiter — goes to <see cref="LineLengthExceeded"/>, which closes the connection by
/// default; Twisted's own <c>LineOnlyReceiver</c> already refuses an unterminated <see cref="MaxLength"/> + 1 bytes, so
/// whether a line of exactly <see cref="MaxLength"/> passed depended on where a read cut its delimiter (decision D48 in
/// docs/decisions.md). No line is delivered once the transport is disconnecting.
/// </remarks>
public abstract class LineOnlyReceiver : Protocol, IFrameReceiver
{
    private readonly LineFramer _framer = new();

    /// <summary>The bytes that end a line: <c>"\r\n"</c> unless set.</summary>
    /// <exception cref="ArgumentException">Set to an empty delimiter.</exception>
    public ReadOnlyMemory<byte> Delimiter
    {
        get => _framer.Delimiter;
        set => _framer.Delimiter = value;
    }

    /// <summary>The longest line delivered, in bytes without the delimiter: 16,384 unless set.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Set below 0.</exception>
    public int MaxLength
    {
        get => _framer.MaxLength;
        set => _framer.MaxLength = value;
    }

    /// <summary>Cuts <paramref name="data"/> into lines. Sealed: override <see cref="LineReceived"/> instead.</summary>
    /// <param name="data">The bytes received, valid only during the call.</param>
    public sealed override void DataReceived(ReadOnlySpan<byte> data) => _framer.Bytes.Receive(data, this);

    /// <summary>Called with each line, without its delimiter.</summary>
    /// <param name="line">The line: a view <b>valid only during this call</b>.</param>
    public abstract void LineReceived(ReadOnlySpan<byte> line);

    /// <summary>
    /// Called with a line longer than <see cref="MaxLength"/> (or the unterminated bytes that passed the limit); what
    /// else was buffered is dropped. The default closes the connection.
    /// </summary>
    /// <param name="line">The over-long line: a view <b>valid only during this call</b>.</param>
    public virtual void LineLengthExceeded(ReadOnlySpan<byte> line) => Transport?.LoseConnection();

    /// <summary>Writes <paramref name="line"/> followed by the delimiter, in one write.</summary>
    /// <param name="line">The line, without a delimiter.</param>
    /// <exception cref="InvalidOperationException">The protocol is not connected.</exception>
    public void SendLine(ReadOnlySpan<byte> line) => FrameWriter.Write(Transport, default, line, _framer.Delimiter.Span);

    void IFrameReceiver.DeliverFrames()
    {
        var bytes = _framer.Bytes;
        while (bytes.HasData)
        {
            if (Transport is { Disconnecting: true })
            {
                return;
            }

            switch (_framer.Next(out var line, out var lineLength))
            {
                case LineStep.Line:
                    bytes.BeginCallback();
                    LineReceived(line);
                    break;
                case LineStep.TooLong:
                    var exceeded = bytes.TakeAll();
                    _framer.ResetSearch();
                    bytes.BeginCallback();
                    LineLengthExceeded(lineLength >= 0 ? exceeded[..lineLength] : exceeded);
                    return;
                default:
                    return;
            }
        }
    }
}
