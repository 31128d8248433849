using System.Buffers.Binary;
using System.Text;
using Reactor.Protocols;
using Reactor.Tests.Protocols;

namespace Reactor.Tests.Docs;

// <snippet line-echo>
/// <summary>A line-based server: each line comes back in upper case; "quit" hangs up.</summary>
sealed class ShoutBack : LineReceiver
{
    public override void ConnectionMade() => SendLine("Say something."u8);

    public override void LineReceived(ReadOnlySpan<byte> line)
    {
        // `line` is a view of the receive buffer, valid during this call: use it or copy it, don't keep it.
        if (line.SequenceEqual("quit"u8))
        {
            Transport!.LoseConnection();
            return;
        }

        Span<byte> upper = stackalloc byte[line.Length];
        Ascii.ToUpper(line, upper, out _);
        SendLine(upper);
    }
}
// </snippet>

// <snippet raw-mode>
/// <summary>"SIZE n" announces n bytes of raw data, then lines again (HTTP's Content-Length, in miniature).</summary>
sealed class Upload : LineReceiver
{
    private int _remaining;

    public List<byte[]> Blobs { get; } = [];

    public override void LineReceived(ReadOnlySpan<byte> line)
    {
        if (line.StartsWith("SIZE "u8) && int.TryParse(line[5..], out _remaining))
        {
            Blobs.Add([]);
            SetRawMode(); // what follows this line goes to RawDataReceived
        }
    }

    public override void RawDataReceived(ReadOnlySpan<byte> data)
    {
        var mine = data[..Math.Min(_remaining, data.Length)];
        Blobs[^1] = [.. Blobs[^1], .. mine];
        _remaining -= mine.Length;
        if (_remaining == 0)
        {
            SetLineMode(data[mine.Length..]); // the bytes after the blob are lines again
        }
    }
}
// </snippet>

// <snippet int32>
/// <summary>Messages with a 4-byte length in front: each one answered with its length, as text.</summary>
sealed class Measure : Int32StringReceiver
{
    public Measure() => MaxLength = 1 << 20; // accept messages up to 1 MiB (the default is 99,999 bytes)

    public override void StringReceived(ReadOnlySpan<byte> data) =>
        SendString(Encoding.ASCII.GetBytes($"{data.Length} bytes"));

    public override void LengthLimitExceeded(long length)
    {
        SendString("too long"u8);
        base.LengthLimitExceeded(length); // closes the connection
    }
}
// </snippet>

// <snippet file-sender>
/// <summary>Sends a file to whoever connects, paced by the connection, then hangs up.</summary>
sealed class Download(string path) : Protocol
{
    public override void ConnectionMade()
    {
        var file = File.OpenRead(path);
        new FileSender().BeginFileTransfer(file, Transport!).AddCallbacks(
            last =>
            {
                Console.WriteLine($"sent {file.Length} bytes, the last one {last}");
                return last;
            },
            failure =>
            {
                failure.Trap<OperationCanceledException>(); // the client went away before the end
                return null;
            })
            .AddBoth(() =>
            {
                file.Dispose();
                Transport!.LoseConnection();
            });
    }
}
// </snippet>

// <snippet tlv>
/// <summary>
/// A framing of its own on FrameReceiver: each frame is a 1-byte type, a 2-byte big-endian length and the value.
/// </summary>
sealed class TypeLengthValue : FrameReceiver
{
    public List<(byte Type, byte[] Value)> Frames { get; } = [];

    protected override int FramesReceived(ReadOnlySpan<byte> data)
    {
        var consumed = 0;
        while (data.Length - consumed >= 3)
        {
            var frame = data[consumed..];
            var length = BinaryPrimitives.ReadUInt16BigEndian(frame[1..]);
            if (frame.Length < 3 + length)
            {
                break; // cut between reads: the receiver keeps it and calls again with more
            }

            OnFrame(frame[0], frame.Slice(3, length));
            consumed += 3 + length;
        }

        return consumed; // 0 asks for more data
    }

    private void OnFrame(byte type, ReadOnlySpan<byte> value) => Frames.Add((type, value.ToArray()));
}
// </snippet>

/// <summary>The examples of docs/protocols.md at work.</summary>
public class ProtocolsGuideExamples
{
    [Fact]
    public void ShoutBack_answers_each_line_in_upper_case_and_hangs_up_on_quit()
    {
        var transport = new StringTransport();
        var protocol = new ShoutBack();
        protocol.MakeConnection(transport);
        protocol.DataReceived("hello\r\nwor"u8);
        protocol.DataReceived("ld\r\nquit\r\nignored\r\n"u8);
        Encoding.ASCII.GetString(transport.Value()).Should().Be("Say something.\r\nHELLO\r\nWORLD\r\n");
        transport.Disconnecting.Should().BeTrue();
    }

    [Fact]
    public void Upload_reads_announced_raw_blobs_between_lines()
    {
        var upload = new Upload();
        upload.MakeConnection(new StringTransport());
        foreach (var b in "SIZE 5\r\nab\r\ncSIZE 2\r\nxy\r\n"u8.ToArray())
        {
            upload.DataReceived([b]);
        }

        upload.Blobs.Select(Encoding.ASCII.GetString).Should().Equal("ab\r\nc", "xy");
    }

    [Fact]
    public void Measure_answers_with_the_length_and_refuses_over_long_messages()
    {
        var transport = new StringTransport();
        var measure = new Measure();
        measure.MakeConnection(transport);
        measure.DataReceived([0, 0, 0, 3, .. "abc"u8]);
        transport.Value().Should().Equal([0, 0, 0, 7, .. "3 bytes"u8]);
        measure.DataReceived([0, 0x20, 0, 0]);
        transport.Disconnecting.Should().BeTrue();
    }

    [Fact]
    public void TypeLengthValue_frames_a_stream_however_it_is_cut()
    {
        var tlv = new TypeLengthValue();
        tlv.MakeConnection(new StringTransport());
        byte[] wire = [1, 0, 2, (byte)'h', (byte)'i', 2, 0, 0, 3, 0, 1, (byte)'!'];
        foreach (var b in wire)
        {
            tlv.DataReceived([b]);
        }

        tlv.Frames.Select(f => (f.Type, Encoding.ASCII.GetString(f.Value))).Should().Equal((1, "hi"), (2, ""), (3, "!"));
        tlv.BufferedLength.Should().Be(0);
    }

    [Fact]
    public void Download_sends_the_whole_file_as_the_transport_pulls_then_hangs_up()
    {
        var path = Path.GetTempFileName();
        try
        {
            var content = new byte[40_000];
            new Random(7).NextBytes(content);
            File.WriteAllBytes(path, content);
            var transport = new StringTransport();
            new Download(path).MakeConnection(transport);
            while (transport.Producer is IPullProducer producer)
            {
                producer.ResumeProducing();
            }

            transport.Value().Should().Equal(content);
            transport.Disconnecting.Should().BeTrue();
        }
        finally
        {
            File.Delete(path);
        }
    }
}
