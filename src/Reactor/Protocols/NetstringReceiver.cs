using System.Globalization;
using Reactor.Internal.Protocols;

namespace Reactor.Protocols;

/// <summary>
/// A protocol of netstrings (Twisted's <c>NetstringReceiver</c>; <see href="https://cr.yp.to/proto/netstrings.txt"/>):
/// each string is sent as its length in decimal, a colon, the bytes and a comma (<c>5:hello,</c>). Override
/// <see cref="StringReceived"/>; send with <see cref="SendString"/>.
/// </summary>
/// <remarks>
/// <para>Strings reach <see cref="StringReceived"/> as spans valid only during the call, straight from the receive
/// buffer when a netstring arrived whole; one cut between reads is gathered, once, in a pooled buffer. Incomplete input
/// just waits.</para>
/// <para><b>Errors.</b> A netstring that does not start with a length, whose length has a leading zero (<c>007:</c>) or
/// is above <see cref="MaxLength"/> (99,999 by default; refused as soon as the digits pass it), whose length is not
/// followed by a colon, or whose data is not followed by a comma, calls <see cref="NetstringParseFailed"/> with a
/// <see cref="NetstringParseException"/> saying which; by default the connection is closed. <see cref="BrokenPeer"/>
/// is then <c>true</c> and everything received afterwards is discarded (decision D48 in docs/decisions.md). No string
/// is delivered once the transport is disconnecting.</para>
/// </remarks>
public abstract class NetstringReceiver : Protocol, IFrameReceiver
{
    private const string MissingLength = "The received netstring does not start with a length specification.";
    private const string MissingComma = "The received netstring is not terminated by a comma.";
    private const int ReserveLimit = 1 << 20;

    private readonly FrameInput _bytes = new();
    private int _maxLength = 99999;

    // The length being read: its value and how many digits it had so far; -1 in _payloadLength while reading it.
    private long _length;
    private int _digits;
    private int _payloadLength = -1;

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

    /// <summary>Whether the peer sent a bad netstring (Twisted's <c>brokenPeer</c>): nothing more is parsed.</summary>
    public bool BrokenPeer { get; private set; }

    /// <summary>Bytes buffered now (a partial netstring): for tests and diagnostics.</summary>
    internal int BufferedBytes => _bytes.PendingLength;

    /// <summary>The capacity of the pooled buffer held now (0 when none): for tests.</summary>
    internal int BufferCapacity => _bytes.Capacity;

    /// <summary>Parses netstrings out of <paramref name="data"/>. Sealed: override <see cref="StringReceived"/> instead.</summary>
    /// <param name="data">The bytes received, valid only during the call.</param>
    public sealed override void DataReceived(ReadOnlySpan<byte> data) => _bytes.Receive(data, this);

    /// <summary>Called with each netstring's data.</summary>
    /// <param name="data">The data, without length, colon and comma: a view <b>valid only during this call</b>.</param>
    public abstract void StringReceived(ReadOnlySpan<byte> data);

    /// <summary>
    /// Called once when the peer sent a bad netstring, after <see cref="BrokenPeer"/> was set; what was buffered is
    /// dropped and nothing received later is parsed. The default closes the connection.
    /// </summary>
    /// <param name="error">What is wrong with it.</param>
    public virtual void NetstringParseFailed(NetstringParseException error) => Transport?.LoseConnection();

    /// <summary>Writes <paramref name="data"/> as a netstring (<c>length:data,</c>), in one write.</summary>
    /// <param name="data">The string.</param>
    /// <exception cref="InvalidOperationException">The protocol is not connected.</exception>
    public void SendString(ReadOnlySpan<byte> data)
    {
        Span<byte> header = stackalloc byte[12];
        data.Length.TryFormat(header, out var digits, default, CultureInfo.InvariantCulture);
        header[digits] = (byte)':';
        FrameWriter.Write(Transport, header[..(digits + 1)], data, ","u8);
    }

    void IFrameReceiver.DeliverFrames()
    {
        while (_bytes.HasData)
        {
            if (BrokenPeer)
            {
                _bytes.Clear();
                return;
            }

            if (Transport is { Disconnecting: true })
            {
                return;
            }

            if (_payloadLength < 0)
            {
                ReadLength();
                continue;
            }

            // The data and its comma.
            var needed = _payloadLength + 1;
            var fromPending = _bytes.PendingLength > 0;
            var frame = fromPending ? _bytes.Pending : _bytes.Input;
            if (frame.Length < needed)
            {
                _bytes.Reserve(Math.Min(needed, ReserveLimit));
                if (!fromPending)
                {
                    _bytes.SpillInput();
                    return;
                }

                _bytes.MoveInputToPending(Math.Min(needed - frame.Length, _bytes.Input.Length));
                frame = _bytes.Pending;
                if (frame.Length < needed)
                {
                    return;
                }
            }

            if (frame[_payloadLength] != (byte)',')
            {
                Fail(MissingComma);
                return;
            }

            if (fromPending)
            {
                _bytes.ConsumePending(needed);
            }
            else
            {
                _bytes.ConsumeInput(needed);
            }

            var payload = frame[.._payloadLength];
            _payloadLength = -1;
            _length = 0;
            _digits = 0;
            _bytes.BeginCallback();
            StringReceived(payload);
        }
    }

    /// <summary>Reads the length's digits and its colon from the next bytes, as far as they go.</summary>
    private void ReadLength()
    {
        var fromPending = _bytes.PendingLength > 0;
        var source = fromPending ? _bytes.Pending : _bytes.Input;
        var used = 0;
        while (used < source.Length && _payloadLength < 0)
        {
            var b = source[used++];
            if (b == (byte)':' && _digits > 0)
            {
                _payloadLength = (int)_length;
            }
            else if (b is < (byte)'0' or > (byte)'9' || (_digits == 1 && _length == 0))
            {
                // Twisted's pattern is (0|[1-9]\d*): — anything else, a leading zero included, is no length.
                Fail(MissingLength);
                return;
            }
            else
            {
                _length = (_length * 10) + (b - '0');
                _digits++;
                if (_length > _maxLength)
                {
                    Fail($"The received netstring is longer than the maximum {_maxLength.ToString(CultureInfo.InvariantCulture)} specified by MaxLength.");
                    return;
                }
            }
        }

        if (fromPending)
        {
            _bytes.ConsumePending(used);
        }
        else
        {
            _bytes.ConsumeInput(used);
        }
    }

    private void Fail(string message)
    {
        BrokenPeer = true;
        _bytes.Clear();
        NetstringParseFailed(new NetstringParseException(message));
    }
}
