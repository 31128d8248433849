using Reactor.Testing;

namespace MyTcpService.Tests;

/// <summary>
/// One connection driven the way the reactor drives it, with no socket and no real time: a FakeStreamTransport plays
/// the client and the kernel, a Clock moves only when the test says so, and a MemoryReactor records what the startup
/// code listens on and plays a client arriving.
/// </summary>
public class LineServiceTests
{
    [Fact]
    public void Answers_each_line_even_when_it_arrives_in_pieces()
    {
        var transport = new FakeStreamTransport().Attach(new LineService(new Clock()));

        transport.Receive("PI");
        transport.Receive("NG\r\nECHO hello\nNOPE\r\n");

        Assert.Equal("PONG\nhello\nERR unknown command\n", transport.TakeWrittenText());
    }

    [Fact]
    public void QUIT_says_goodbye_and_closes_the_connection()
    {
        var transport = new FakeStreamTransport().Attach(new LineService(new Clock()));

        transport.Receive("QUIT\nPING\n");

        Assert.Equal("BYE\n", transport.WrittenText);
        Assert.True(transport.Closed);
    }

    [Fact]
    public void A_minute_without_a_line_closes_the_connection()
    {
        var clock = new Clock();
        var transport = new FakeStreamTransport().Attach(new LineService(clock));

        clock.Advance(TimeSpan.FromSeconds(50));
        transport.Receive("PING\n");
        clock.Advance(TimeSpan.FromSeconds(59));
        Assert.False(transport.Disconnecting, "the line restarted the timeout");

        clock.Advance(TimeSpan.FromSeconds(1));
        transport.Pump(); // a timer's LoseConnection completes on the next turn of the loop
        Assert.True(transport.Closed);
        Assert.Empty(clock.GetDelayedCalls());
    }

    [Fact]
    public void Listens_on_the_port_given_and_serves_each_client()
    {
        var reactor = new MemoryReactor();

        LineService.Listen(reactor, 8000, "127.0.0.1");

        var server = Assert.Single(reactor.TcpServers);
        Assert.Equal(8000, server.Port);
        Assert.Equal("127.0.0.1", server.Interface);
        var client = server.Accept()!;
        client.Receive("PING\n");
        Assert.Equal("PONG\n", client.TakeWrittenText());
    }
}
