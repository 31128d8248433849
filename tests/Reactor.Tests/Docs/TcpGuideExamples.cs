using System.Net;
using System.Net.Sockets;
using System.Text;
using Reactor.Tests.Support;
using Reactor.Tests.Tcp;

namespace Reactor.Tests.Docs;

// <snippet qotd>
/// <summary>Twisted's first server example: send a quote to whoever connects, then hang up.</summary>
sealed class QuoteOfTheDay(string quote) : Protocol
{
    public override void ConnectionMade()
    {
        Transport!.Write(Encoding.UTF8.GetBytes(quote + "\r\n"));
        Transport.LoseConnection(); // the quote is sent first: LoseConnection flushes
    }
}
// </snippet>

// <snippet counting-factory>
/// <summary>A factory holds what its connections share; here, how many are open.</summary>
sealed class CountingFactory : Factory
{
    public int Open { get; set; }

    public override Protocol? BuildProtocol(EndPoint address) =>
        Open >= 100 ? null : new Counted(this); // null refuses the connection: it is closed at once

    private sealed class Counted(CountingFactory factory) : Protocol
    {
        public override void ConnectionMade() => factory.Open++;

        public override void ConnectionLost(Failure reason) => factory.Open--;
    }
}
// </snippet>

// <snippet client-factory>
/// <summary>A client: say hello, print the answer, and tell the factory how it went.</summary>
sealed class Greeter : Protocol
{
    public override void ConnectionMade() => Transport!.Write("hello\r\n"u8);

    public override void DataReceived(ReadOnlySpan<byte> data)
    {
        Console.WriteLine($"answer: {Encoding.UTF8.GetString(data).TrimEnd()}");
        Transport!.LoseConnection();
    }
}

sealed class GreeterFactory(IReactor reactor) : ClientFactory
{
    public override Protocol? BuildProtocol(EndPoint address) => new Greeter();

    public override void ClientConnectionFailed(IConnector connector, Failure reason)
    {
        Console.WriteLine($"could not connect: {reason.Exception.Message}");
        reactor.Stop();
    }

    public override void ClientConnectionLost(IConnector connector, Failure reason)
    {
        Console.WriteLine($"closed: {reason.ExceptionType.Name}");
        reactor.Stop();
    }
}
// </snippet>

// <snippet half-close>
/// <summary>Reads a whole request up to the peer's half-close, then answers on the still-open write side.</summary>
sealed class WordCount : Protocol, IHalfCloseableProtocol
{
    private long _bytes;

    public override void DataReceived(ReadOnlySpan<byte> data) => _bytes += data.Length;

    public void ReadConnectionLost()
    {
        Transport!.Write(Encoding.ASCII.GetBytes($"{_bytes} bytes\n"));
        Transport.LoseConnection();
    }

    public void WriteConnectionLost()
    {
    }
}
// </snippet>

// <snippet producer>
/// <summary>Streams a large payload without buffering it: writes while the transport wants more, stops when paused.</summary>
sealed class Firehose(long total) : Protocol, IPushProducer
{
    private static readonly byte[] Chunk = new byte[16 * 1024];
    private long _sent;
    private bool _paused;

    public override void ConnectionMade()
    {
        Transport!.RegisterProducer(this, streaming: true);
        ResumeProducing();
    }

    public void PauseProducing() => _paused = true; // the transport's buffer passed its high watermark

    public void ResumeProducing()                     // ... and has drained to its low watermark
    {
        _paused = false;
        while (!_paused && _sent < total)
        {
            var length = (int)Math.Min(Chunk.Length, total - _sent);
            Transport!.Write(Chunk.AsSpan(0, length));
            _sent += length;
        }

        if (_sent == total)
        {
            Transport!.UnregisterProducer();
            Transport.LoseConnection();
        }
    }

    public void StopProducing() => _paused = true;   // the connection went away
}
// </snippet>

