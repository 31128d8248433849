using System.Text;
using Reactor.Protocols;
using Reactor.Tests.Support;
using Reactor.Tests.Tcp;
using RecordingStreamProtocol = Reactor.Tests.Tcp.RecordingStreamProtocol;

namespace Reactor.Tests.Protocols;

/// <summary>The framing receivers over real loopback TCP, on every backend: what the reactor's reads cut, they rejoin.</summary>
public class FramingTcpTests
{
    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void A_LineReceiver_that_pauses_after_every_line_gets_every_line_of_a_megabyte_burst_in_order(ReactorBackend backend)
    {
        using var reactor = TestBackends.Create(backend);
        var server = new PausingLines(reactor);
        var port = reactor.ListenTcp(0, Factory.ForProtocol(() => server), @interface: "127.0.0.1");
        var client = new RecordingStreamProtocol();
        reactor.ConnectTcp("127.0.0.1", port.GetHost().Port, ClientFactory.ForProtocol(() => client));
        reactor.RunUntil(() => client.Events.Contains("made") && server.Connected);

        var burst = new StringBuilder();
        for (var i = 0; i < 20_000; i++)
        {
            burst.Append("line ").Append(i).Append(' ', i % 97).Append("\r\n");
        }

        client.Transport!.Write(Encoding.ASCII.GetBytes(burst.ToString()));
        reactor.RunUntil(() => server.Lines.Count == 20_000, TimeSpan.FromSeconds(60));
        for (var i = 0; i < 20_000; i++)
        {
            server.Lines[i].Should().Be("line " + i + new string(' ', i % 97));
        }

        server.BufferCapacity.Should().Be(0, "nothing is left buffered at the end");
        server.MostBuffered.Should().BeLessThanOrEqualTo(256 * 1024, "a paused receiver holds at most what one read delivered");
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void An_Int32StringReceiver_echo_returns_strings_of_every_size_across_reads(ReactorBackend backend)
    {
        using var reactor = TestBackends.Create(backend);
        var port = reactor.ListenTcp(0, Factory.ForProtocol(() => new Int32Echo { MaxLength = 1 << 22 }), @interface: "127.0.0.1");
        var client = new Int32Echo { MaxLength = 1 << 22, Collect = true };
        reactor.ConnectTcp("127.0.0.1", port.GetHost().Port, ClientFactory.ForProtocol(() => client));
        reactor.RunUntil(() => client.Connected);

        var sizes = new[] { 0, 1, 3, 4, 5, 1000, 65_535, 65_536, 200_000, 3_000_000 };
        foreach (var size in sizes)
        {
            var payload = new byte[size];
            Random.Shared.NextBytes(payload);
            client.Sent.Add(payload);
            client.SendString(payload);
        }

        reactor.RunUntil(() => client.Received.Count == sizes.Length, TimeSpan.FromSeconds(60));
        for (var i = 0; i < sizes.Length; i++)
        {
            client.Received[i].Should().Equal(client.Sent[i]);
        }
    }

    private sealed class PausingLines(IReactor reactor) : LineReceiver
    {
        public List<string> Lines { get; } = [];

        public int MostBuffered { get; private set; }

        public new int BufferCapacity => base.BufferCapacity;

        public override void LineReceived(ReadOnlySpan<byte> line)
        {
            Lines.Add(Encoding.ASCII.GetString(line));
            MostBuffered = Math.Max(MostBuffered, BufferedBytes);
            if (Lines.Count % 100 == 0)
            {
                // Pause mid-read: the rest of this read is kept, the transport stops reading until the resume.
                PauseProducing();
                reactor.CallLater(TimeSpan.Zero, ResumeProducing);
            }
        }
    }

    private sealed class Int32Echo : Int32StringReceiver
    {
        public bool Collect { get; init; }

        public List<byte[]> Sent { get; } = [];

        public List<byte[]> Received { get; } = [];

        public override void StringReceived(ReadOnlySpan<byte> data)
        {
            if (Collect)
            {
                Received.Add(data.ToArray());
            }
            else
            {
                SendString(data);
            }
        }
    }
}
