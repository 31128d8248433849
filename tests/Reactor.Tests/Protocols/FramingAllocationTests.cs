using System.Diagnostics;
using Reactor.Protocols;
using static Reactor.Tests.Protocols.LineReceiverTests;

namespace Reactor.Tests.Protocols;

/// <summary>
/// The framing receivers' costs: nothing allocated per frame in the steady state (frames whole in a read, and frames
/// cut between reads, which borrow a pooled buffer), no buffer held by an idle connection, and linear time for a long
/// line arriving in many pieces.
/// </summary>
public class FramingAllocationTests
{
    private const int Frames = 20_000;

    // Bytes per frame over the measured window. Any object allocated per frame costs at least 24 bytes, so half a byte
    // per frame catches every per-frame allocation; it tolerates the one-off refill of a pooled buffer that the shared
    // ArrayPool dropped when a gen-2 collection trimmed it (which a loaded machine does now and then: 4,032 bytes once).
    private static double PerFrame(long allocated) => (double)allocated / (2 * Frames);

    [Fact]
    public void Receiving_and_answering_lines_allocates_nothing_per_line_whether_whole_or_cut_between_reads()
    {
        var echo = new Echo();
        echo.MakeConnection(new StringTransport { Discard = true });

        // 100 lines of 40 bytes in one 4,100-byte read, then the same bytes in 37-byte reads (each line cut once or twice).
        var batch = B(string.Concat(Enumerable.Repeat(new string('q', 39) + "\r\n", 100)));
        Run(echo, batch, 37, 10); // warm up: JIT, the pool's per-thread cache
        var before = GC.GetAllocatedBytesForCurrentThread();
        Run(echo, batch, batch.Length, Frames / 100);
        Run(echo, batch, 37, Frames / 100);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        echo.Lines.Should().Be((10 + (2 * Frames / 100)) * 100);
        PerFrame(allocated).Should().BeLessThan(0.5, $"{2 * Frames} lines allocated {allocated} bytes");
        echo.BufferCapacity.Should().Be(0, "no partial line is left, so the pooled buffer went back");
    }

    [Theory]
    [InlineData(4)]
    [InlineData(2)]
    [InlineData(1)]
    public void Receiving_length_prefixed_strings_allocates_nothing_per_string(int prefixLength)
    {
        var received = new List<byte[]>();
        var receiver = new CountingInt(prefixLength);
        receiver.MakeConnection(new StringTransport { Discard = true });
        var batch = Enumerable.Range(0, 100).SelectMany(_ => IntNStringReceiverTests.Prefixed(prefixLength, new byte[40])).ToArray();
        Run(receiver, batch, 37, 10);
        var before = GC.GetAllocatedBytesForCurrentThread();
        Run(receiver, batch, batch.Length, Frames / 100);
        Run(receiver, batch, 37, Frames / 100);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        PerFrame(allocated).Should().BeLessThan(0.5, $"{2 * Frames} strings allocated {allocated} bytes");
        receiver.Strings.Should().Be((10 + (2 * Frames / 100)) * 100);
        received.Should().BeEmpty();
    }

    [Fact]
    public void Receiving_netstrings_allocates_nothing_per_netstring()
    {
        var receiver = new CountingNetstring();
        receiver.MakeConnection(new StringTransport { Discard = true });
        var batch = B(string.Concat(Enumerable.Repeat("40:" + new string('n', 40) + ",", 100)));
        Run(receiver, batch, 37, 10);
        var before = GC.GetAllocatedBytesForCurrentThread();
        Run(receiver, batch, batch.Length, Frames / 100);
        Run(receiver, batch, 37, Frames / 100);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        PerFrame(allocated).Should().BeLessThan(0.5, $"{2 * Frames} netstrings allocated {allocated} bytes");
        receiver.Strings.Should().Be((10 + (2 * Frames / 100)) * 100);
    }

    [Fact]
    public void A_16_MiB_line_arriving_in_64_byte_reads_takes_linear_time()
    {
        // Re-scanning the buffered line on every read would cost 16 MiB × 262,144 reads / 2 ≈ 2 × 10^12 byte
        // comparisons; each byte is looked at once instead.
        var receiver = new Echo { MaxLength = 16 << 20 };
        receiver.MakeConnection(new StringTransport { Discard = true });
        var piece = new byte[64];
        Array.Fill(piece, (byte)'x');
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < (16 << 20) / 64; i++)
        {
            receiver.DataReceived(piece);
        }

        receiver.DataReceived("\r\n"u8);
        watch.Stop();
        receiver.Lines.Should().Be(1);
        receiver.LastLength.Should().Be(16 << 20);
        watch.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(20), "linear work is well under a second; quadratic would take hours");
    }

    private static void Run(Protocol protocol, byte[] batch, int readSize, int repeat)
    {
        for (var r = 0; r < repeat; r++)
        {
            for (var i = 0; i < batch.Length; i += readSize)
            {
                protocol.DataReceived(batch.AsSpan(i, Math.Min(readSize, batch.Length - i)));
            }
        }
    }

    private sealed class Echo : LineReceiver
    {
        public int Lines { get; private set; }

        public int LastLength { get; private set; }

        public new int BufferCapacity => base.BufferCapacity;

        public override void LineReceived(ReadOnlySpan<byte> line)
        {
            Lines++;
            LastLength = line.Length;
            if (line.Length < 1000)
            {
                SendLine(line);
            }
        }
    }

    private sealed class CountingInt(int prefixLength) : IntNStringReceiver(prefixLength)
    {
        public int Strings { get; private set; }

        public override void StringReceived(ReadOnlySpan<byte> data)
        {
            Strings++;
            SendString(data);
        }
    }

    private sealed class CountingNetstring : NetstringReceiver
    {
        public int Strings { get; private set; }

        public override void StringReceived(ReadOnlySpan<byte> data)
        {
            Strings++;
            SendString(data);
        }
    }
}
