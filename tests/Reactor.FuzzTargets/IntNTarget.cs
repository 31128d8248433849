using System.Buffers.Binary;
using Reactor.Protocols;
using Reactor.Testing;

namespace Reactor.Fuzz;

/// <summary>
/// <see cref="Int8StringReceiver"/>, <see cref="Int16StringReceiver"/> and <see cref="Int32StringReceiver"/> against a
/// reference parse of the whole stream.
/// </summary>
/// <remarks>
/// <para>Options: bits 0–1 pick the prefix (1, 2, or 4 bytes for 2 and 3); bit 2 pauses from inside each
/// <c>StringReceived</c>; bit 3 pauses around each chunk; bit 4 makes a string <c>QUIT</c> call <c>LoseConnection</c>.
/// The limit byte sets <c>MaxLength</c>.</para>
/// <para>Invariants: no exception from any callback; the strings are the reference's, in order, whatever the chunks; a
/// prefix above <c>MaxLength</c> calls <c>LengthLimitExceeded</c> with that length once, and nothing is delivered after
/// it or after <c>QUIT</c>; the connection closes exactly then.</para>
/// </remarks>
public static class IntNTarget
{
    /// <summary>Runs one input.</summary>
    /// <param name="input">The script.</param>
    /// <exception cref="FuzzInvariantException">An invariant broke.</exception>
    public static void Run(ReadOnlySpan<byte> input)
    {
        var script = new FuzzScript(input);
        var prefix = (script.Options & 3) switch { 0 => 1, 1 => 2, _ => 4 };
        var pauseInside = (script.Options & 4) != 0;
        var pauseAround = (script.Options & 8) != 0;
        var quit = (script.Options & 16) != 0;
        var maxLength = script.Limit(99999);

        var actual = new FrameEvents();
        IntNStringReceiver receiver = prefix switch
        {
            1 => new Int8(actual, pauseInside, quit),
            2 => new Int16(actual, pauseInside, quit),
            _ => new Int32(actual, pauseInside, quit),
        };
        receiver.MaxLength = maxLength;
        var transport = new FakeStreamTransport().Attach(receiver);
        Feeder.Feed(transport, script.Stream, script.Chunks(), receiver, () => receiver.Paused, pauseAround);
        FrameEvents.NoCallbackErrors(transport);

        var expected = new FrameEvents();
        var closes = false;
        var stream = script.Stream;
        for (var at = 0; stream.Length - at >= prefix;)
        {
            var header = stream.Slice(at, prefix);
            long length = prefix switch { 1 => header[0], 2 => BinaryPrimitives.ReadUInt16BigEndian(header), _ => BinaryPrimitives.ReadUInt32BigEndian(header) };
            if (length > maxLength)
            {
                expected.Add("lengthLimit", Encode(length));
                closes = true;
                break;
            }

            if (stream.Length - at - prefix < length)
            {
                break;
            }

            var data = stream.Slice(at + prefix, (int)length);
            expected.Add("frame", data);
            at += prefix + (int)length;
            if (quit && data.SequenceEqual("QUIT"u8))
            {
                closes = true;
                break;
            }
        }

        actual.ShouldEqual(expected, [], 0);
        FuzzInvariantException.Check(transport.Disconnecting == closes,
            closes ? "the connection should have closed (a length over MaxLength, or QUIT)" : "the connection closed, but no length was over MaxLength and no QUIT was sent");
    }

    private static byte[] Encode(long length)
    {
        var bytes = new byte[8];
        BinaryPrimitives.WriteInt64BigEndian(bytes, length);
        return bytes;
    }

    private static void Received(IntNStringReceiver receiver, FrameEvents events, bool pauseInside, bool quit, ReadOnlySpan<byte> data)
    {
        events.Add("frame", data);
        if (quit && data.SequenceEqual("QUIT"u8))
        {
            receiver.Transport!.LoseConnection();
        }

        if (pauseInside)
        {
            receiver.PauseProducing();
        }
    }

    private sealed class Int8(FrameEvents events, bool pauseInside, bool quit) : Int8StringReceiver
    {
        public override void StringReceived(ReadOnlySpan<byte> data) => Received(this, events, pauseInside, quit, data);

        public override void LengthLimitExceeded(long length)
        {
            events.Add("lengthLimit", Encode(length));
            base.LengthLimitExceeded(length);
        }
    }

    private sealed class Int16(FrameEvents events, bool pauseInside, bool quit) : Int16StringReceiver
    {
        public override void StringReceived(ReadOnlySpan<byte> data) => Received(this, events, pauseInside, quit, data);

        public override void LengthLimitExceeded(long length)
        {
            events.Add("lengthLimit", Encode(length));
            base.LengthLimitExceeded(length);
        }
    }

    private sealed class Int32(FrameEvents events, bool pauseInside, bool quit) : Int32StringReceiver
    {
        public override void StringReceived(ReadOnlySpan<byte> data) => Received(this, events, pauseInside, quit, data);

        public override void LengthLimitExceeded(long length)
        {
            events.Add("lengthLimit", Encode(length));
            base.LengthLimitExceeded(length);
        }
    }
}
