using System.Buffers.Binary;
using Reactor.Protocols;
using static Reactor.Tests.Protocols.LineReceiverTests;

namespace Reactor.Tests.Protocols;

/// <summary>
/// <c>Int32StringReceiver</c>, <c>Int16StringReceiver</c> and <c>Int8StringReceiver</c>, ported from Twisted's
/// <c>test_basic.py</c> (<c>IntNTestCaseMixin</c> with <c>Int32Tests</c>, <c>Int16Tests</c>, <c>Int8Tests</c>); every
/// theory runs for each prefix size.
/// </summary>
public class IntNStringReceiverTests
{
    public static TheoryData<int> PrefixLengths => [4, 2, 1];

    internal static IntNStringReceiver Create(int prefixLength, List<byte[]> received) => new Tester(prefixLength, received);

    internal static byte[] Prefixed(int prefixLength, byte[] data)
    {
        var prefix = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(prefix, (uint)data.Length);
        return [.. prefix[(4 - prefixLength)..], .. data];
    }

    [Theory]
    [MemberData(nameof(PrefixLengths))]
    public void Strings_fed_a_byte_at_a_time_are_received(int prefixLength)
    {
        // test_receive
        var (receiver, received, _) = Connected(prefixLength);
        foreach (var s in new[] { "a", new string('b', 16) })
        {
            Feed(receiver, Prefixed(prefixLength, B(s)), 1);
        }

        received.Select(S).Should().Equal(["a", new string('b', 16)]);
    }

    [Theory]
    [InlineData(4, "\u0000\u0000\u0000")]
    [InlineData(4, "hello there")]
    [InlineData(2, "\u0000")]
    [InlineData(2, "hello there")]
    [InlineData(1, "\u0008")]
    [InlineData(1, "dzadz")]
    [InlineData(1, "")]
    public void Partial_data_delivers_nothing(int prefixLength, string partial)
    {
        // test_partial
        var (receiver, received, _) = Connected(prefixLength);
        receiver.MaxLength = int.MaxValue;
        Feed(receiver, B(partial), 1);
        received.Should().BeEmpty();
    }

    [Theory]
    [MemberData(nameof(PrefixLengths))]
    public void SendString_writes_the_prefix_and_the_string(int prefixLength)
    {
        // test_send, and Int32Tests/Int16Tests/Int8Tests.test_data
        var (receiver, received, transport) = Connected(prefixLength);
        receiver.SendString(B(new string('b', 16)));
        transport.Value().Should().Equal(Prefixed(prefixLength, B(new string('b', 16))));
        transport.Writes.Should().Be(1);

        receiver.DataReceived(Prefixed(prefixLength, B("ubar")));
        received.Select(S).Should().Equal(["ubar"]);
    }

    [Theory]
    [MemberData(nameof(PrefixLengths))]
    public void A_prefix_over_MaxLength_calls_LengthLimitExceeded_with_it(int prefixLength)
    {
        // test_lengthLimitExceeded
        var (receiver, _, transport) = Connected(prefixLength);
        receiver.MaxLength = 10;
        receiver.DataReceived(Prefixed(prefixLength, new byte[11])[..prefixLength]);
        ((ITester)receiver).Exceeded.Should().Equal([11L]);
        transport.Disconnecting.Should().BeTrue("the default closes the connection");
    }

    [Theory]
    [MemberData(nameof(PrefixLengths))]
    public void A_string_over_MaxLength_is_not_delivered_even_when_it_arrived_whole(int prefixLength)
    {
        // test_longStringNotDelivered
        var (receiver, received, _) = Connected(prefixLength);
        receiver.MaxLength = 10;
        receiver.DataReceived(Prefixed(prefixLength, B(new string('x', 11))));
        received.Should().BeEmpty();
    }

    [Theory]
    [InlineData(4, "\u0010\u0000\u0000\u0000aaaaaa")]
    [InlineData(2, "\u0010\u0000aaaaaa")]
    [InlineData(1, "\u0000\u0000aaaaaa")]
    public void Illegal_strings_fed_a_byte_at_a_time_close_the_connection(int prefixLength, string wire)
    {
        // LPTestCaseMixin.test_illegal with each class's illegalStrings (MaxLength 50, as in Twisted's TestMixin).
        // Int8's "\0\0aaaaaa" is two empty strings and then "aaaaaa": 'a' (97) announces more than 50.
        var (receiver, _, transport) = Connected(prefixLength);
        receiver.MaxLength = 50;
        Feed(receiver, B(wire), 1);
        transport.Disconnecting.Should().BeTrue();
    }

