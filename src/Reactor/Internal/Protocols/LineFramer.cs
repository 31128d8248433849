namespace Reactor.Internal.Protocols;

/// <summary>What <see cref="LineFramer.Next"/> found.</summary>
internal enum LineStep
{
    /// <summary>Not a whole line yet: the rest of the input is now pending.</summary>
    NeedMore,

    /// <summary>A line, consumed with its delimiter.</summary>
    Line,

    /// <summary>A line longer than the limit, or as many bytes as a line and its delimiter may take with no delimiter among them. Nothing was consumed.</summary>
    TooLong,
}

/// <summary>
/// Finds lines in a <see cref="FrameInput"/> for <c>LineReceiver</c> and <c>LineOnlyReceiver</c>, with Twisted's limits
/// (<c>basic.py</c> <c>LineReceiver.dataReceived</c>): a line of up to <see cref="MaxLength"/> bytes is delivered; a
/// longer one, or <see cref="MaxLength"/> plus the delimiter's length bytes with no delimiter, is too long.
/// </summary>
/// <remarks>
/// Each byte is searched once: the pending bytes are known to hold no delimiter up to <see cref="_searched"/>, so a long
/// line arriving in many pieces costs linear time, and only a delimiter cut between the pending bytes and the input
/// needs the bytes on both sides looked at together.
/// </remarks>
internal sealed class LineFramer
{
    private byte[] _delimiter = "\r\n"u8.ToArray();
    private int _maxLength = 16384;
    private int _searched;

    /// <summary>The receiver's bytes.</summary>
    public FrameInput Bytes { get; } = new();

    public ReadOnlyMemory<byte> Delimiter
    {
        get => _delimiter;
        set
        {
            if (value.IsEmpty)
            {
                throw new ArgumentException("The delimiter must be at least one byte long.", nameof(value));
            }

            _delimiter = value.ToArray();
            _searched = 0;
        }
    }

    public int MaxLength
    {
        get => _maxLength;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            _maxLength = value;
        }
    }

    /// <summary>Forgets the search position (the pending bytes were consumed or replaced by someone else).</summary>
    public void ResetSearch() => _searched = 0;

    /// <summary>
    /// The next line: <see cref="LineStep.Line"/> with <paramref name="line"/> (a view valid until the outermost call
    /// ends); <see cref="LineStep.TooLong"/> with <paramref name="lineLength"/> the length of the over-long line, or -1
    /// when no delimiter was found; or <see cref="LineStep.NeedMore"/>.
    /// </summary>
    public LineStep Next(out ReadOnlySpan<byte> line, out int lineLength)
    {
        var delimiter = (ReadOnlySpan<byte>)_delimiter;
        line = default;
        lineLength = -1;
        while (true)
        {
            var pending = Bytes.Pending;
            if (pending.IsEmpty)
            {
                return NextInInput(delimiter, out line, out lineLength);
            }

            var from = Math.Max(0, _searched - (delimiter.Length - 1));
            var found = pending[from..].IndexOf(delimiter);
            if (found >= 0)
            {
                found += from;
                if (found > _maxLength)
                {
                    lineLength = found;
                    return LineStep.TooLong;
                }

                line = pending[..found];
                Bytes.ConsumePending(found + delimiter.Length);
                _searched = 0;
                return LineStep.Line;
            }

            _searched = pending.Length;
            var input = Bytes.Input;
            var end = input.IsEmpty ? -1 : DelimiterEnd(pending, input, delimiter);
            if (end >= 0)
            {
                // The line ends in the input: copy that part after the pending one and deliver it from there.
                Bytes.MoveInputToPending(end);
                continue;
            }

            if ((long)pending.Length + input.Length >= (long)_maxLength + delimiter.Length)
            {
                return LineStep.TooLong;
            }

            Bytes.SpillInput();
            _searched = Bytes.PendingLength;
            return LineStep.NeedMore;
        }
    }

    private LineStep NextInInput(ReadOnlySpan<byte> delimiter, out ReadOnlySpan<byte> line, out int lineLength)
    {
        var input = Bytes.Input;
        var found = input.IndexOf(delimiter);
        line = default;
        lineLength = -1;
        if (found >= 0)
        {
            if (found > _maxLength)
            {
                lineLength = found;
                return LineStep.TooLong;
            }

            line = input[..found];
            Bytes.ConsumeInput(found + delimiter.Length);
            return LineStep.Line;
        }

        if (input.Length >= (long)_maxLength + delimiter.Length)
        {
            return LineStep.TooLong;
        }

        Bytes.SpillInput();
        _searched = Bytes.PendingLength;
        return LineStep.NeedMore;
    }

    /// <summary>
    /// Where, in <paramref name="input"/>, the first delimiter after <paramref name="pending"/> (which holds none) ends:
    /// one may start in pending's last bytes and end in the input. -1 when there is none.
    /// </summary>
    private static int DelimiterEnd(ReadOnlySpan<byte> pending, ReadOnlySpan<byte> input, ReadOnlySpan<byte> delimiter)
    {
        for (var start = Math.Max(0, pending.Length - (delimiter.Length - 1)); start < pending.Length; start++)
        {
            var inPending = pending.Length - start;
            var inInput = delimiter.Length - inPending;
            if (input.Length >= inInput && pending[start..].SequenceEqual(delimiter[..inPending]) && input[..inInput].SequenceEqual(delimiter[inPending..]))
            {
                return inInput;
            }
        }

        var found = input.IndexOf(delimiter);
        return found < 0 ? -1 : found + delimiter.Length;
    }
}
