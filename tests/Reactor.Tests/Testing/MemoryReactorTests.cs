using System.Net;
using Reactor.Testing;
using Reactor.Tests.Support;

namespace Reactor.Tests.Testing;

/// <summary>The memory reactor records what code asked of it and connects protocols to fake transports.</summary>
public class MemoryReactorTests
{
    [Fact]
    public void ListenUdp_is_recorded_and_the_protocol_starts_on_a_fake_transport()
    {
        var reactor = new MemoryReactor();
        var protocol = new RecordingProtocol();
        var port = reactor.ListenUdp(9999, protocol, "127.0.0.1", maxPacketSize: 512);
        var call = reactor.UdpPorts.Should().ContainSingle().Subject;
        call.Should().Be(new UdpListenCall(9999, protocol, "127.0.0.1", 512, false, (FakeDatagramTransport)port));
        port.GetHost().Should().Be(new IPEndPoint(IPAddress.Loopback, 9999));
        port.MaxPacketSize.Should().Be(512);
        protocol.Transport.Should().BeSameAs(port);
        protocol.Events.Should().Equal("start");
        reactor.MulticastPorts.Should().BeEmpty();
    }

    [Fact]
    public void ListenMulticast_is_recorded_with_listenMultiple()
    {
        var reactor = new MemoryReactor();
        var protocol = new RecordingProtocol();
        var port = reactor.ListenMulticast(0, protocol, listenMultiple: true);
        var call = reactor.MulticastPorts.Should().ContainSingle().Subject;
        (call.Port, call.Interface, call.MaxPacketSize, call.ListenMultiple).Should().Be((0, "", 8192, true));
        port.GetHost().Port.Should().BeGreaterThanOrEqualTo(49152, "port 0 picks a number");
        port.JoinGroup("228.0.0.5");
        call.Transport.Groups.Should().ContainSingle();
    }

    [Fact]
    public void Listen_checks_its_arguments_as_a_reactor_does()
    {
        var reactor = new MemoryReactor();
        var protocol = new RecordingProtocol();
        reactor.Invoking(r => r.ListenUdp(0, protocol, "localhost")).Should().Throw<InvalidAddressException>();
        reactor.Invoking(r => r.ListenUdp(70_000, protocol)).Should().Throw<ArgumentOutOfRangeException>();
        reactor.ListenUdp(0, protocol);
        reactor.Invoking(r => r.ListenUdp(0, protocol)).Should().Throw<InvalidOperationException>();
        reactor.UdpPorts.Should().ContainSingle();
    }

    [Fact]
    public void Time_comes_from_the_clock()
    {
        var clock = new Clock();
        var reactor = new MemoryReactor(clock);
        var fired = false;
        reactor.CallLater(TimeSpan.FromSeconds(5), () => fired = true);
        reactor.GetDelayedCalls().Should().ContainSingle();
        clock.Advance(TimeSpan.FromSeconds(5));
        fired.Should().BeTrue();
        reactor.Seconds().Should().Be(5);
        reactor.Clock.Should().BeSameAs(clock);
    }

    [Fact]
    public void Run_fires_startup_and_returns_and_Stop_fires_shutdown_which_stops_the_ports()
    {
        var reactor = new MemoryReactor();
        var protocol = new RecordingProtocol();
        reactor.ListenUdp(0, protocol);
        var events = new List<string>();
        reactor.CallWhenRunning(() => events.Add("running"));
        reactor.AddSystemEventTrigger(SystemEventPhase.Before, SystemEvents.Shutdown, () => events.Add("before shutdown"));
        reactor.Run();
        (reactor.HasRun, reactor.Running).Should().Be((true, true));
        events.Should().Equal("running");
        reactor.Stop();
        (reactor.HasStopped, reactor.Running).Should().Be((true, false));
        events.Should().Equal("running", "before shutdown");
        protocol.Events.Should().Equal("start", "stop");
        reactor.Invoking(r => r.Stop()).Should().Throw<ReactorNotRunningException>();
        reactor.Invoking(r => r.Run()).Should().Throw<ReactorNotRestartableException>();
    }