    [Theory]
    [InlineData(2, 65535, false)]
    [InlineData(2, 65536, true)]
    [InlineData(1, 255, false)]
    [InlineData(1, 256, true)]
    public void A_string_too_long_for_the_prefix_throws_StringTooLongException_and_sends_nothing(int prefixLength, int length, bool throws)
    {
        // Int16Tests.test_tooLongSend, Int8Tests.test_tooLongSend (65,535 fits in two bytes, 65,536 does not)
        var (receiver, _, transport) = Connected(prefixLength);
        var act = () => receiver.SendString(new byte[length]);
        if (throws)
        {
            act.Should().Throw<StringTooLongException>().Which.Length.Should().Be(length);
            transport.Value().Should().BeEmpty();
        }
        else
        {
            act.Should().NotThrow();
        }
    }

    [Fact]
    public void StringReceived_must_be_implemented()
    {
        // IntNTestCaseMixin.test_stringReceivedNotImplemented (abstract here)
        typeof(IntNStringReceiver).GetMethod(nameof(IntNStringReceiver.StringReceived))!.IsAbstract.Should().BeTrue();
    }

    [Theory]
    [MemberData(nameof(PrefixLengths))]
    public void A_paused_receiver_holds_its_strings_and_delivers_them_at_resume(int prefixLength)
    {
        var (receiver, received, transport) = Connected(prefixLength);
        ((ITester)receiver).PauseAfterEach = true;
        receiver.DataReceived([.. Prefixed(prefixLength, B("one")), .. Prefixed(prefixLength, B("two")), .. Prefixed(prefixLength, B("three"))]);
        received.Select(S).Should().Equal(["one"]);
        transport.ReadingPaused.Should().BeTrue();

        receiver.ResumeProducing();
        received.Select(S).Should().Equal(["one", "two"]);
        receiver.ResumeProducing();
        receiver.ResumeProducing();
        received.Select(S).Should().Equal(["one", "two", "three"]);
        transport.ReadingPaused.Should().BeFalse();
        receiver.BufferCapacity.Should().Be(0);
    }

    [Theory]
    [MemberData(nameof(PrefixLengths))]
    public void After_LengthLimitExceeded_everything_received_is_discarded(int prefixLength)
    {
        var (receiver, received, _) = Connected(prefixLength);
        receiver.MaxLength = 5;
        receiver.DataReceived(Prefixed(prefixLength, B("toolong")));
        receiver.DataReceived(Prefixed(prefixLength, B("ok")));
        received.Should().BeEmpty();
        receiver.BufferedBytes.Should().Be(0);
    }

    private static (IntNStringReceiver Receiver, List<byte[]> Received, StringTransport Transport) Connected(int prefixLength)
    {
        var received = new List<byte[]>();
        var receiver = Create(prefixLength, received);
        var transport = new StringTransport();
        receiver.MakeConnection(transport);
        return (receiver, received, transport);
    }

    [Fact]
    public void Int32_Int16_and_Int8_receivers_use_4_2_and_1_byte_prefixes()
    {
        var transport = new StringTransport();
        foreach (var (receiver, prefix) in new (IntNStringReceiver, byte[])[] { (new Int32Strings(), [0, 0, 0, 3]), (new Int16Strings(), [0, 3]), (new Int8Strings(), [3]) })
        {
            transport.Clear();
            receiver.MakeConnection(transport);
            receiver.PrefixLength.Should().Be(prefix.Length);
            receiver.MaxLength.Should().Be(99999, "Twisted's MAX_LENGTH is the default");
            receiver.SendString("foo"u8);
            transport.Value().Should().Equal([.. prefix, .. "foo"u8]);
        }
    }

    /// <summary>Twisted's <c>TestInt32</c>/<c>TestInt16</c>/<c>TestInt8</c> in one: records strings and limit calls, and can pause after each string.</summary>
    private sealed class Tester(int prefixLength, List<byte[]> received) : IntNStringReceiver(prefixLength), ITester
    {
        public List<long> Exceeded { get; } = [];

        public bool PauseAfterEach { get; set; }

        public override void StringReceived(ReadOnlySpan<byte> data)
        {
            received.Add(data.ToArray());
            if (PauseAfterEach)
            {
                PauseProducing();
            }
        }

        public override void LengthLimitExceeded(long length)
        {
            Exceeded.Add(length);
            base.LengthLimitExceeded(length);
        }
    }

    private interface ITester
    {
        List<long> Exceeded { get; }

        bool PauseAfterEach { get; set; }
    }

    private sealed class Int32Strings : Int32StringReceiver
    {
        public override void StringReceived(ReadOnlySpan<byte> data)
        {
        }
    }

    private sealed class Int16Strings : Int16StringReceiver
    {
        public override void StringReceived(ReadOnlySpan<byte> data)
        {
        }
    }

    private sealed class Int8Strings : Int8StringReceiver
    {
        public override void StringReceived(ReadOnlySpan<byte> data)
        {
        }
    }
}
