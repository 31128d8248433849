using Reactor.Protocols;
using Reactor.Testing;

namespace Reactor.Fuzz;

/// <summary>
/// <see cref="LineReceiver"/> and <see cref="LineOnlyReceiver"/> against a reference parse of the whole stream.
/// </summary>
/// <remarks>
/// <para>Options (byte 0 of the <see cref="FuzzScript"/>): bit 0 picks <see cref="LineOnlyReceiver"/>; bits 1–2 the
/// delimiter (<c>\r\n</c>, <c>\n</c>, <c>\r\n\r\n</c>, or the self-overlapping <c>aba</c>); bit 3 pauses from inside
/// each <c>LineReceived</c> (the feeder resumes); bit 4 pauses around each chunk; bit 5 makes a line <c>RAW</c>+digit
/// switch to raw mode for that many bytes and back with <c>SetLineMode(rest)</c>; bit 6 makes a line <c>QUIT</c> call
/// <c>LoseConnection</c>. Bits 3–5 apply to <see cref="LineReceiver"/> only. The limit byte sets <c>MaxLength</c>.</para>
/// <para>Invariants: no exception from any callback; the lines, raw bytes and limit calls are the reference's, in order,
/// whatever the chunks (an over-long line's callback gets a prefix of the rest of the stream from that line on, at
/// least <c>MaxLength</c> + 1 bytes); nothing is delivered after a limit call or a <c>QUIT</c>; the connection closes
/// exactly when the limit was passed or <c>QUIT</c> was sent.</para>
/// </remarks>
public static class LinesTarget
{
    private static readonly byte[][] Delimiters = ["\r\n"u8.ToArray(), "\n"u8.ToArray(), "\r\n\r\n"u8.ToArray(), "aba"u8.ToArray()];

    /// <summary>Runs one input.</summary>
    /// <param name="input">The script.</param>
    /// <exception cref="FuzzInvariantException">An invariant broke.</exception>
    public static void Run(ReadOnlySpan<byte> input)
    {
        var script = new FuzzScript(input);
        var lineOnly = (script.Options & 1) != 0;
        var delimiter = Delimiters[(script.Options >> 1) & 3];
        var pauseInside = !lineOnly && (script.Options & 8) != 0;
        var pauseAround = !lineOnly && (script.Options & 16) != 0;
        var raw = !lineOnly && (script.Options & 32) != 0;
        var quit = (script.Options & 64) != 0;
        var maxLength = script.Limit(16384);

        var actual = new FrameEvents();
        var transport = new FakeStreamTransport();
        Protocol protocol;
        IPushProducer? producer = null;
        Func<bool> paused = static () => false;
        if (lineOnly)
        {
            protocol = new OnlyLines(actual, quit) { Delimiter = delimiter, MaxLength = maxLength };
        }
        else
        {
            var lines = new Lines(actual, pauseInside, raw, quit) { Delimiter = delimiter, MaxLength = maxLength };
            protocol = lines;
            producer = lines;
            paused = () => lines.Paused;
        }

        transport.Attach(protocol);
        Feeder.Feed(transport, script.Stream, script.Chunks(), producer, paused, pauseAround);
        FrameEvents.NoCallbackErrors(transport);

        var expected = Reference(script.Stream, delimiter, maxLength, raw, quit);
        actual.ShouldEqual(expected, ["tooLong"], maxLength + 1);
        var closes = expected.Items.Count > 0 && expected.Items[^1].Kind is "tooLong" || (quit && expected.Items.Any(e => e.Kind == "frame" && e.Bytes.AsSpan().SequenceEqual("QUIT"u8)));
        FuzzInvariantException.Check(transport.Disconnecting == closes,
            closes ? "the connection should have closed (a line too long, or QUIT)" : "the connection closed, but no line was too long and no QUIT was sent");
    }

    /// <summary>The events the whole stream gives, parsed in one piece by the documented rules.</summary>
    private static FrameEvents Reference(ReadOnlySpan<byte> stream, byte[] delimiter, int maxLength, bool raw, bool quit)
    {
        var events = new FrameEvents();
        var at = 0;
        while (at < stream.Length)
        {
            var rest = stream[at..];
            var found = rest.IndexOf(delimiter);
            if (found < 0)
            {
                if (rest.Length >= (long)maxLength + delimiter.Length)
                {
                    events.Add("tooLong", rest);
                }

                break;
            }

            if (found > maxLength)
            {
                events.Add("tooLong", rest);
                break;
            }

            var line = rest[..found];
            events.Add("frame", line);
            at += found + delimiter.Length;
            if (quit && line.SequenceEqual("QUIT"u8))
            {
                break;
            }

            if (raw && RawLength(line) is var count and >= 0)
            {
                var take = Math.Min(count, stream.Length - at);
                if (take > 0)
                {
                    events.Add("raw", stream.Slice(at, take));
                }

                at += take;
            }
        }

        return events;
    }

    /// <summary>How many raw bytes a line <c>RAW</c>+digit asks for; -1 for any other line.</summary>
    private static int RawLength(ReadOnlySpan<byte> line) =>
        line.Length >= 4 && line.StartsWith("RAW"u8) && line[3] is >= (byte)'0' and <= (byte)'9' ? line[3] - '0' : -1;

    private sealed class Lines(FrameEvents events, bool pauseInside, bool raw, bool quit) : LineReceiver
    {
        private int _rawLeft;

        public override void LineReceived(ReadOnlySpan<byte> line)
        {
            events.Add("frame", line);
            if (quit && line.SequenceEqual("QUIT"u8))
            {
                Transport!.LoseConnection();
            }

            if (raw && RawLength(line) is var count and >= 0)
            {
                _rawLeft = count;
                SetRawMode();
            }

            if (pauseInside)
            {
                PauseProducing();
            }
        }

        public override void RawDataReceived(ReadOnlySpan<byte> data)
        {
            var take = Math.Min(_rawLeft, data.Length);
            if (take > 0)
            {
                events.Add("raw", data[..take]);
            }

            _rawLeft -= take;
            if (_rawLeft == 0)
            {
                SetLineMode(data[take..]);
            }
        }

        public override void LineLengthExceeded(ReadOnlySpan<byte> line)
        {
            events.Add("tooLong", line);
            base.LineLengthExceeded(line);
        }
    }

    private sealed class OnlyLines(FrameEvents events, bool quit) : LineOnlyReceiver
    {
        public override void LineReceived(ReadOnlySpan<byte> line)
        {
            events.Add("frame", line);
            if (quit && line.SequenceEqual("QUIT"u8))
            {
                Transport!.LoseConnection();
            }
        }

        public override void LineLengthExceeded(ReadOnlySpan<byte> line)
        {
            events.Add("tooLong", line);
            base.LineLengthExceeded(line);
        }
    }
}
