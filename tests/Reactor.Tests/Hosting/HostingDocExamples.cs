using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Reactor.Tests.Support;

namespace Reactor.Tests.Hosting;

// <snippet background-service>
/// <summary>Sends "here" to a collector every ten seconds, from a port of the hosted reactor.</summary>
public sealed class Announcer(IReactor reactor) : BackgroundService
{
    private readonly Beacon _beacon = new();

    public int Announcements => _beacon.Sent;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Reactor methods run on the reactor thread: CallFromThread gets there from this one.
        reactor.CallFromThread(() => reactor.ListenUdp(0, _beacon, "127.0.0.1"));
        while (!stoppingToken.IsCancellationRequested)
        {
            reactor.CallFromThread(_beacon.Announce);
            await Task.Delay(TimeSpan.FromSeconds(10), stoppingToken);
        }
    }

    private sealed class Beacon : DatagramProtocol
    {
        public int Sent { get; private set; }

        public void Announce()
        {
            Transport?.Write("here"u8, "127.0.0.1", 9999);
            Sent++;
        }
    }
}
// </snippet>

/// <summary>The code blocks of docs/hosting.md, compiled and run.</summary>
public class HostingDocExamples
{
    private sealed class Echo : DatagramProtocol
    {
        public override void DatagramReceived(ReadOnlySpan<byte> datagram, IPEndPoint sender) => Transport!.Write(datagram, sender);
    }

    [Fact]
    public void AddReactor_takes_options_and_a_configure_callback()
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        // <snippet options>
        builder.Services.AddReactor(
            options => options.Udp.MaxPendingWrites = 4096,       // any ReactorOptions; LoggerFactory is already the host's
            configure: reactor => reactor.ListenUdp(9999, new Echo()));
        // </snippet>
        using var host = builder.Build();
        host.Services.GetRequiredService<IReactor>().Running.Should().BeFalse("the host has not started");
    }

    [Fact]
    public async Task A_background_service_reaches_the_reactor_with_CallFromThread()
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddSingleton<ILoggerFactory>(new TestLoggerFactory());
        builder.Services.AddReactor();
        builder.Services.AddSingleton<Announcer>();
        builder.Services.AddHostedService(provider => provider.GetRequiredService<Announcer>());
        using var host = builder.Build();
        await host.StartAsync().WaitAsync(TimeSpan.FromSeconds(20));

        var announcer = host.Services.GetRequiredService<Announcer>();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (announcer.Announcements == 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        announcer.Announcements.Should().Be(1);
        await host.StopAsync().WaitAsync(TimeSpan.FromSeconds(20));
    }
}