    [Fact]
    public void CallFromThread_queues_until_RunPendingCalls_or_Run()
    {
        var reactor = new MemoryReactor();
        var ran = new List<int>();
        var other = new Thread(() => reactor.CallFromThread(() => ran.Add(1)));
        other.Start();
        other.Join(TimeSpan.FromSeconds(10)).Should().BeTrue();
        reactor.CallFromThread(() => ran.Add(2));
        ran.Should().BeEmpty();
        reactor.PendingCalls.Should().Be(2);
        reactor.RunPendingCalls().Should().Be(2);
        ran.Should().Equal(1, 2);
        reactor.CallFromThread(() => ran.Add(3));
        reactor.Run();
        ran.Should().Equal(1, 2, 3);
    }

    [Fact]
    public void Crash_is_recorded_and_allows_another_Run()
    {
        var reactor = new MemoryReactor();
        reactor.Run();
        reactor.Crash();
        (reactor.HasCrashed, reactor.Running).Should().Be((true, false));
        reactor.Run();
        reactor.Running.Should().BeTrue();
    }

    [Fact]
    public void Thread_work_runs_at_once_on_the_calling_thread()
    {
        var reactor = new MemoryReactor();
        var thread = -1;
        reactor.CallInThread(() => thread = Environment.CurrentManagedThreadId);
        thread.Should().Be(Environment.CurrentManagedThreadId);
        var result = 0;
        reactor.DeferToThread(() => 42).AddCallback(r => { result = r; });
        result.Should().Be(42);
        reactor.SuggestThreadPoolSize(3);
        reactor.ThreadPoolSize.Should().Be(3);
    }

    [Fact]
    public void Resolve_answers_literals_and_asks_the_installed_resolver_for_names()
    {
        var reactor = new MemoryReactor();
        IPAddress? answer = null;
        reactor.Resolve("192.0.2.1").AddCallback(a => { answer = a; });
        answer.Should().Be(IPAddress.Parse("192.0.2.1"));

        Failure? failure = null;
        reactor.Resolve("example.test").AddErrback(f => { failure = f; return IPAddress.None; });
        failure!.Exception.Should().BeOfType<DnsLookupException>();

        var resolver = new FakeResolver();
        resolver.Add("example.test", IPAddress.Parse("2001:db8::7"), IPAddress.Parse("192.0.2.7"));
        reactor.InstallResolver(resolver).Should().BeOfType<FakeResolver>();
        reactor.Resolve("example.test").AddCallback(a => { answer = a; });
        answer.Should().Be(IPAddress.Parse("192.0.2.7"));
        IReadOnlyList<IPAddress>? all = null;
        reactor.ResolveAll("example.test").AddCallback(a => { all = a; });
        all.Should().HaveCount(2);
    }

    [Fact]
    public void Code_written_against_IReactor_runs_on_it()
    {
        IReactor reactor = new MemoryReactor();
        var protocol = new RecordingProtocol();
        reactor.ListenUdp(0, protocol);
        reactor.IsInReactorThread.Should().BeTrue();
        reactor.Backend.Should().Be(ReactorBackend.Auto);
        reactor.Dispose();
    }

    [Fact]
    public void ListenUnix_and_ConnectUnix_are_recorded_and_the_port_stops_with_the_reactor()
    {
        var reactor = new MemoryReactor();
        var server = new Reactor.Tests.Tcp.RecordingServerFactory();
        var client = new Reactor.Tests.Tcp.RecordingClientFactory();

        var port = reactor.ListenUnix("@app", server, backlog: 7, mode: UnixFileMode.UserRead, wantPid: true);
        var connector = reactor.ConnectUnix("/run/app.sock", client, TimeSpan.FromSeconds(3), checkPid: true);

        reactor.UnixServers.Should().ContainSingle().Which.Should().Be(
            new UnixListenCall("@app", server, 7, UnixFileMode.UserRead, true, (MemoryUnixPort)port));
        port.GetHost().ToString().Should().Be("@app");
        var call = reactor.UnixClients.Should().ContainSingle().Subject;
        (call.Path, call.Timeout, call.CheckPid).Should().Be(("/run/app.sock", TimeSpan.FromSeconds(3), true));
        call.Connector.Should().BeSameAs(connector);
        connector.GetDestination().ToString().Should().Be("/run/app.sock");
        client.Events.Should().Equal("startFactory", "started");
        reactor.Invoking(r => r.ListenUnix("", server)).Should().Throw<InvalidAddressException>();

        reactor.Run();
        reactor.Stop();
        ((MemoryUnixPort)port).Stopped.Should().BeTrue();
        server.Events.Should().Equal("startFactory", "stopFactory");
    }
}
