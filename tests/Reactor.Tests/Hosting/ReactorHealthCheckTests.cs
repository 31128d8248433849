using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Reactor.Tests.Hosting;

/// <summary>
/// <c>AddHealthChecks().AddReactor()</c> in a real Generic Host: Healthy while the reactor thread answers its tick and
/// the endpoints listen; the failure status while a callback blocks the thread past the bound (and Healthy again after),
/// or when an endpoint has stopped.
/// </summary>
public class ReactorHealthCheckTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    private static IHost Host(TimeSpan? bound = null, bool tcp = true, Action<IUdpTransport>? udpListening = null)
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        // <snippet health-check>
        builder.Services.AddReactor();
        builder.Services.AddHealthChecks().AddReactor(timeout: TimeSpan.FromMilliseconds(200), tags: ["live"]);
        // </snippet>
        builder.Services.AddReactorDatagramEndpoint("udp", _ => new DatagramProtocol(), defaultDescription: "udp:0:interface=127.0.0.1", listening: udpListening);
        if (tcp)
        {
            builder.Services.AddReactorEndpoint("tcp", _ => Factory.ForProtocol(() => new Protocol()), defaultDescription: "tcp:0:interface=127.0.0.1");
        }

        if (bound is { } timeout)
        {
            builder.Services.AddHealthChecks().AddReactor("reactor-custom", timeout: timeout);
        }

        return builder.Build();
    }

    private static async Task<HealthReportEntry> Check(IHost host, string name = "reactor")
    {
        var report = await host.Services.GetRequiredService<HealthCheckService>()
            .CheckHealthAsync(r => r.Name == name).WaitAsync(Timeout);
        return report.Entries[name];
    }

    [Fact]
    public async Task A_running_host_is_healthy_with_its_tick_latency_and_endpoints_in_the_data()
    {
        using var host = Host();
        await host.StartAsync().WaitAsync(Timeout);

        var entry = await Check(host);
        entry.Status.Should().Be(HealthStatus.Healthy, entry.Description);
        entry.Tags.Should().Contain("live");
        entry.Data["endpoint:udp"].Should().Be("listening");
        entry.Data["endpoint:tcp"].Should().Be("listening");
        ((double)entry.Data["tick_latency_ms"]).Should().BeGreaterThanOrEqualTo(0);
        await host.StopAsync().WaitAsync(Timeout);
    }

    [Fact]
    public async Task A_blocked_reactor_thread_is_unhealthy_beyond_the_bound_and_healthy_again_after()
    {
        using var host = Host();
        await host.StartAsync().WaitAsync(Timeout);
        var reactor = host.Services.GetRequiredService<IReactor>();
        using var release = new ManualResetEventSlim();
        using var blocking = new ManualResetEventSlim();

        // A callback that blocks the reactor thread (as a protocol doing blocking work would), for at most 10 s.
        reactor.CallFromThread(() =>
        {
            blocking.Set();
            release.Wait(TimeSpan.FromSeconds(10));
        });
        blocking.Wait(Timeout).Should().BeTrue();
        try
        {
            await BlockedThenReleased(host, release);
        }
        finally
        {
            release.Set(); // never leave the reactor thread blocked behind a failed assertion
        }

        await host.StopAsync().WaitAsync(Timeout);
    }

    private static async Task BlockedThenReleased(IHost host, ManualResetEventSlim release)
    {
        var late = await Check(host);
        late.Status.Should().Be(HealthStatus.Unhealthy);
        late.Description.Should().Contain("has not answered a tick");
        ((double)late.Data["tick_outstanding_ms"]).Should().BeGreaterThanOrEqualTo(200);

        // Still blocked: a second check finds the first tick outstanding and queues none (one probe at most).
        var stillLate = await Check(host);
        stillLate.Status.Should().Be(HealthStatus.Unhealthy);
        ((double)stillLate.Data["tick_outstanding_ms"]).Should().BeGreaterThan((double)late.Data["tick_outstanding_ms"], "it is the same tick, waiting longer");

        release.Set();
        var deadline = DateTime.UtcNow + Timeout;
        HealthReportEntry again;
        do
        {
            again = await Check(host);
        }
        while (again.Status != HealthStatus.Healthy && DateTime.UtcNow < deadline);

        again.Status.Should().Be(HealthStatus.Healthy, again.Description);
    }

    [Fact]
    public async Task Only_one_tick_is_outstanding_however_often_a_stuck_reactor_is_checked()
    {
        using var host = Host();
        await host.StartAsync().WaitAsync(Timeout);
        var reactor = host.Services.GetRequiredService<IReactor>();
        using var release = new ManualResetEventSlim();
        using var blocking = new ManualResetEventSlim();
        reactor.CallFromThread(() =>
        {
            blocking.Set();
            release.Wait(TimeSpan.FromSeconds(10));
        });
        blocking.Wait(Timeout).Should().BeTrue();
        try
        {
            await ChecksWhileStuck(host, reactor, release);
        }
        finally
        {
            release.Set();
        }

        await host.StopAsync().WaitAsync(Timeout);
    }

    private static async Task ChecksWhileStuck(IHost host, IReactor reactor, ManualResetEventSlim release)
    {
        // Ten checks while stuck: one tick scheduled, the others wait on it.
        var check = (Reactor.Hosting.Internal.ReactorHealthCheck)host.Services.GetRequiredService<IOptions<HealthCheckServiceOptions>>()
            .Value.Registrations.Single(r => r.Name == "reactor").Factory(host.Services);
        var sentBefore = check.TicksSent;
        for (var i = 0; i < 10; i++)
        {
            (await Check(host)).Status.Should().Be(HealthStatus.Unhealthy);
        }

        check.TicksSent.Should().Be(sentBefore + 1, "a stuck reactor is not sent a tick per check");

        var queuedAfter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        reactor.CallFromThread(() => queuedAfter.TrySetResult());
        release.Set();
        await queuedAfter.Task.WaitAsync(Timeout);
        var entry = await Check(host);
        entry.Status.Should().Be(HealthStatus.Healthy, "the one outstanding tick was answered, and a new one is sent");
    }

    [Fact]
    public async Task An_endpoint_that_stopped_listening_makes_the_check_unhealthy()
    {
        IUdpTransport? udp = null;
        using var host = Host(udpListening: transport => udp = transport);
        await host.StartAsync().WaitAsync(Timeout);
        var reactor = host.Services.GetRequiredService<IReactor>();
        (await Check(host)).Status.Should().Be(HealthStatus.Healthy);

        // Stop the UDP endpoint's port from the reactor thread, as application code might.
        var stopped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        reactor.CallFromThread(() =>
        {
            udp!.StopListening();
            stopped.TrySetResult();
        });
        await stopped.Task.WaitAsync(Timeout);

        var deadline = DateTime.UtcNow + Timeout;
        HealthReportEntry entry;
        do
        {
            entry = await Check(host);
        }
        while (entry.Status == HealthStatus.Healthy && DateTime.UtcNow < deadline);

        entry.Status.Should().Be(HealthStatus.Unhealthy);
        entry.Data["endpoint:udp"].Should().Be("stopped");
        entry.Data["endpoint:tcp"].Should().Be("listening");
        entry.Description.Should().Contain("'udp' is stopped");
        await host.StopAsync().WaitAsync(Timeout);
    }

    [Fact]
    public async Task A_stopped_reactor_is_unhealthy_and_a_custom_bound_and_name_are_used()
    {
        using var host = Host(bound: TimeSpan.FromSeconds(5), tcp: false);
        await host.StartAsync().WaitAsync(Timeout);
        (await Check(host, "reactor-custom")).Status.Should().Be(HealthStatus.Healthy);
        await host.StopAsync().WaitAsync(Timeout);

        var entry = await Check(host, "reactor-custom");
        entry.Status.Should().Be(HealthStatus.Unhealthy);
        entry.Description.Should().Be("The reactor has stopped.");
    }

    [Fact]
    public async Task Without_AddReactor_the_check_says_what_is_missing()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddHealthChecks().AddReactor();
        await using var provider = services.BuildServiceProvider();
        var check = () => provider.GetRequiredService<HealthCheckService>().CheckHealthAsync().WaitAsync(Timeout);
        (await check.Should().ThrowAsync<InvalidOperationException>()).Which.Message.Should().Contain("services.AddReactor()");
    }
}
