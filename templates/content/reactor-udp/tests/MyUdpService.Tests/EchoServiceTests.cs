using System.Net;
using Reactor.Testing;

namespace MyUdpService.Tests;

/// <summary>
/// The protocol driven the way the reactor drives it, with no socket and no real time: a FakeDatagramTransport records
/// what it writes, a Clock moves only when the test says so, and a MemoryReactor records what the startup code listens on.
/// </summary>
public class EchoServiceTests
{
    private static readonly IPEndPoint Client = new(IPAddress.Loopback, 40000);

    [Fact]
    public void Sends_each_datagram_back_to_its_sender()
    {
        var transport = new FakeDatagramTransport().Attach(new EchoService(new Clock()));

        transport.Receive("hello"u8, Client);

        var reply = Assert.Single(transport.Written);
        Assert.Equal("hello"u8.ToArray(), reply.Data);
        Assert.Equal(Client, reply.Destination);
    }

    [Fact]
    public void Drops_datagrams_past_the_budget_until_the_next_second()
    {
        var clock = new Clock();
        var echo = new EchoService(clock, repliesPerSecond: 2);
        var transport = new FakeDatagramTransport().Attach(echo);

        for (var i = 0; i < 5; i++)
        {
            transport.Receive("ping"u8, Client);
        }

        Assert.Equal(2, transport.Written.Count);
        Assert.Equal(3, echo.Dropped);

        clock.Advance(TimeSpan.FromSeconds(1));
        transport.Receive("ping"u8, Client);
        Assert.Equal(3, transport.Written.Count);
    }

    [Fact]
    public void Listens_on_the_port_and_interface_given()
    {
        var reactor = new MemoryReactor();

        EchoService.Listen(reactor, 9999, "127.0.0.1");

        var port = Assert.Single(reactor.UdpPorts);
        Assert.Equal(9999, port.Port);
        Assert.Equal("127.0.0.1", port.Interface);
        Assert.IsType<EchoService>(port.Protocol);
    }
}
