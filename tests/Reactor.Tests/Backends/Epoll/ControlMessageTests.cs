using System.Buffers.Binary;
using Reactor.Internal.Linux;

namespace Reactor.Tests.Backends.Epoll;

/// <summary>
/// <see cref="ControlMessage"/>, the cmsg layout the GSO send and the GRO read share (pure data: runs on every OS). The
/// kernel side is covered by <c>Udp/EchoPathTests</c>, whose GSO bursts come back whole with GRO on and off.
/// </summary>
public class ControlMessageTests
{
    private const int SOL_IP = 0;
    private const int IP_TOS = 1;

    [Theory]
    [InlineData(0, 16, 16)]
    [InlineData(1, 17, 24)]
    [InlineData(2, 18, 24)]
    [InlineData(4, 20, 24)]
    [InlineData(8, 24, 24)]
    [InlineData(9, 25, 32)]
    public void Length_and_Space_are_CMSG_LEN_and_CMSG_SPACE_on_64_bit_Linux(int dataLength, int length, int space)
    {
        ControlMessage.Length(dataLength).Should().Be(length);
        ControlMessage.Space(dataLength).Should().Be(space);
    }

    [Fact]
    public void A_u16_message_is_written_in_the_kernel_layout_with_its_padding_cleared()
    {
        var buffer = new byte[32];
        buffer.AsSpan().Fill(0xAA);

        var used = ControlMessage.Write(buffer, Interop.SOL_UDP, Interop.UDP_SEGMENT, (ushort)1400);

        used.Should().Be(24);
        BinaryPrimitives.ReadUInt64LittleEndian(buffer).Should().Be(18, "cmsg_len is CMSG_LEN(sizeof(u16))");
        BinaryPrimitives.ReadInt32LittleEndian(buffer.AsSpan(8)).Should().Be(Interop.SOL_UDP);
        BinaryPrimitives.ReadInt32LittleEndian(buffer.AsSpan(12)).Should().Be(Interop.UDP_SEGMENT);
        BinaryPrimitives.ReadUInt16LittleEndian(buffer.AsSpan(16)).Should().Be(1400);
        buffer[18..24].Should().OnlyContain(b => b == 0);
        buffer[24..].Should().OnlyContain(b => b == 0xAA, "nothing past the message is touched");
    }

    [Fact]
    public void An_int_message_written_is_found_again()
    {
        var buffer = new byte[ControlMessage.Space(sizeof(int))];

        var used = ControlMessage.Write(buffer, Interop.SOL_UDP, Interop.UDP_GRO, Int(1472));

        ControlMessage.TryFind(buffer.AsSpan(0, used), Interop.SOL_UDP, Interop.UDP_GRO, out var segment).Should().BeTrue();
        segment.Should().Be(1472);
    }

    [Fact]
    public void The_walk_steps_past_foreign_messages_to_the_one_asked_for()
    {
        var buffer = new byte[72];
        var used = ControlMessage.Write(buffer, SOL_IP, IP_TOS, [0x10]);
        used += ControlMessage.Write(buffer.AsSpan(used), Interop.SOL_UDP, Interop.UDP_SEGMENT, Int(7));
        used += ControlMessage.Write(buffer.AsSpan(used), Interop.SOL_UDP, Interop.UDP_GRO, Int(1200));

        ControlMessage.TryFind(buffer.AsSpan(0, used), Interop.SOL_UDP, Interop.UDP_GRO, out var segment).Should().BeTrue();
        segment.Should().Be(1200);
        ControlMessage.TryFind(buffer.AsSpan(0, used), SOL_IP, Interop.UDP_GRO, out _).Should().BeFalse("the level must match too");
    }

    [Fact]
    public void A_message_of_the_right_kind_with_less_than_an_int_of_data_is_not_read()
    {
        var buffer = new byte[24];
        var used = ControlMessage.Write(buffer, Interop.SOL_UDP, Interop.UDP_GRO, (ushort)1200);

        ControlMessage.TryFind(buffer.AsSpan(0, used), Interop.SOL_UDP, Interop.UDP_GRO, out var segment).Should().BeFalse();
        segment.Should().Be(0);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(10)]
    [InlineData(16)]
    [InlineData(19)]
    public void A_truncated_list_ends_the_walk_without_reading_past_the_buffer(int controlLength)
    {
        var buffer = new byte[24];
        ControlMessage.Write(buffer, Interop.SOL_UDP, Interop.UDP_GRO, Int(1200));

        // The span ends where msg_controllen says; the message claims 20 bytes.
        ControlMessage.TryFind(buffer.AsSpan(0, controlLength), Interop.SOL_UDP, Interop.UDP_GRO, out _).Should().BeFalse();
    }

    [Fact]
    public void A_foreign_message_claiming_more_than_the_buffer_ends_the_walk()
    {
        var buffer = new byte[48];
        ControlMessage.Write(buffer, SOL_IP, IP_TOS, [0x10]);
        ControlMessage.Write(buffer.AsSpan(24), Interop.SOL_UDP, Interop.UDP_GRO, Int(1200));
        BinaryPrimitives.WriteUInt64LittleEndian(buffer, 4096);

        ControlMessage.TryFind(buffer, Interop.SOL_UDP, Interop.UDP_GRO, out _).Should().BeFalse("a corrupt length is never followed");
    }

    [Fact]
    public void A_zeroed_control_buffer_holds_no_message()
    {
        // What a read without ancillary data leaves; a zero cmsg_len must not loop forever.
        ControlMessage.TryFind(new byte[64], Interop.SOL_UDP, Interop.UDP_GRO, out _).Should().BeFalse();
    }

    [Fact]
    public void Writing_into_a_buffer_smaller_than_the_message_is_refused()
    {
        var write = () => ControlMessage.Write(new byte[20], Interop.SOL_UDP, Interop.UDP_SEGMENT, (ushort)1400);

        write.Should().Throw<ArgumentOutOfRangeException>();
    }

    private static byte[] Int(int value) => BitConverter.GetBytes(value);
}
