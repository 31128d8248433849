using System.Text;
using Reactor.Protocols;
using Reactor.Testing;

namespace Reactor.Tests.Protocols;

/// <summary>
/// <c>LineReceiver</c>, ported from Twisted's <c>protocols/test/test_basic.py</c> (<c>LineReceiverTests</c>,
/// <c>LineReceiverLineLengthExceededTests</c>, <c>ProducerTests</c>): each test names the Twisted test it ports.
/// </summary>
public class LineReceiverTests
{
    // test_buffer's stream: lines, "len N" announcing N raw bytes after an empty line, and one 70-byte line (MAX 64).
    private static readonly byte[] Buffer = B(
        "len 10\n\n0123456789len 5\n\n1234\nlen 20\nfoo 123\n\n0123456789\n012345678len 0\nfoo 5\n\n" +
        "1234567890123456789012345678901234567890123456789012345678901234567890\nlen 1\n\na");

    private static readonly string[] Output =
    [
        "len 10", "0123456789", "len 5", "1234\n", "len 20", "foo 123", "0123456789\n012345678", "len 0", "foo 5", "",
        "67890", "len 1", "a",
    ];

    internal static byte[] B(string text) => Encoding.Latin1.GetBytes(text);

    internal static string S(byte[] bytes) => Encoding.Latin1.GetString(bytes);

    internal static void Feed(Protocol protocol, byte[] data, int packetSize)
    {
        for (var i = 0; i < data.Length; i += packetSize)
        {
            protocol.DataReceived(data.AsSpan(i, Math.Min(packetSize, data.Length - i)));
        }
    }

    [Fact]
    public void Lines_and_raw_data_are_reassembled_the_same_for_every_packet_size()
    {
        // test_buffer
        for (var packetSize = 1; packetSize < 10; packetSize++)
        {
            var tester = Connected(new LineTester());
            Feed(tester, Buffer, packetSize);
            tester.Received.Select(S).Should().Equal(Output, $"packet size {packetSize}");
        }
    }

    [Fact]
    public void Pausing_inside_LineReceived_stops_delivery_until_resumed()
    {
        // test_pausing
        var data = B("twiddle1\ntwiddle2\npause\ntwiddle3\n");
        for (var packetSize = 1; packetSize < 10; packetSize++)
        {
            var clock = new Clock();
            var tester = Connected(new LineTester(clock));
            Feed(tester, data, packetSize);
            tester.Received.Select(S).Should().Equal(["twiddle1", "twiddle2", "pause"], $"packet size {packetSize}");
            clock.Advance(TimeSpan.Zero);
            tester.Received.Select(S).Should().Equal(["twiddle1", "twiddle2", "pause", "twiddle3"]);
        }
    }

    [Fact]
    public void Pausing_and_switching_to_raw_mode_holds_the_raw_data_until_resumed()
    {
        // test_rawPausing
        var data = B("twiddle1\ntwiddle2\nlen 5\nrawpause\n12345twiddle3\n");
        for (var packetSize = 1; packetSize < 10; packetSize++)
        {
            var clock = new Clock();
            var tester = Connected(new LineTester(clock));
            Feed(tester, data, packetSize);
            tester.Received.Select(S).Should().Equal(["twiddle1", "twiddle2", "len 5", "rawpause", ""], $"packet size {packetSize}");
            clock.Advance(TimeSpan.Zero);
            tester.Received.Select(S).Should().Equal(["twiddle1", "twiddle2", "len 5", "rawpause", "12345", "twiddle3"]);
        }
    }

    [Fact]
    public void StopProducing_inside_LineReceived_stops_delivery_for_good_and_stops_the_transport()
    {
        // test_stopProducing
        var data = B("twiddle1\ntwiddle2\nstop\nmore\nstuff\n");
        for (var packetSize = 1; packetSize < 10; packetSize++)
        {
            var transport = new StringTransport();
            var tester = Connected(new LineTester(), transport);
            Feed(tester, data, packetSize);
            tester.Received.Select(S).Should().Equal(["twiddle1", "twiddle2", "stop"], $"packet size {packetSize}");
            transport.StopCalled.Should().BeTrue();
        }
    }

