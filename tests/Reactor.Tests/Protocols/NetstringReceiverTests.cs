using Reactor.Protocols;
using static Reactor.Tests.Protocols.LineReceiverTests;

namespace Reactor.Tests.Protocols;

/// <summary><c>NetstringReceiver</c>, ported from Twisted's <c>test_basic.py</c> <c>NetstringReceiverTests</c>.</summary>
public class NetstringReceiverTests
{
    private static readonly string[] Strings = ["hello", "world", "how", "are", "you123", ":today", new string('a', 515)];

    private readonly StringTransport _transport = new();
    private readonly TestNetstring _receiver = new();

    public NetstringReceiverTests() => _receiver.MakeConnection(_transport);

    [Fact]
    public void Netstrings_arrive_whole_for_every_packet_size()
    {
        // test_buffer
        for (var packetSize = 1; packetSize < 10; packetSize++)
        {
            var transport = new StringTransport();
            var receiver = new TestNetstring { MaxLength = 699 };
            receiver.MakeConnection(transport);
            foreach (var s in Strings)
            {
                receiver.SendString(B(s));
            }

            var sent = transport.Value();
            transport.Clear();
            Feed(receiver, sent, packetSize);
            receiver.Received.Select(S).Should().Equal(Strings, $"packet size {packetSize}");
        }
    }

    [Theory]
    [InlineData("0:,", "")]        // test_receiveEmptyNetstring
    [InlineData("1:a,", "a")]      // test_receiveOneCharacter
    [InlineData("2:ab,", "ab")]    // test_receiveTwoCharacters
    [InlineData("4:1:a,,", "1:a,")] // test_receiveNestedNetstring
    public void Short_empty_and_nested_netstrings_are_received(string wire, string expected)
    {
        _receiver.DataReceived(B(wire));
        _receiver.Received.Select(S).Should().Equal([expected]);
        _transport.Disconnecting.Should().BeFalse();
    }

    [Theory]
    [InlineData("2:aaa,", "The received netstring is not terminated by a comma.")]       // test_moreDataThanSpecified
    [InlineData("0:a,", "The received netstring is not terminated by a comma.")]         // test_moreDataThanSpecifiedBorderCase
    [InlineData(":aaa,", "The received netstring does not start with a length specification.")] // test_missingNumber
    [InlineData("3aaa,", "The received netstring does not start with a length specification.")] // test_missingColon
    [InlineData("aaa,", "The received netstring does not start with a length specification.")]  // test_missingNumberAndColon
    [InlineData("aaa", "The received netstring does not start with a length specification.")]   // test_onlyData
    [InlineData("007:abcdefg,", "The received netstring does not start with a length specification.")]
    public void A_malformed_netstring_is_refused_with_its_error_and_the_connection_closed(string wire, string error)
    {
        _receiver.DataReceived(B(wire));
        _transport.Disconnecting.Should().BeTrue();
        _receiver.BrokenPeer.Should().BeTrue();
        _receiver.Errors.Select(e => e.Message).Should().Equal([error]);
        _receiver.Received.Should().BeEmpty();
    }

    [Theory]
    [InlineData("9999999999999999999999")]
    [InlineData("abc")]
    [InlineData("4:abcde")]
    [InlineData("51:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab,")]
    public void Illegal_strings_fed_a_byte_at_a_time_close_the_connection(string wire)
    {
        // LPTestCaseMixin.test_illegal (MaxLength 50, as in Twisted's TestMixin)
        var transport = new StringTransport();
        var receiver = new TestNetstring { MaxLength = 50 };
        receiver.MakeConnection(transport);
        Feed(receiver, B(wire), 1);
        transport.Disconnecting.Should().BeTrue();
    }

    [Fact]
    public void A_netstring_can_arrive_in_two_portions()
    {
        // test_receiveNetstringPortions_1
        _receiver.DataReceived(B("4:aa"));
        _receiver.DataReceived(B("aa,"));
        _receiver.Received.Select(S).Should().Equal(["aaaa"]);
    }

