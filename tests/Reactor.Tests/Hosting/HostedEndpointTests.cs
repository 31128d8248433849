using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Reactor.Endpoints;
using Reactor.Tests.Samples;
using Reactor.Tests.Support;

namespace Reactor.Tests.Hosting;

/// <summary>
/// Endpoints from configuration (<c>Reactor:Endpoints:&lt;name&gt;</c>) in a real Generic Host: each listens before the
/// host has started, logs where (event 305), and one that cannot listen, or has no description, fails the start.
/// </summary>
public class HostedEndpointTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    // <snippet configured-endpoints>
    private static IHost EchoHost(IConfiguration configuration, ILoggerFactory logs)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddConfiguration(configuration); // appsettings.json: "Reactor": { "Endpoints": { ... } }
        builder.Services.AddSingleton(logs);
        builder.Services.AddReactor();

        // Where each one listens is configuration; what it serves is code.
        builder.Services.AddReactorEndpoint("echo", _ => Factory.ForProtocol(() => new TcpEcho()));
        builder.Services.AddReactorDatagramEndpoint("udp-echo", _ => new UdpEcho(), defaultDescription: "udp:9999");
        return builder.Build();
    }
    // </snippet>

    private static IConfiguration Configuration(params (string Key, string Value)[] values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build();

    /// <summary>Where event 305 says the endpoint listens.</summary>
    private static IPEndPoint Listening(TestLoggerFactory logs, string name)
    {
        var message = logs.WithEventId(305).Single(r => r.Message.StartsWith($"Endpoint '{name}'", StringComparison.Ordinal)).Message;
        return IPEndPoint.Parse(message[(message.LastIndexOf(" on ", StringComparison.Ordinal) + 4)..]);
    }

    [Fact]
    public async Task Configured_endpoints_listen_before_the_host_has_started_and_each_is_logged()
    {
        var logs = new TestLoggerFactory();
        using var host = EchoHost(Configuration(
            ("Reactor:Endpoints:echo", "tcp:0:interface=127.0.0.1"),
            ("Reactor:Endpoints:udp-echo", "udp:0:interface=127.0.0.1")), logs);

        await host.StartAsync().WaitAsync(Timeout);

        logs.WithEventId(305).Select(r => r.Message).Should().HaveCount(2).And.Contain(m => m.StartsWith("Endpoint 'echo' (tcp:0:interface=127.0.0.1) listening on 127.0.0.1:", StringComparison.Ordinal));
        var tcp = Listening(logs, "echo");
        using (var client = TcpClients.Connect(tcp))
        {
            client.Send("configured"u8);
            TcpClients.ReceiveExactly(client, 10).Should().Equal("configured"u8.ToArray());
        }

        var udp = Listening(logs, "udp-echo");
        using var datagrams = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp) { ReceiveTimeout = 10_000 };
        datagrams.SendTo("udp too"u8.ToArray(), udp);
        datagrams.Receive(new byte[16]).Should().Be(7);
        await host.StopAsync().WaitAsync(Timeout);
    }

    [Fact]
    public async Task An_endpoint_that_cannot_listen_fails_the_start_and_is_logged()
    {
        using var taken = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        taken.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        taken.Listen();
        var port = ((IPEndPoint)taken.LocalEndPoint!).Port;
        var logs = new TestLoggerFactory();
        using var host = EchoHost(Configuration(("Reactor:Endpoints:echo", $"tcp:{port}:interface=127.0.0.1"), ("Reactor:Endpoints:udp-echo", "udp:0:interface=127.0.0.1")), logs);

        await FluentActions.Awaiting(() => host.StartAsync().WaitAsync(Timeout)).Should().ThrowAsync<CannotListenException>();
        logs.WithEventId(306).Should().ContainSingle().Which.Message.Should().Be($"Endpoint 'echo' (tcp:{port}:interface=127.0.0.1) could not listen; the host does not start");
    }

    [Fact]
    public async Task A_missing_or_malformed_description_fails_the_start_before_anything_listens()
    {
        var logs = new TestLoggerFactory();
        using (var host = EchoHost(Configuration(), logs))
        {
            (await FluentActions.Awaiting(() => host.StartAsync().WaitAsync(Timeout)).Should().ThrowAsync<InvalidOperationException>())
                .Which.Message.Should().Contain("set Reactor:Endpoints:echo");
        }

        using (var host = EchoHost(Configuration(("Reactor:Endpoints:echo", "tcp:http")), logs))
        {
            (await FluentActions.Awaiting(() => host.StartAsync().WaitAsync(Timeout)).Should().ThrowAsync<EndpointParseException>())
                .Which.Argument.Should().Be("port");
        }

        logs.WithEventId(305).Should().BeEmpty("the udp-echo endpoint (udp:9999 by default) never listened: descriptions are all read first");
    }

    [Fact]
    public void An_endpoint_name_is_used_once()
    {
        var services = new ServiceCollection();
        services.AddReactorEndpoint("echo", _ => Factory.ForProtocol(() => new TcpEcho()));
        FluentActions.Invoking(() => services.AddReactorDatagramEndpoint("ECHO", _ => new UdpEcho())).Should().Throw<ArgumentException>();
    }

    private sealed class TcpEcho : Protocol
    {
        public override void DataReceived(ReadOnlySpan<byte> data) => Transport!.Write(data);
    }

    private sealed class UdpEcho : DatagramProtocol
    {
        public override void DatagramReceived(ReadOnlySpan<byte> datagram, IPEndPoint sender) => Transport!.Write(datagram, sender);
    }
}
