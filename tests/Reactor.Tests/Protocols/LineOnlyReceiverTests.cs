using Reactor.Protocols;
using static Reactor.Tests.Protocols.LineReceiverTests;

namespace Reactor.Tests.Protocols;

/// <summary><c>LineOnlyReceiver</c>, ported from Twisted's <c>test_basic.py</c> <c>LineOnlyReceiverTests</c>.</summary>
public class LineOnlyReceiverTests
{
    [Fact]
    public void Lines_fed_one_byte_at_a_time_arrive_whole()
    {
        // LineOnlyReceiverTests.test_buffer
        var data = B("foo\n    bleakness\n    desolation\n    plastic forks\n    ");
        var tester = Connected(new LineOnlyTester());
        Feed(tester, data, 1);
        tester.Received.Select(S).Should().Equal(S(data).Split('\n')[..^1]);
    }

    [Fact]
    public void A_line_longer_than_MaxLength_plus_the_delimiter_closes_the_connection()
    {
        // LineOnlyReceiverTests.test_greaterThanMaximumLineLength
        var transport = new StringTransport();
        var tester = Connected(new LineOnlyTester(), transport);
        tester.DataReceived(B(new string('x', tester.MaxLength + 1 + 1) + "\r\nr"));
        transport.Disconnecting.Should().BeTrue();
        tester.Received.Should().BeEmpty();
    }

    [Fact]
    public void LineReceived_must_be_implemented()
    {
        // LineOnlyReceiverTests.test_lineReceivedNotImplemented (abstract here)
        typeof(LineOnlyReceiver).GetMethod(nameof(LineOnlyReceiver.LineReceived))!.IsAbstract.Should().BeTrue();
    }

    [Fact]
    public void The_limits_are_LineReceiver_s_so_a_line_of_MaxLength_passes_however_its_delimiter_is_cut()
    {
        // Decision D48: Twisted's LineOnlyReceiver refuses MaxLength bytes plus a '\r' left unterminated.
        var transport = new StringTransport();
        var receiver = Connected(new LineOnlyTester { Delimiter = B("\r\n"), MaxLength = 10 }, transport);
        receiver.DataReceived(B(new string('y', 10) + "\r"));
        receiver.DataReceived(B("\n"));
        transport.Disconnecting.Should().BeFalse();
        receiver.Received.Select(S).Should().Equal([new string('y', 10)]);

        receiver.DataReceived(B(new string('z', 12)));
        transport.Disconnecting.Should().BeTrue("12 unterminated bytes with MaxLength 10 are over the limit");
        receiver.LongLines.Select(S).Should().Equal([new string('z', 12)]);
    }

    [Fact]
    public void An_over_long_terminated_line_is_passed_alone_to_LineLengthExceeded()
    {
        var receiver = Connected(new LineOnlyTester { MaxLength = 3 });
        receiver.DataReceived(B("abcdef\nok\n"));
        receiver.LongLines.Select(S).Should().Equal(["abcdef"]);
        receiver.Received.Should().BeEmpty();
    }

    [Fact]
    public void No_line_is_delivered_after_the_transport_starts_disconnecting()
    {
        var transport = new StringTransport();
        var receiver = Connected(new LineOnlyTester { CloseOn = "quit" }, transport);
        receiver.DataReceived(B("one\nquit\ntwo\n"));
        receiver.Received.Select(S).Should().Equal(["one", "quit"]);
    }

    [Fact]
    public void SendLine_writes_the_line_and_the_delimiter()
    {
        var transport = new StringTransport();
        var receiver = Connected(new LineOnlyTester(), transport);
        receiver.SendLine(B("hi"));
        S(transport.Value()).Should().Be("hi\n");
        transport.Writes.Should().Be(1);
    }

    private static T Connected<T>(T protocol, StringTransport? transport = null)
        where T : Protocol
    {
        protocol.MakeConnection(transport ?? new StringTransport());
        return protocol;
    }

    /// <summary>Twisted's <c>LineOnlyTester</c>: delimiter '\n', MaxLength 64, records lines.</summary>
    private sealed class LineOnlyTester : LineOnlyReceiver
    {
        public LineOnlyTester()
        {
            Delimiter = B("\n");
            MaxLength = 64;
        }

        public List<byte[]> Received { get; } = [];

        public List<byte[]> LongLines { get; } = [];

        public string? CloseOn { get; init; }

        public override void LineReceived(ReadOnlySpan<byte> line)
        {
            Received.Add(line.ToArray());
            if (CloseOn is not null && line.SequenceEqual(B(CloseOn)))
            {
                Transport!.LoseConnection();
            }
        }

        public override void LineLengthExceeded(ReadOnlySpan<byte> line)
        {
            LongLines.Add(line.ToArray());
            base.LineLengthExceeded(line);
        }
    }
}