    [Fact]
    public void Registering_and_unregistering_the_receiver_as_a_producer_inside_LineReceived_keeps_lines_flowing()
    {
        // test_lineReceiverAsProducer (our transports take a LineReceiver as a streaming producer)
        var transport = new StringTransport();
        var tester = Connected(new LineTester(), transport);
        tester.DataReceived(B("produce\nhello world\nunproduce\ngoodbye\n"));
        tester.Received.Select(S).Should().Equal(["produce", "hello world", "unproduce", "goodbye"]);
        transport.Producer.Should().BeNull();
    }

    [Fact]
    public void ClearLineBuffer_inside_LineReceived_returns_and_forgets_everything_after_the_line()
    {
        // test_clearLineBuffer
        var receiver = new ClearingReceiver();
        receiver.DataReceived(B("foo\r\nbar\r\nbaz"));
        S(receiver.Line).Should().Be("foo");
        S(receiver.Rest).Should().Be("bar\r\nbaz");

        receiver.DataReceived(B("quux\r\n"));
        S(receiver.Line).Should().Be("quux");
        S(receiver.Rest).Should().BeEmpty();
    }

    [Fact]
    public void Switching_modes_thousands_of_times_on_one_buffer_does_not_recurse()
    {
        // test_stackRecursion (Python's recursion limit is 1000; a deep recursion here would overflow the stack)
        var flipping = Connected(new FlippingLineTester());
        const int limit = 10_000;
        flipping.DataReceived(B(string.Concat(Enumerable.Repeat("x\nx", limit))));
        S([.. flipping.Lines.SelectMany(l => l)]).Should().Be(new string('x', limit));
    }

    [Fact]
    public void A_line_longer_than_MaxLength_closes_the_connection()
    {
        // test_maximumLineLength (in both LineReceiverTests and LineReceiverLineLengthExceededTests)
        var transport = new StringTransport();
        var receiver = Connected(new Collecting(), transport);
        receiver.MaxLength.Should().Be(16384, "Twisted's MAX_LENGTH is the default");
        receiver.DataReceived(B(new string('x', receiver.MaxLength + 1) + "\r\nr"));
        transport.Disconnecting.Should().BeTrue();
        receiver.Lines.Should().BeEmpty();
    }

    [Fact]
    public void A_line_of_MaxLength_whose_delimiter_is_split_across_reads_is_delivered()
    {
        // test_maximumLineLengthPartialDelimiter
        var transport = new StringTransport();
        var tester = Connected(new LineTester(), transport);
        tester.MaxLength = 4;
        var line = B("xxx");
        tester.DataReceived(line);
        tester.DataReceived(B("\n")[..0]);
        tester.DataReceived(B("\n" + "xxx"));
        transport.Disconnecting.Should().BeFalse();
        tester.Received.Select(S).Should().Equal(["xxx"]);

        // And with a two-byte delimiter cut between its bytes, and a line of exactly MaxLength.
        var crlf = Connected(new Collecting(), transport = new StringTransport());
        crlf.MaxLength = 10;
        crlf.DataReceived(B(new string('y', 10) + "\r"));
        crlf.DataReceived(B("\nnext"));
        transport.Disconnecting.Should().BeFalse();
        crlf.Lines.Select(S).Should().Equal([new string('y', 10)]);
    }

    [Fact]
    public void Unfinished_data_of_MaxLength_and_part_of_the_delimiter_is_not_an_error()
    {
        // test_notQuiteMaximumLineLengthUnfinished: 10 bytes + '\r' with MaxLength 10 is not an error ...
        var transport = new StringTransport();
        var receiver = Connected(new Collecting(), transport);
        receiver.DataReceived(B(new string('x', receiver.MaxLength) + "\r"));
        transport.Disconnecting.Should().BeFalse();

        var small = Connected(new Collecting(), transport = new StringTransport());
        small.MaxLength = 10;
        small.DataReceived(B(new string('x', 10) + "\r"));
        transport.Disconnecting.Should().BeFalse();

        // ... but 12 unterminated bytes with MaxLength 10 are (12 = MaxLength + the delimiter's length).
        var over = Connected(new Collecting(), transport = new StringTransport());
        over.MaxLength = 10;
        over.DataReceived(B(new string('x', 12)));
        transport.Disconnecting.Should().BeTrue();
    }

