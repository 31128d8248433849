using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Reactor.Hosting.Internal;
using Reactor.Tests.Support;

namespace Reactor.Tests.Hosting;

/// <summary><c>services.AddReactor(...)</c> in a real Generic Host: its own thread, the host's logging, a graceful stop.</summary>
public class AddReactorTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    private static IHost BuildHost(TestLoggerFactory logs, Action<IReactor>? configure, Action<ReactorOptions>? options = null)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddSingleton<ILoggerFactory>(logs);
        builder.Services.AddReactor(options, configure);
        return builder.Build();
    }

    [Fact]
    public async Task The_reactor_runs_on_its_own_thread_and_configure_runs_there_before_the_host_has_started()
    {
        var logs = new TestLoggerFactory();
        string? threadName = null;
        var inReactorThread = false;
        using var host = BuildHost(logs, reactor =>
        {
            threadName = Thread.CurrentThread.Name;
            inReactorThread = reactor.IsInReactorThread && reactor.Running;
        });

        await host.StartAsync().WaitAsync(Timeout);
        threadName.Should().Be("Reactor");
        inReactorThread.Should().BeTrue();
        host.Services.GetRequiredService<IReactor>().IsInReactorThread.Should().BeFalse("the test's thread is not the reactor's");
        await host.StopAsync().WaitAsync(Timeout);
    }

    [Fact]
    public async Task A_hosted_echo_answers_and_stopping_the_host_closes_the_port_and_ends_Run()
    {
        var logs = new TestLoggerFactory();
        var protocol = new RecordingProtocol { OnDatagram = (p, data, sender) => p.Transport!.Write(data, sender) };
        var port = 0;
        using var host = BuildHost(logs, reactor => port = reactor.ListenUdp(0, protocol, "127.0.0.1").GetHost().Port);
        await host.StartAsync().WaitAsync(Timeout);

        using (var client = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp))
        {
            client.ReceiveTimeout = 10_000;
            client.SendTo("ping"u8, new IPEndPoint(IPAddress.Loopback, port));
            var reply = new byte[16];
            client.Receive(reply).Should().Be(4);
        }

        await host.StopAsync().WaitAsync(Timeout);
        await host.Services.GetRequiredService<ReactorHostedService>().Finished.WaitAsync(Timeout);
        protocol.Events.Should().EndWith("stop");
        host.Services.GetRequiredService<IReactor>().Running.Should().BeFalse();
    }

    [Fact]
    public async Task The_reactor_logs_through_the_hosts_logger_factory()
    {
        var logs = new TestLoggerFactory();
        using var host = BuildHost(logs, reactor => reactor.ListenUdp(0, new RecordingProtocol(), "127.0.0.1"));
        await host.StartAsync().WaitAsync(Timeout);
        await host.StopAsync().WaitAsync(Timeout);
        logs.WithEventId(200).Should().ContainSingle().Which.Category.Should().Be("Reactor.Udp");
        logs.WithEventId(201).Should().ContainSingle();
        logs.WithEventId(300).Should().ContainSingle().Which.Category.Should().Be("Reactor.Hosting");
    }

    [Fact]
    public async Task Options_are_applied_to_the_reactor()
    {
        using var host = BuildHost(new TestLoggerFactory(), null, options => options.Backend = ReactorBackend.Portable);
        host.Services.GetRequiredService<IReactor>().Backend.Should().Be(ReactorBackend.Portable);
        await host.StartAsync().WaitAsync(Timeout);
        await host.StopAsync().WaitAsync(Timeout);
    }

    [Fact]
    public async Task An_exception_in_configure_fails_the_host_start_and_the_reactor_stops()
    {
        using var host = BuildHost(new TestLoggerFactory(), _ => throw new InvalidAddressException("nowhere", "not an address"));
        await host.Invoking(h => h.StartAsync().WaitAsync(Timeout)).Should().ThrowAsync<InvalidAddressException>();
        await host.Services.GetRequiredService<ReactorHostedService>().Finished.WaitAsync(Timeout);
    }

    [Fact]
    public async Task A_reactor_that_stops_by_itself_stops_the_host()
    {
        var logs = new TestLoggerFactory();
        using var host = BuildHost(logs, _ => { });
        var stopping = new TaskCompletionSource();
        host.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping.Register(() => stopping.TrySetResult());
        await host.StartAsync().WaitAsync(Timeout);

        // Once the host has started (a stop during start would cancel the start itself), the reactor stops on its own.
        var reactor = host.Services.GetRequiredService<IReactor>();
        reactor.CallFromThread(reactor.Stop);
        await stopping.Task.WaitAsync(Timeout);
        logs.WithEventId(303).Should().ContainSingle();
        await host.StopAsync().WaitAsync(Timeout);
    }

    [Fact]
    public void Without_a_logging_service_the_hosted_reactor_keeps_the_stderr_default_rather_than_silence()
    {
        using var provider = new ServiceCollection().AddReactor().BuildServiceProvider();
        var reactor = (Reactor.Internal.ReactorBase)provider.GetRequiredService<IReactor>();
        reactor.LoggerFactory.Should().BeSameAs(Reactor.Internal.StandardErrorLoggerFactory.Instance, "decision D41: silence only by explicit choice");
        reactor.Dispose();
    }

    [Fact]
    public void AddReactor_twice_is_refused()
    {
        var services = new ServiceCollection().AddReactor();
        services.Invoking(s => s.AddReactor()).Should().Throw<InvalidOperationException>();
    }
}
