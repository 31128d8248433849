using CsCheck;
using Reactor.Protocols;
using Reactor.Tests.Docs;

namespace Reactor.Tests.Protocols;

/// <summary>
/// <c>FrameReceiver</c>, the base for a framing of one's own, with docs/protocols.md's type-length-value example: any
/// frames cut anywhere arrive whole, the buffer is bounded, and pausing and closing stop delivery.
/// </summary>
public class FrameReceiverTests
{
    private static byte[] Encode((byte Type, byte[] Value)[] frames) =>
        [.. frames.SelectMany(f => new[] { f.Type, (byte)(f.Value.Length >> 8), (byte)f.Value.Length }.Concat(f.Value))];

    [Fact]
    public void Any_frames_cut_at_any_points_arrive_whole_and_in_order()
    {
        (from frames in Gen.Select(Gen.Byte, Gen.Byte.Array[0, 300]).Array[0, 10]
         from sizes in Gen.Int[1, 50].Array[1, 10]
         select (frames, sizes))
        .Sample(t =>
        {
            var tlv = new TypeLengthValue();
            tlv.MakeConnection(new StringTransport());
            foreach (var chunk in FramingPropertyTests.Cut(Encode(t.frames), t.sizes))
            {
                tlv.DataReceived(chunk);
            }

            tlv.Frames.Should().HaveCount(t.frames.Length);
            for (var i = 0; i < t.frames.Length; i++)
            {
                tlv.Frames[i].Type.Should().Be(t.frames[i].Item1);
                tlv.Frames[i].Value.AsSpan().SequenceEqual(t.frames[i].Item2).Should().BeTrue();
            }

            tlv.BufferedLength.Should().Be(0);
        }, iter: 1000);
    }

    [Fact]
    public void More_than_MaxBufferedLength_without_a_frame_calls_BufferLimitExceeded_and_drops_the_buffer()
    {
        var transport = new StringTransport();
        var tlv = new TypeLengthValue { MaxBufferedLength = 100 };
        tlv.MakeConnection(transport);
        tlv.DataReceived([7, 0xFF, 0xFF, .. new byte[90]]);
        transport.Disconnecting.Should().BeFalse();
        tlv.DataReceived(new byte[20]);
        transport.Disconnecting.Should().BeTrue("the default closes the connection");
        tlv.BufferedLength.Should().Be(0);
    }

    [Fact]
    public void A_paused_receiver_holds_its_frames_until_resumed_and_none_arrive_once_disconnecting()
    {
        var transport = new StringTransport();
        var tlv = new PausingTlv();
        tlv.MakeConnection(transport);
        tlv.DataReceived([1, 0, 1, 65, 2, 0, 1, 66, 3, 0, 1, 67]);
        tlv.Types.Should().Equal(1);
        transport.ReadingPaused.Should().BeTrue();
        tlv.ResumeProducing();
        tlv.Types.Should().Equal(1, 2);
        transport.LoseConnection();
        tlv.ResumeProducing();
        tlv.Types.Should().Equal(1, 2);
    }

    [Fact]
    public void A_FramesReceived_that_claims_more_than_it_was_given_is_an_error()
    {
        var liar = new Liar();
        liar.MakeConnection(new StringTransport());
        var act = () => liar.DataReceived("abc"u8);
        act.Should().Throw<InvalidOperationException>();
    }

    private sealed class PausingTlv : FrameReceiver
    {
        public List<byte> Types { get; } = [];

        protected override int FramesReceived(ReadOnlySpan<byte> data)
        {
            if (data.Length < 3 || data.Length < 3 + data[2])
            {
                return 0;
            }

            Types.Add(data[0]);
            PauseProducing();
            return 3 + data[2];
        }
    }

    private sealed class Liar : FrameReceiver
    {
        protected override int FramesReceived(ReadOnlySpan<byte> data) => data.Length + 1;
    }
}
