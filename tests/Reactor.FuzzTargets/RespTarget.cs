using System.Buffers.Binary;
using System.Text;
using Reactor.Protocols;
using Reactor.Samples.KeyValue;
using Reactor.Testing;

namespace Reactor.Fuzz;

/// <summary>
/// samples/KeyValue's <see cref="RespRequestParser"/>, driven as its server drives it — from a
/// <see cref="FrameReceiver"/> that hands it every byte not yet consumed — against the same parser given the whole
/// stream at once.
/// </summary>
/// <remarks>
/// <para>Options: bit 0 sets a small <c>MaxBufferedLength</c> (8 + 4 × the options' high nibble) on the frame receiver;
/// bit 1 pauses from inside <c>FramesReceived</c> after each request; bit 2 pauses around each chunk. A limit byte below
/// 0x80 gives the parser small limits (inline and length lines of the byte's low 6 bits, bulk strings as long, at most
/// the low 3 bits arguments), so the limits' code is reached; from 0x80 on, Redis's.</para>
/// <para>Invariants: no exception; a complete request consumes at least one byte and no more than it was given, its
/// arguments lie inside what it consumed; the requests and the error are the same whatever the chunks (a buffer-limit
/// call may cut the sequence short, after a prefix of the requests); the connection closes exactly after an error or
/// the buffer limit.</para>
/// </remarks>
public static class RespTarget
{
    /// <summary>Runs one input.</summary>
    /// <param name="input">The script.</param>
    /// <exception cref="FuzzInvariantException">An invariant broke.</exception>
    public static void Run(ReadOnlySpan<byte> input)
    {
        var script = new FuzzScript(input);
        var pauseInside = (script.Options & 2) != 0;
        var pauseAround = (script.Options & 4) != 0;
        var limit = script.LimitByte;
        Func<RespRequestParser> limits = limit < 0x80
            ? () => new RespRequestParser(maxBulkLength: limit & 0x3F, maxArguments: limit & 7, maxInlineLength: limit & 0x3F)
            : () => new RespRequestParser();

        var actual = new FrameEvents();
        var server = new Server(limits(), actual, pauseInside);
        if ((script.Options & 1) != 0)
        {
            server.MaxBufferedLength = 8 + (4 * (script.Options >> 4));
        }

        var transport = new FakeStreamTransport().Attach(server);
        Feeder.Feed(transport, script.Stream, script.Chunks(), server, () => server.Paused, pauseAround);
        FrameEvents.NoCallbackErrors(transport);

        // The reference: the same parser, the whole stream at once.
        var expected = new FrameEvents();
        var reference = limits();
        var stream = script.Stream;
        for (var at = 0; at < stream.Length;)
        {
            var data = stream[at..];
            var status = reference.Parse(data, out var consumed);
            if (status == RespParseStatus.Incomplete)
            {
                break;
            }

            if (status == RespParseStatus.Error)
            {
                expected.Add("error", Encoding.UTF8.GetBytes(reference.Error ?? "(null)"));
                break;
            }

            expected.Add("request", Request(reference, data, consumed));
            at += consumed;
        }

        var closes = expected.Items.Count > 0 && expected.Items[^1].Kind == "error";
        if (actual.Items.Count > 0 && actual.Items[^1].Kind == "bufferLimit")
        {
            // Where the buffer overflowed depends on the chunks: what came before must be the reference's start.
            var before = new FrameEvents();
            foreach (var (kind, bytes) in actual.Items.Take(actual.Items.Count - 1))
            {
                before.Add(kind, bytes);
            }

            var prefix = new FrameEvents();
            foreach (var (kind, bytes) in expected.Items.Take(before.Items.Count))
            {
                prefix.Add(kind, bytes);
            }

            before.ShouldEqual(prefix, [], 0);
            FuzzInvariantException.Check(before.Items.Count <= expected.Items.Count && (before.Items.Count == 0 || before.Items[^1].Kind != "error"),
                "the buffer limit was reported after the requests the reference found, or after an error");
            closes = true;
        }
        else
        {
            actual.ShouldEqual(expected, [], 0);
        }

        FuzzInvariantException.Check(transport.Disconnecting == closes,
            closes ? "the connection should have closed (a protocol error, or the buffer limit)" : "the connection closed without a protocol error");
    }

    /// <summary>A complete request as bytes (each argument after its 4-byte length), after checking its ranges.</summary>
    private static byte[] Request(RespRequestParser parser, ReadOnlySpan<byte> data, int consumed)
    {
        FuzzInvariantException.Check(consumed > 0 && consumed <= data.Length, $"Complete with consumed = {consumed} of {data.Length} bytes");
        var bytes = new List<byte>();
        Span<byte> length = stackalloc byte[4];
        foreach (var range in parser.Arguments)
        {
            var (offset, count) = range.GetOffsetAndLength(data.Length);
            FuzzInvariantException.Check(offset + count <= consumed, $"argument {range} lies outside the request's {consumed} bytes");
            BinaryPrimitives.WriteInt32BigEndian(length, count);
            bytes.AddRange(length);
            bytes.AddRange(data.Slice(offset, count));
        }

        return [.. bytes];
    }

    /// <summary>RespServer's framing, recording requests instead of running them.</summary>
    private sealed class Server(RespRequestParser parser, FrameEvents events, bool pauseInside) : FrameReceiver
    {
        protected override int FramesReceived(ReadOnlySpan<byte> data)
        {
            var consumed = 0;
            while (Transport is not { Disconnecting: true })
            {
                var request = data[consumed..];
                switch (parser.Parse(request, out var length))
                {
                    case RespParseStatus.Incomplete:
                        return consumed;
                    case RespParseStatus.Error:
                        events.Add("error", Encoding.UTF8.GetBytes(parser.Error ?? "(null)"));
                        Transport!.LoseConnection();
                        return data.Length;
                }

                events.Add("request", Request(parser, request, length));
                consumed += length;
                if (pauseInside)
                {
                    PauseProducing();
                    return consumed;
                }
            }

            return consumed;
        }

        public override void BufferLimitExceeded(int length)
        {
            FuzzInvariantException.Check(length > MaxBufferedLength, $"BufferLimitExceeded({length}) with MaxBufferedLength {MaxBufferedLength}");
            events.Add("bufferLimit", []);
            base.BufferLimitExceeded(length);
        }
    }
}