    [Fact]
    public void An_exception_thrown_by_RawDataReceived_comes_out_of_DataReceived()
    {
        // test_rawDataError: Twisted returns the error from dataReceived (and the transport closes with it); a .NET
        // protocol throws, and the transport closes with the exception as the reason (decision D16).
        var receiver = Connected(new ThrowingRaw());
        receiver.SetRawMode();
        var act = () => receiver.DataReceived(B("data"));
        act.Should().Throw<InvalidOperationException>().WithMessage("oops");

        // The receiver is usable again afterwards: the failed call did not leave it busy.
        receiver.SetLineMode();
        receiver.DataReceived(B("line\r\n"));
        receiver.Lines.Select(S).Should().Equal(["line"]);
    }

    [Fact]
    public void RawDataReceived_not_overridden_throws_NotImplementedException_and_LineReceived_must_be_implemented()
    {
        // test_rawDataReceivedNotImplemented, test_lineReceivedNotImplemented (LineReceived is abstract here: a
        // subclass that does not implement it does not compile)
        var receiver = new Collecting();
        var act = () => receiver.RawDataReceived(B("foo"));
        act.Should().Throw<NotImplementedException>();
        typeof(LineReceiver).GetMethod(nameof(LineReceiver.LineReceived))!.IsAbstract.Should().BeTrue();
    }

    [Fact]
    public void An_unterminated_line_over_the_limit_goes_whole_to_LineLengthExceeded()
    {
        // test_longUnendedLine
        var catcher = Catcher();
        var excessive = B(new string('x', (catcher.MaxLength * 2) + 2));
        catcher.DataReceived(excessive);
        catcher.LongLines.Should().ContainSingle().Which.Should().Equal(excessive);
    }

    [Fact]
    public void After_a_short_line_the_over_long_rest_goes_to_LineLengthExceeded()
    {
        // test_longLineAfterShortLine
        var catcher = Catcher();
        var excessive = B(new string('x', (catcher.MaxLength * 2) + 2));
        catcher.DataReceived([.. B("x\r\n"), .. excessive]);
        catcher.LongLines.Should().ContainSingle().Which.Should().Equal(excessive);
    }

    [Fact]
    public void An_over_long_line_with_a_delimiter_passes_the_whole_remaining_buffer()
    {
        // test_longLineWithDelimiter
        var catcher = Catcher();
        var line = new string('x', (catcher.MaxLength * 2) + 2);
        var excessive = B(line + "\r\n" + line);
        catcher.DataReceived(excessive);
        catcher.LongLines.Should().ContainSingle().Which.Should().Equal(excessive);
    }

    [Fact]
    public void Several_over_long_lines_pass_the_whole_remaining_buffer_once()
    {
        // test_multipleLongLines
        var catcher = Catcher();
        var line = new string('x', (catcher.MaxLength * 2) + 2) + "\r\n";
        var excessive = B(line + line);
        catcher.DataReceived(excessive);
        catcher.LongLines.Should().ContainSingle().Which.Should().Equal(excessive);
    }

    [Fact]
    public void An_over_long_unfinished_remainder_closes_the_connection()
    {
        // test_maximumLineLengthRemaining
        var transport = new StringTransport();
        var receiver = Connected(new Collecting(), transport);
        receiver.DataReceived(B(new string('x', receiver.MaxLength + 2)));
        transport.Disconnecting.Should().BeTrue();
    }