/// <summary>The code blocks of docs/tcp.md, compiled and run over real loopback sockets.</summary>
[Collection(DocExamplesCollection.Name)]
public class TcpGuideExamples
{
    [Fact]
    public void The_quote_server_sends_its_quote_and_closes()
    {
        using var reactor = ReactorFactory.Create();

        // <snippet listen>
        var quotes = Factory.ForProtocol(() => new QuoteOfTheDay("An apple a day keeps the doctor away"));
        var port = reactor.ListenTcp(0, quotes, @interface: "127.0.0.1");
        Console.WriteLine($"listening on {port.GetHost()}");
        // </snippet>
        using var client = TcpTestKit.RawClient(port.GetHost());
        byte[]? reply = null;
        var reader = new Thread(() => reply = TcpTestKit.ReadToEnd(client));
        reader.Start();
        reactor.RunUntil(() => !reader.IsAlive);
        Encoding.UTF8.GetString(reply!).Should().Be("An apple a day keeps the doctor away\r\n");
    }

    [Fact]
    public void The_counting_factory_counts_open_connections()
    {
        using var reactor = ReactorFactory.Create();
        var factory = new CountingFactory();
        var port = reactor.ListenTcp(0, factory, @interface: "127.0.0.1");
        using var first = TcpTestKit.RawClient(port.GetHost());
        using var second = TcpTestKit.RawClient(port.GetHost());
        reactor.RunUntil(() => factory.Open == 2);
        first.Close();
        reactor.RunUntil(() => factory.Open == 1);
    }

    [Fact]
    public void The_greeter_prints_the_answer_and_how_the_connection_closed()
    {
        using var output = new ConsoleCapture();
        using var reactor = ReactorFactory.Create();
        var port = reactor.ListenTcp(0, Factory.ForProtocol(() => new QuoteOfTheDay("hi there")), @interface: "127.0.0.1");
        var portNumber = port.GetHost().Port;

        // <snippet connect>
        reactor.ConnectTcp("127.0.0.1", portNumber, new GreeterFactory(reactor), timeout: TimeSpan.FromSeconds(5));
        reactor.Run();
        // </snippet>

        output.Lines.Should().Equal("answer: hi there", "closed: ConnectionDoneException");
    }

    [Fact]
    public void The_greeter_reports_a_refused_connection()
    {
        using var output = new ConsoleCapture();
        using var reactor = ReactorFactory.Create();
        reactor.ConnectTcp("127.0.0.1", TcpConnectingTests.ClosedPort("127.0.0.1"), new GreeterFactory(reactor));
        reactor.RunWithTimeout();
        output.Lines.Should().ContainSingle().Which.Should().StartWith("could not connect: Connection was refused by other side to 127.0.0.1:");
    }

    [Fact]
    public void Word_count_answers_after_the_peer_half_closes()
    {
        using var reactor = ReactorFactory.Create();
        var port = reactor.ListenTcp(0, Factory.ForProtocol<WordCount>(), @interface: "127.0.0.1");
        using var client = TcpTestKit.RawClient(port.GetHost());
        client.Send(new byte[12345]);
        client.Shutdown(SocketShutdown.Send);
        byte[]? reply = null;
        var reader = new Thread(() => reply = TcpTestKit.ReadToEnd(client));
        reader.Start();
        reactor.RunUntil(() => !reader.IsAlive);
        Encoding.ASCII.GetString(reply!).Should().Be("12345 bytes\n");
    }

    [Fact]
    public void The_firehose_streams_its_payload_whole_at_the_reader_s_pace()
    {
        using var reactor = ReactorFactory.Create();
        var port = reactor.ListenTcp(0, Factory.ForProtocol(() => new Firehose(32L * 1024 * 1024)), @interface: "127.0.0.1");
        using var client = TcpTestKit.RawClient(port.GetHost());
        long received = 0;
        var reader = new Thread(() => received = TcpTestKit.ReadToEnd(client).LongLength);
        reader.Start();
        reactor.RunUntil(() => !reader.IsAlive, TimeSpan.FromSeconds(60));
        received.Should().Be(32L * 1024 * 1024);
    }
}
