using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Reactor.Testing;

namespace MyHostedService.Tests;

/// <summary>
/// The protocols on Reactor.Testing's fake transports (no socket), then the whole host on loopback: the endpoints from
/// configuration, listening on ports the system picks (port 0), a real client, a clean stop.
/// </summary>
public class EchoEndpointsTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    [Fact]
    public void The_TCP_echo_sends_every_byte_back()
    {
        var transport = new FakeStreamTransport().Attach(new TcpEcho());

        transport.Receive("hel");
        transport.Receive("lo");

        Assert.Equal("hello", transport.TakeWrittenText());
    }

    [Fact]
    public void The_UDP_echo_sends_every_datagram_back_to_its_sender()
    {
        var transport = new FakeDatagramTransport().Attach(new UdpEcho());
        var client = new IPEndPoint(IPAddress.Loopback, 40000);

        transport.Receive("ping"u8, client);

        var reply = Assert.Single(transport.Written);
        Assert.Equal("ping"u8.ToArray(), reply.Data);
        Assert.Equal(client, reply.Destination);
    }

    [Fact]
    public void Appsettings_json_binds_both_endpoints()
    {
        var configuration = new ConfigurationBuilder().SetBasePath(AppContext.BaseDirectory).AddJsonFile("appsettings.json").Build();

        Assert.StartsWith("tcp:", configuration[$"Reactor:Endpoints:{EchoEndpoints.Tcp}"]);
        Assert.StartsWith("udp:", configuration[$"Reactor:Endpoints:{EchoEndpoints.Udp}"]);
    }

    [Fact]
    public async Task The_host_serves_the_configured_endpoints_and_stops_cleanly()
    {
        var tcp = new TaskCompletionSource<IPEndPoint>(TaskCreationOptions.RunContinuationsAsynchronously);
        var udp = new TaskCompletionSource<IPEndPoint>(TaskCreationOptions.RunContinuationsAsynchronously);
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            [$"Reactor:Endpoints:{EchoEndpoints.Tcp}"] = "tcp:0:interface=127.0.0.1",
            [$"Reactor:Endpoints:{EchoEndpoints.Udp}"] = "udp:0:interface=127.0.0.1",
        });
        builder.Services.AddEchoEndpoints(
            tcpListening: port => tcp.SetResult((IPEndPoint)port.GetHost()),
            udpListening: transport => udp.SetResult(transport.GetHost()));
        using var host = builder.Build();

        await host.StartAsync().WaitAsync(Timeout);
        try
        {
            using var client = new TcpClient(AddressFamily.InterNetwork);
            await client.ConnectAsync(await tcp.Task.WaitAsync(Timeout)).WaitAsync(Timeout);
            var stream = client.GetStream();
            await stream.WriteAsync("hello"u8.ToArray()).AsTask().WaitAsync(Timeout);
            var reply = new byte[5];
            await stream.ReadExactlyAsync(reply).AsTask().WaitAsync(Timeout);
            Assert.Equal("hello"u8.ToArray(), reply);

            using var datagrams = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
            await datagrams.SendAsync("ping"u8.ToArray(), await udp.Task.WaitAsync(Timeout)).AsTask().WaitAsync(Timeout);
            var echoed = await datagrams.ReceiveAsync().WaitAsync(Timeout);
            Assert.Equal("ping"u8.ToArray(), echoed.Buffer);
        }
        finally
        {
            await host.StopAsync().WaitAsync(Timeout);
        }
    }
}