    [Fact]
    public void A_paused_receiver_holds_its_lines_and_delivers_them_at_resume()
    {
        // ProducerTests.test_pauseResume
        var transport = new StringTransport();
        var p = Connected(new ConsumingProtocol(), transport);

        p.DataReceived(B("hello, "));
        transport.Value().Should().BeEmpty();
        transport.ReadingPaused.Should().BeFalse();
        p.Paused.Should().BeFalse();

        p.DataReceived(B("world\r\n"));
        S(transport.Value()).Should().Be("hello, world");
        transport.ReadingPaused.Should().BeTrue();
        p.Paused.Should().BeTrue();

        p.ResumeProducing();
        S(transport.Value()).Should().Be("hello, world");
        transport.ReadingPaused.Should().BeFalse();
        p.Paused.Should().BeFalse();

        p.DataReceived(B("hello\r\nworld\r\n"));
        S(transport.Value()).Should().Be("hello, worldhello");
        transport.ReadingPaused.Should().BeTrue();
        p.Paused.Should().BeTrue();

        p.ResumeProducing();
        S(transport.Value()).Should().Be("hello, worldhelloworld");
        transport.ReadingPaused.Should().BeTrue();
        p.Paused.Should().BeTrue();

        p.DataReceived(B("goodbye\r\n"));
        S(transport.Value()).Should().Be("hello, worldhelloworld");
        p.Paused.Should().BeTrue();

        p.ResumeProducing();
        S(transport.Value()).Should().Be("hello, worldhelloworldgoodbye");
        transport.ReadingPaused.Should().BeTrue();
        p.Paused.Should().BeTrue();

        p.ResumeProducing();
        S(transport.Value()).Should().Be("hello, worldhelloworldgoodbye");
        transport.ReadingPaused.Should().BeFalse();
        p.Paused.Should().BeFalse();
    }

    [Fact]
    public void No_line_is_delivered_after_the_transport_starts_disconnecting()
    {
        var transport = new StringTransport();
        var receiver = Connected(new Collecting { CloseOn = "quit" }, transport);
        receiver.DataReceived(B("one\r\nquit\r\ntwo\r\n"));
        receiver.Lines.Select(S).Should().Equal(["one", "quit"]);
    }

    [Fact]
    public void Lines_held_while_paused_are_not_delivered_once_the_transport_is_disconnecting()
    {
        // Found by tests/fuzz (lines target): a receiver paused after "quit" delivered the lines it held when resumed,
        // to a connection that was closing.
        var transport = new FakeStreamTransport();
        var receiver = new PausingCollecting { CloseOn = "quit" };
        transport.Attach(receiver);
        transport.Receive(B("one\r\nquit\r\ntwo\r\n\r\n"));
        receiver.ResumeProducing();
        receiver.ResumeProducing();
        receiver.Lines.Select(S).Should().Equal(["one", "quit"]);
        transport.Disconnecting.Should().BeTrue();
    }

    [Fact]
    public void SendLine_writes_the_line_and_the_delimiter_in_one_write()
    {
        var transport = new StringTransport();
        var receiver = Connected(new Collecting(), transport);
        receiver.SendLine(B("hello"));
        S(transport.Value()).Should().Be("hello\r\n");
        transport.Writes.Should().Be(1);

        receiver.Delimiter = B("\n");
        receiver.SendLine(B(new string('z', 100_000)));
        transport.Value().Length.Should().Be(7 + 100_001);
    }

    [Fact]
    public void With_the_default_delimiter_a_bare_newline_is_part_of_the_line()
    {
        var receiver = Connected(new Collecting());
        receiver.DataReceived(B("one\ntwo\r\n"));
        receiver.Lines.Select(S).Should().Equal(["one\ntwo"]);
    }

    [Fact]
    public void A_line_split_over_many_reads_is_searched_once_and_delivered_whole()
    {
        var receiver = Connected(new Collecting());
        receiver.MaxLength = 1 << 20;
        var line = B(new string('a', 1_000_000));
        for (var i = 0; i < line.Length; i += 100)
        {
            receiver.DataReceived(line.AsSpan(i, 100));
        }

        receiver.DataReceived(B("\r\n"));
        receiver.Lines.Should().ContainSingle().Which.Length.Should().Be(1_000_000);
        receiver.BufferCapacity.Should().Be(0, "the pooled buffer goes back to the pool once no partial line is left");
    }

    private static T Connected<T>(T protocol, StringTransport? transport = null)
        where T : Protocol
    {
        protocol.MakeConnection(transport ?? new StringTransport());
        return protocol;
    }

    private static ExcessivelyLargeLineCatcher Catcher() => Connected(new ExcessivelyLargeLineCatcher { MaxLength = 6 });

    /// <summary>Twisted's <c>LineTester</c>: acts on the tokens pause, rawpause, stop, len N, produce, unproduce.</summary>
    private sealed class LineTester : LineReceiver
    {
        private readonly Clock? _clock;
        private int _length;

        public LineTester(Clock? clock = null)
        {
            _clock = clock;
            Delimiter = B("\n");
            MaxLength = 64;
        }

