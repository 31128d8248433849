using Reactor.Tests.Support;

namespace Reactor.Tests.Loop;

/// <summary>Run, Stop, Crash and system events: Twisted's test_core <c>SystemEventTestsBuilder</c> and <c>ThreePhaseEventTests</c>.</summary>
public class LifecycleTests
{
    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void Stop_when_not_started_throws_ReactorNotRunning(ReactorBackend backend)
    {
        using var reactor = TestBackends.Create(backend);
        reactor.Invoking(r => r.Stop()).Should().Throw<ReactorNotRunningException>();
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void Stop_when_already_stopped_throws_ReactorNotRunning(ReactorBackend backend)
    {
        var reactor = TestBackends.Create(backend);
        Exception? second = null;
        reactor.CallWhenRunning(() =>
        {
            reactor.Stop();
            second = Record.Exception(reactor.Stop);
        });
        reactor.RunWithTimeout();
        second.Should().BeOfType<ReactorNotRunningException>();
        reactor.Invoking(r => r.Stop()).Should().Throw<ReactorNotRunningException>();
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void CallWhenRunning_callables_run_in_registration_order(ReactorBackend backend)
    {
        var reactor = TestBackends.Create(backend);
        var order = new List<int>();
        reactor.CallWhenRunning(() => order.Add(1));
        reactor.CallWhenRunning(() => order.Add(2));
        reactor.CallWhenRunning(() => order.Add(3));
        reactor.CallWhenRunning(reactor.Stop);
        reactor.RunWithTimeout();
        order.Should().Equal(1, 2, 3);
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void CallWhenRunning_while_running_calls_synchronously_and_returns_null(ReactorBackend backend)
    {
        var reactor = TestBackends.Create(backend);
        var ran = false;
        SystemEventTriggerId? id = new SystemEventTriggerId("probe", SystemEventPhase.After);
        reactor.CallWhenRunning(() =>
        {
            id = reactor.CallWhenRunning(() => ran = true);
            ran.Should().BeTrue();
            reactor.Stop();
        });
        reactor.RunWithTimeout();
        id.Should().BeNull();
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void Running_is_false_before_startup_and_true_during_and_after(ReactorBackend backend)
    {
        var reactor = TestBackends.Create(backend);
        var seen = new List<(SystemEventPhase, bool)>();
        foreach (var phase in new[] { SystemEventPhase.Before, SystemEventPhase.During, SystemEventPhase.After })
        {
            reactor.AddSystemEventTrigger(phase, SystemEvents.Startup, () => seen.Add((phase, reactor.Running)));
        }

        reactor.CallWhenRunning(reactor.Stop);
        reactor.Running.Should().BeFalse();
        reactor.RunWithTimeout();
        seen.Should().Equal((SystemEventPhase.Before, false), (SystemEventPhase.During, true), (SystemEventPhase.After, true));
        reactor.Running.Should().BeFalse();
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void Stop_fires_all_three_shutdown_phases_before_Run_returns(ReactorBackend backend)
    {
        var reactor = TestBackends.Create(backend);
        var order = new List<string>();
        reactor.AddSystemEventTrigger(SystemEventPhase.After, SystemEvents.Shutdown, () => order.Add("after"));
        reactor.AddSystemEventTrigger(SystemEventPhase.During, SystemEvents.Shutdown, () => order.Add("during"));
        reactor.AddSystemEventTrigger(SystemEventPhase.Before, SystemEvents.Shutdown, () => order.Add("before"));
        reactor.CallWhenRunning(reactor.Stop);
        reactor.RunWithTimeout();
        order.Should().Equal("before", "during", "after");
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void Stop_does_not_fire_shutdown_triggers_synchronously(ReactorBackend backend)
    {
        var reactor = TestBackends.Create(backend);
        var fired = false;
        var firedInsideStop = true;
        reactor.AddSystemEventTrigger(SystemEventPhase.Before, SystemEvents.Shutdown, () => fired = true);
        reactor.CallWhenRunning(() =>
        {
            reactor.Stop();
            firedInsideStop = fired;
        });
        reactor.RunWithTimeout();
        firedInsideStop.Should().BeFalse();
        fired.Should().BeTrue();
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void Run_while_running_throws_ReactorAlreadyRunning(ReactorBackend backend)
    {
        var reactor = TestBackends.Create(backend);
        Exception? error = null;
        reactor.CallWhenRunning(() =>
        {
            error = Record.Exception(reactor.Run);
            reactor.Stop();
        });
        reactor.RunWithTimeout();
        error.Should().BeOfType<ReactorAlreadyRunningException>();
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void Run_after_stop_throws_ReactorNotRestartable(ReactorBackend backend)
    {
        var reactor = TestBackends.Create(backend);
        reactor.CallWhenRunning(reactor.Stop);
        reactor.RunWithTimeout();
        reactor.Invoking(r => r.Run()).Should().Throw<ReactorNotRestartableException>();
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void Crash_skips_shutdown_triggers_and_Run_works_again_afterwards(ReactorBackend backend)
    {
        using var reactor = TestBackends.Create(backend);
        var shutdownTriggers = 0;
        var startups = 0;
        reactor.AddSystemEventTrigger(SystemEventPhase.Before, SystemEvents.Shutdown, () => shutdownTriggers++);
        reactor.CallWhenRunning(() =>
        {
            startups++;
            reactor.Crash();
        });
        reactor.Run();
        shutdownTriggers.Should().Be(0);
        reactor.Running.Should().BeFalse();

        var ranAgain = false;
        reactor.CallWhenRunning(() =>
        {
            ranAgain = reactor.Running;
            reactor.Stop();
        });
        reactor.RunWithTimeout();
        ranAgain.Should().BeTrue();
        startups.Should().Be(1);
        shutdownTriggers.Should().Be(1);
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void Iterate_with_zero_wait_does_not_block_and_runs_due_calls(ReactorBackend backend)
    {
        using var reactor = TestBackends.Create(backend);
        var ran = false;
        reactor.CallLater(TimeSpan.Zero, () => ran = true);
        reactor.CallLater(TimeSpan.FromHours(1), () => { });
        var started = System.Diagnostics.Stopwatch.StartNew();
        reactor.Iterate(TimeSpan.Zero);
        ran.Should().BeTrue();
        started.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(5));
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void A_before_startup_trigger_returning_a_deferred_delays_the_during_phase(ReactorBackend backend)
    {
        var reactor = TestBackends.Create(backend);
        var pending = new Deferred<int>();
        var events = new List<string>();
        reactor.AddSystemEventTrigger(SystemEventPhase.Before, SystemEvents.Startup, () => pending);
        reactor.AddSystemEventTrigger(SystemEventPhase.During, SystemEvents.Startup, () => events.Add("during"));
        reactor.CallLater(TimeSpan.FromMilliseconds(20), () =>
        {
            events.Add("fired");
            reactor.Running.Should().BeFalse("start-up is still waiting for the before trigger's Deferred");
            pending.Callback(1);
        });
        reactor.CallWhenRunning(reactor.Stop);
        reactor.RunWithTimeout();
        events.Should().Equal("fired", "during");
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void A_before_shutdown_deferred_delays_shutdown_and_Run_waits_for_it(ReactorBackend backend)
    {
        var reactor = TestBackends.Create(backend);
        var pending = new Deferred<int>();
        var events = new List<string>();
        reactor.AddSystemEventTrigger(SystemEventPhase.Before, SystemEvents.Shutdown, () =>
        {
            reactor.CallLater(TimeSpan.FromMilliseconds(20), () =>
            {
                events.Add("deferred fires");
                pending.Callback(7);
            });
            return pending;
        });
        reactor.AddSystemEventTrigger(SystemEventPhase.During, SystemEvents.Shutdown, () => events.Add("during"));
        reactor.AddSystemEventTrigger(SystemEventPhase.After, SystemEvents.Shutdown, () => events.Add("after"));
        reactor.CallWhenRunning(reactor.Stop);
        reactor.RunWithTimeout();
        events.Should().Equal("deferred fires", "during", "after");
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void A_failing_before_shutdown_deferred_is_logged_and_shutdown_completes(ReactorBackend backend)
    {
        var logs = new TestLoggerFactory();
        var reactor = TestBackends.Create(backend, logs);
        var after = false;
        reactor.AddSystemEventTrigger(SystemEventPhase.Before, SystemEvents.Shutdown, () => Deferred.Fail<int>(new InvalidOperationException("boom")));
        reactor.AddSystemEventTrigger(SystemEventPhase.After, SystemEvents.Shutdown, () => after = true);
        reactor.CallWhenRunning(reactor.Stop);
        reactor.RunWithTimeout();
        after.Should().BeTrue();
        logs.WithEventId(11).Should().ContainSingle().Which.Exception!.Message.Should().Be("boom");
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void Trigger_exceptions_are_logged_and_the_remaining_triggers_still_run(ReactorBackend backend)
    {
        var logs = new TestLoggerFactory();
        var reactor = TestBackends.Create(backend, logs);
        var ran = new List<string>();
        reactor.AddSystemEventTrigger(SystemEventPhase.Before, SystemEvents.Shutdown, () => throw new InvalidOperationException("first"));
        reactor.AddSystemEventTrigger(SystemEventPhase.Before, SystemEvents.Shutdown, () => ran.Add("second before"));
        reactor.AddSystemEventTrigger(SystemEventPhase.During, SystemEvents.Shutdown, () => throw new InvalidOperationException("third"));
        reactor.AddSystemEventTrigger(SystemEventPhase.After, SystemEvents.Shutdown, () => ran.Add("after"));
        reactor.CallWhenRunning(reactor.Stop);
        reactor.RunWithTimeout();
        ran.Should().Equal("second before", "after");
        logs.WithEventId(3).Select(r => r.Exception!.Message).Should().Equal("first", "third");
    }

    [Fact]
    public void A_custom_event_fires_its_phases_in_order_once_per_registration()
    {
        using var reactor = ReactorFactory.Create();
        var order = new List<string>();
        reactor.AddSystemEventTrigger(SystemEventPhase.After, "custom", () => order.Add("after"));
        reactor.AddSystemEventTrigger(SystemEventPhase.Before, "custom", () => order.Add("before"));
        reactor.AddSystemEventTrigger(SystemEventPhase.During, "custom", () => order.Add("during"));
        reactor.FireSystemEvent("custom");
        reactor.FireSystemEvent("custom");
        order.Should().Equal("before", "during", "after");
    }

    [Fact]
    public void An_undefined_phase_is_rejected()
    {
        using var reactor = ReactorFactory.Create();
        reactor.Invoking(r => r.AddSystemEventTrigger((SystemEventPhase)17, "custom", () => { }))
            .Should().Throw<ArgumentOutOfRangeException>();
    }

    [Fact]
    public void A_removed_trigger_does_not_run_and_cannot_be_removed_twice()
    {
        using var reactor = ReactorFactory.Create();
        var ran = false;
        var id = reactor.AddSystemEventTrigger(SystemEventPhase.During, "custom", () => ran = true);
        reactor.RemoveSystemEventTrigger(id);
        reactor.FireSystemEvent("custom");
        ran.Should().BeFalse();
        reactor.Invoking(r => r.RemoveSystemEventTrigger(id)).Should().Throw<ArgumentException>();
    }

    [Fact]
    public void Removing_a_trigger_that_already_ran_throws()
    {
        using var reactor = ReactorFactory.Create();
        var id = reactor.AddSystemEventTrigger(SystemEventPhase.After, "custom", () => { });
        reactor.FireSystemEvent("custom");
        reactor.Invoking(r => r.RemoveSystemEventTrigger(id)).Should().Throw<ArgumentException>();
    }

    [Fact]
    public void Removing_a_fired_before_trigger_while_its_event_waits_only_warns()
    {
        var logs = new TestLoggerFactory();
        using var reactor = ReactorFactory.Create(new ReactorOptions { LoggerFactory = logs });
        var pending = new Deferred<int>();
        SystemEventTriggerId? id = null;
        id = reactor.AddSystemEventTrigger(SystemEventPhase.Before, "custom", () => pending);
        var during = false;
        reactor.AddSystemEventTrigger(SystemEventPhase.During, "custom", () => during = true);
        reactor.FireSystemEvent("custom");
        during.Should().BeFalse();
        reactor.RemoveSystemEventTrigger(id);
        logs.WithEventId(9).Should().ContainSingle();
        pending.Callback(1);
        during.Should().BeTrue();
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void Stop_from_another_thread_stops_the_loop(ReactorBackend backend)
    {
        var reactor = TestBackends.Create(backend);
        reactor.CallLater(TimeSpan.FromHours(1), () => { });
        var thread = reactor.RunOnNewThread();
        ReactorRunner.WaitUntil(() => reactor.Running).Should().BeTrue();
        reactor.Stop();
        thread.Join(ReactorRunner.DefaultTimeout).Should().BeTrue("Stop from another thread must wake and end the loop");
        reactor.Running.Should().BeFalse();
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void A_delayed_call_can_stop_the_reactor(ReactorBackend backend)
    {
        var reactor = TestBackends.Create(backend);
        reactor.CallLater(TimeSpan.FromMilliseconds(10), reactor.Stop);
        reactor.RunWithTimeout();
        reactor.Running.Should().BeFalse();
    }

}

/// <summary>
/// Counts the process's file descriptors, so it runs alone: other tests open sockets and processes meanwhile.
/// </summary>
[Collection(DescriptorCountingCollection.Name)]
public class DescriptorLeakTests
{
    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void Run_and_stop_cycles_leave_no_file_descriptor_behind(ReactorBackend backend)
    {
        static int OpenDescriptors() => Directory.GetFiles("/proc/self/fd").Length;
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        // Warm up once so lazily created runtime descriptors are not counted.
        var warmUp = TestBackends.Create(backend);
        warmUp.CallWhenRunning(warmUp.Stop);
        warmUp.RunWithTimeout();
        var before = OpenDescriptors();
        for (var i = 0; i < 200; i++)
        {
            var reactor = TestBackends.Create(backend);
            reactor.CallWhenRunning(reactor.Stop);
            reactor.RunWithTimeout();
        }

        for (var i = 0; i < 200; i++)
        {
            TestBackends.Create(backend).Dispose();
        }

        // The count is process-wide: tests running in parallel open and close descriptors too, so allow their transient
        // ones a bounded moment to go away.
        SpinWait.SpinUntil(() => OpenDescriptors() <= before + 2, TimeSpan.FromSeconds(5));
        OpenDescriptors().Should().BeLessThanOrEqualTo(before + 2, "run/stop and create/dispose must close what the reactor opened");
    }
}

/// <summary>Tests that count /proc/self/fd must not run alongside others.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public class DescriptorCountingCollection
{
    public const string Name = "descriptor counting";
}