    [Fact]
    public void A_netstring_whose_length_is_split_across_portions_is_received()
    {
        // test_receiveNetstringPortions_2
        foreach (var part in new[] { "1", "0:01234", "56789", "," })
        {
            _receiver.DataReceived(B(part));
        }

        _receiver.Received.Select(S).Should().Equal(["0123456789"]);
    }

    [Fact]
    public void A_netstring_can_arrive_one_character_at_a_time()
    {
        // test_receiveNetstringPortions_3
        foreach (var part in new[] { "2", ":", "a", "b", "," })
        {
            _receiver.DataReceived(B(part));
        }

        _receiver.Received.Select(S).Should().Equal(["ab"]);
    }

    [Fact]
    public void Two_netstrings_cut_after_the_second_length_digit_are_both_received()
    {
        // test_receiveTwoNetstrings
        _receiver.DataReceived(B("1:a,1"));
        _receiver.Received.Select(S).Should().Equal(["a"]);
        _receiver.DataReceived(B(":b,"));
        _receiver.Received.Select(S).Should().Equal(["a", "b"]);
    }

    [Fact]
    public void A_length_over_MaxLength_is_refused()
    {
        // test_maxReceiveLimit
        var tooLong = _receiver.MaxLength + 1;
        _receiver.DataReceived(B($"{tooLong}:{new string('a', tooLong)}"));
        _transport.Disconnecting.Should().BeTrue();
        _receiver.Errors.Single().Message.Should().Be("The received netstring is longer than the maximum 99999 specified by MaxLength.");
    }

    [Theory]
    [InlineData(12, "12:", true)]    // test_consumeLength, test_consumeLengthBorderCase1: length == MaxLength is fine
    [InlineData(11, "12:", false)]   // test_consumeLengthBorderCase2: MaxLength + 1 is refused
    [InlineData(11, "1000:", false)] // test_consumeLengthBorderCase3: far beyond, refused before the colon
    public void A_length_of_MaxLength_is_accepted_and_any_more_refused(int maxLength, string wire, bool accepted)
    {
        var transport = new StringTransport();
        var receiver = new TestNetstring { MaxLength = maxLength };
        receiver.MakeConnection(transport);
        receiver.DataReceived(B(wire));
        receiver.BrokenPeer.Should().Be(!accepted);
        if (accepted)
        {
            receiver.DataReceived(B("abcdefghijkl,"));
            receiver.Received.Select(S).Should().Equal(["abcdefghijkl"]);
        }
        else
        {
            receiver.Errors.Single().Should().BeOfType<NetstringParseException>();
        }
    }

    [Fact]
    public void StringReceived_must_be_implemented()
    {
        // test_stringReceivedNotImplemented (abstract here)
        typeof(NetstringReceiver).GetMethod(nameof(NetstringReceiver.StringReceived))!.IsAbstract.Should().BeTrue();
    }

    [Fact]
    public void After_an_error_everything_received_is_discarded()
    {
        _receiver.DataReceived(B("x"));
        _receiver.DataReceived(B("3:abc,"));
        _receiver.Received.Should().BeEmpty();
        _receiver.Errors.Should().ContainSingle();
        _receiver.BufferedBytes.Should().Be(0);
    }

    [Fact]
    public void SendString_writes_length_colon_data_comma_in_one_write()
    {
        _receiver.SendString(B("hello"));
        S(_transport.Value()).Should().Be("5:hello,");
        _transport.Writes.Should().Be(1);
    }

    /// <summary>Twisted's <c>TestNetstring</c>: records strings (and here the errors).</summary>
    private sealed class TestNetstring : NetstringReceiver
    {
        public List<byte[]> Received { get; } = [];

        public List<NetstringParseException> Errors { get; } = [];

        public override void StringReceived(ReadOnlySpan<byte> data) => Received.Add(data.ToArray());

        public override void NetstringParseFailed(NetstringParseException error)
        {
            Errors.Add(error);
            base.NetstringParseFailed(error);
        }
    }
}