        public List<byte[]> Received { get; } = [];

        public override void LineReceived(ReadOnlySpan<byte> line)
        {
            Received.Add(line.ToArray());
            if (line.IsEmpty)
            {
                SetRawMode();
            }
            else if (line.SequenceEqual("pause"u8))
            {
                PauseProducing();
                _clock!.CallLater(TimeSpan.Zero, ResumeProducing);
            }
            else if (line.SequenceEqual("rawpause"u8))
            {
                PauseProducing();
                SetRawMode();
                Received.Add([]);
                _clock!.CallLater(TimeSpan.Zero, ResumeProducing);
            }
            else if (line.SequenceEqual("stop"u8))
            {
                StopProducing();
            }
            else if (line.StartsWith("len "u8))
            {
                _length = int.Parse(line[4..], provider: System.Globalization.CultureInfo.InvariantCulture);
            }
            else if (line.StartsWith("produce"u8))
            {
                Transport!.RegisterProducer(this, streaming: true);
            }
            else if (line.StartsWith("unproduce"u8))
            {
                Transport!.UnregisterProducer();
            }
        }

        public override void RawDataReceived(ReadOnlySpan<byte> data)
        {
            var taken = Math.Min(_length, data.Length);
            _length -= taken;
            Received[^1] = [.. Received[^1], .. data[..taken]];
            if (_length == 0)
            {
                SetLineMode(data[taken..]);
            }
        }

        public override void LineLengthExceeded(ReadOnlySpan<byte> line)
        {
            if (line.Length > MaxLength + 1)
            {
                SetLineMode(line[(MaxLength + 1)..]);
            }
        }
    }

    /// <summary>Twisted's <c>FlippingLineTester</c>: back to line mode one byte into each raw chunk.</summary>
    private sealed class FlippingLineTester : LineReceiver
    {
        public FlippingLineTester() => Delimiter = B("\n");

        public List<byte[]> Lines { get; } = [];

        public override void LineReceived(ReadOnlySpan<byte> line)
        {
            Lines.Add(line.ToArray());
            SetRawMode();
        }

        public override void RawDataReceived(ReadOnlySpan<byte> data) => SetLineMode(data[1..]);
    }

    private sealed class ClearingReceiver : LineReceiver
    {
        public byte[] Line { get; private set; } = [];

        public byte[] Rest { get; private set; } = [];

        public override void LineReceived(ReadOnlySpan<byte> line)
        {
            Line = line.ToArray();
            Rest = ClearLineBuffer();
        }
    }

    private sealed class ExcessivelyLargeLineCatcher : LineReceiver
    {
        public List<byte[]> LongLines { get; } = [];

        public override void LineReceived(ReadOnlySpan<byte> line)
        {
        }

        public override void LineLengthExceeded(ReadOnlySpan<byte> line) => LongLines.Add(line.ToArray());
    }

    private sealed class ConsumingProtocol : LineReceiver
    {
        public override void LineReceived(ReadOnlySpan<byte> line)
        {
            Transport!.Write(line);
            PauseProducing();
        }
    }

    private sealed class ThrowingRaw : LineReceiver
    {
        public List<byte[]> Lines { get; } = [];

        public override void LineReceived(ReadOnlySpan<byte> line) => Lines.Add(line.ToArray());

        public override void RawDataReceived(ReadOnlySpan<byte> data) => throw new InvalidOperationException("oops");
    }

    private sealed class PausingCollecting : LineReceiver
    {
        public List<byte[]> Lines { get; } = [];

        public string? CloseOn { get; init; }

        public override void LineReceived(ReadOnlySpan<byte> line)
        {
            Lines.Add(line.ToArray());
            if (CloseOn is not null && line.SequenceEqual(B(CloseOn)))
            {
                Transport!.LoseConnection();
            }

            PauseProducing();
        }
    }

    internal sealed class Collecting : LineReceiver
    {
        public List<byte[]> Lines { get; } = [];

        public string? CloseOn { get; init; }

        public override void LineReceived(ReadOnlySpan<byte> line)
        {
            Lines.Add(line.ToArray());
            if (CloseOn is not null && line.SequenceEqual(B(CloseOn)))
            {
                Transport!.LoseConnection();
            }
        }
    }
}
