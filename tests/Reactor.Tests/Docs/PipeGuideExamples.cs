using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;
using System.Text;
using Reactor.Tests.Support;
using Reactor.Tests.Tcp;

namespace Reactor.Tests.Docs;

// <snippet pipe-echo>
/// <summary>An echo server written like an ASP.NET Core ConnectionHandler: read what came, write it back, flush.</summary>
sealed class PipeEcho : PipeProtocol
{
    protected override async Task ExecuteAsync(IDuplexPipe pipe)
    {
        while (true)
        {
            ReadResult result = await pipe.Input.ReadAsync(); // resumes on the reactor thread
            foreach (ReadOnlyMemory<byte> segment in result.Buffer)
            {
                pipe.Output.Write(segment.Span);
            }

            pipe.Input.AdvanceTo(result.Buffer.End);              // all of it consumed: the buffers go back to the pool
            FlushResult flush = await pipe.Output.FlushAsync(); // waits while the peer is not reading
            if (result.IsCompleted || flush.IsCompleted)
            {
                return; // the peer finished sending, or the connection is gone: the connection closes
            }
        }
    }
}
// </snippet>

// <snippet pipe-lines>
/// <summary>A line protocol parsed with SequenceReader: answers each line in capitals, "quit" says BYE and hangs up.</summary>
sealed class ShoutingLines : PipeProtocol
{
    protected override async Task ExecuteAsync(IDuplexPipe pipe)
    {
        while (true)
        {
            ReadResult result = await pipe.Input.ReadAsync();
            var reader = new SequenceReader<byte>(result.Buffer);
            var quit = false;
            while (!quit && reader.TryReadTo(out ReadOnlySequence<byte> line, (byte)'\n')) // a line may span segments
            {
                quit = Answer(line, pipe.Output);
            }

            // Consumed up to the last whole line; the rest (part of a line) is read again with what follows it.
            pipe.Input.AdvanceTo(reader.Position, result.Buffer.End);
            await pipe.Output.FlushAsync();
            if (quit || result.IsCompleted)
            {
                return;
            }
        }
    }

    private static bool Answer(ReadOnlySequence<byte> line, PipeWriter output)
    {
        if (line.Length == 4 && new SequenceReader<byte>(line).IsNext("quit"u8))
        {
            output.Write("BYE\n"u8);
            return true;
        }

        Span<byte> upper = output.GetSpan((int)line.Length + 1);
        line.CopyTo(upper);
        Ascii.ToUpperInPlace(upper[..(int)line.Length], out _);
        upper[(int)line.Length] = (byte)'\n';
        output.Advance((int)line.Length + 1);
        return false;
    }
}
// </snippet>

/// <summary>The code blocks of the Pipelines section of docs/tcp.md, compiled and run over real loopback sockets.</summary>
[Collection(DocExamplesCollection.Name)]
public class PipeGuideExamples
{
    [Fact]
    public void The_pipe_echo_returns_what_a_peer_sends_and_closes_after_its_FIN()
    {
        using var reactor = ReactorFactory.Create();

        // <snippet pipe-listen>
        var port = reactor.ListenTcp(0, Factory.ForProtocol<PipeEcho>(), @interface: "127.0.0.1");
        // </snippet>
        var payload = new byte[3 * 1024 * 1024];
        Random.Shared.NextBytes(payload);
        using var client = TcpTestKit.RawClient(port.GetHost());
        byte[]? reply = null;
        var peer = new Thread(() =>
        {
            var reader = new Thread(() => reply = TcpTestKit.ReadToEnd(client));
            reader.Start();
            client.Send(payload);
            client.Shutdown(SocketShutdown.Send);
            reader.Join();
        });
        peer.Start();
        reactor.RunUntil(() => !peer.IsAlive, TimeSpan.FromSeconds(60));
        reply.Should().Equal(payload);
    }

    [Fact]
    public void Shouting_lines_answers_each_line_and_hangs_up_on_quit()
    {
        using var reactor = ReactorFactory.Create();
        var port = reactor.ListenTcp(0, Factory.ForProtocol<ShoutingLines>(), @interface: "127.0.0.1");
        using var client = TcpTestKit.RawClient(port.GetHost());
        byte[]? reply = null;
        var reader = new Thread(() => reply = TcpTestKit.ReadToEnd(client));
        reader.Start();
        client.Send("hello\nwor"u8);
        client.Send("ld\nquit\nignored\n"u8);
        reactor.RunUntil(() => !reader.IsAlive);
        Encoding.ASCII.GetString(reply!).Should().Be("HELLO\nWORLD\nBYE\n");
    }
}
