using System.Globalization;
using System.Text;
using Reactor.Protocols;
using Reactor.Testing;

namespace Reactor.Fuzz;

/// <summary><see cref="NetstringReceiver"/> against a reference parse of the whole stream.</summary>
/// <remarks>
/// <para>Options: bit 0 makes a string <c>QUIT</c> call <c>LoseConnection</c>. The limit byte sets <c>MaxLength</c>.</para>
/// <para>Invariants: no exception from any callback; the strings are the reference's, in order, whatever the chunks; a
/// bad netstring (no length, a leading zero, a length over <c>MaxLength</c>, no colon, no comma) calls
/// <c>NetstringParseFailed</c> once, with the reference's message, and sets <c>BrokenPeer</c>; nothing is delivered
/// after it or after <c>QUIT</c>; the connection closes exactly then.</para>
/// </remarks>
public static class NetstringTarget
{
    private const string MissingLength = "The received netstring does not start with a length specification.";
    private const string MissingComma = "The received netstring is not terminated by a comma.";

    /// <summary>Runs one input.</summary>
    /// <param name="input">The script.</param>
    /// <exception cref="FuzzInvariantException">An invariant broke.</exception>
    public static void Run(ReadOnlySpan<byte> input)
    {
        var script = new FuzzScript(input);
        var quit = (script.Options & 1) != 0;
        var maxLength = script.Limit(99999);

        var actual = new FrameEvents();
        var receiver = new Netstrings(actual, quit) { MaxLength = maxLength };
        var transport = new FakeStreamTransport().Attach(receiver);
        Feeder.Feed(transport, script.Stream, script.Chunks(), null, static () => false, pauseAround: false);
        FrameEvents.NoCallbackErrors(transport);

        var (expected, failed, closes) = Reference(script.Stream, maxLength, quit);
        actual.ShouldEqual(expected, [], 0);
        FuzzInvariantException.Check(receiver.BrokenPeer == failed, $"BrokenPeer is {receiver.BrokenPeer}, expected {failed}");
        FuzzInvariantException.Check(transport.Disconnecting == closes,
            closes ? "the connection should have closed (a bad netstring, or QUIT)" : "the connection closed, but every netstring was good and no QUIT was sent");
    }

    private static (FrameEvents Events, bool Failed, bool Closes) Reference(ReadOnlySpan<byte> stream, int maxLength, bool quit)
    {
        var events = new FrameEvents();
        var at = 0;
        while (at < stream.Length)
        {
            long length = 0;
            var digits = 0;
            var i = at;
            for (; i < stream.Length && !(stream[i] == (byte)':' && digits > 0); i++)
            {
                var b = stream[i];
                if (b is < (byte)'0' or > (byte)'9' || (digits == 1 && length == 0))
                {
                    return Failed(events, MissingLength);
                }

                length = (length * 10) + (b - '0');
                digits++;
                if (length > maxLength)
                {
                    return Failed(events, $"The received netstring is longer than the maximum {maxLength.ToString(CultureInfo.InvariantCulture)} specified by MaxLength.");
                }
            }

            if (i == stream.Length || stream.Length - (i + 1) < length + 1)
            {
                break;
            }

            var data = stream.Slice(i + 1, (int)length);
            if (stream[i + 1 + (int)length] != (byte)',')
            {
                return Failed(events, MissingComma);
            }

            events.Add("frame", data);
            at = i + 2 + (int)length;
            if (quit && data.SequenceEqual("QUIT"u8))
            {
                return (events, false, true);
            }
        }

        return (events, false, false);
    }

    private static (FrameEvents, bool, bool) Failed(FrameEvents events, string message)
    {
        events.Add("parseFailed", Encoding.UTF8.GetBytes(message));
        return (events, true, true);
    }

    private sealed class Netstrings(FrameEvents events, bool quit) : NetstringReceiver
    {
        public override void StringReceived(ReadOnlySpan<byte> data)
        {
            events.Add("frame", data);
            if (quit && data.SequenceEqual("QUIT"u8))
            {
                Transport!.LoseConnection();
            }
        }

        public override void NetstringParseFailed(NetstringParseException error)
        {
            FuzzInvariantException.Check(BrokenPeer, "NetstringParseFailed was called before BrokenPeer was set");
            events.Add("parseFailed", Encoding.UTF8.GetBytes(error.Message));
            base.NetstringParseFailed(error);
        }
    }
}
