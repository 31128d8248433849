using System.Collections.Concurrent;
using Reactor.Tests.Support;

namespace Reactor.Tests.Loop;

/// <summary>CallFromThread, the thread rule, the synchronization context and the worker pool (Twisted's CallFromThreadTests, test_threads).</summary>
public class ThreadTests
{
    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void Calls_from_threads_are_not_run_until_the_reactor_runs(ReactorBackend backend)
    {
        var reactor = TestBackends.Create(backend);
        var ran = 0;
        var thread = new Thread(() => reactor.CallFromThread(() => ran++));
        thread.Start();
        thread.Join(ReactorRunner.DefaultTimeout).Should().BeTrue();
        ran.Should().Be(0);
        reactor.CallWhenRunning(() => reactor.CallLater(TimeSpan.Zero, reactor.Stop));
        reactor.RunWithTimeout();
        ran.Should().Be(1);
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void CallFromThread_wakes_a_sleeping_loop_at_once(ReactorBackend backend)
    {
        var reactor = TestBackends.Create(backend);
        double calledAt = 0;
        double sentAt = 0;
        reactor.CallWhenRunning(() =>
        {
            sentAt = reactor.Seconds();
            new Thread(() => reactor.CallFromThread(() =>
            {
                calledAt = reactor.Seconds();
                reactor.Stop();
            })).Start();
        });

        // The only timer is far away: without a wake-up the loop would sleep past the test's deadline.
        reactor.CallLater(TimeSpan.FromHours(1), () => { });
        reactor.RunWithTimeout(TimeSpan.FromSeconds(30));
        (calledAt - sentAt).Should().BeLessThan(5, "the eventfd/signal must wake the loop instead of waiting for the next timer");
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void CallFromThread_on_the_reactor_thread_runs_on_the_next_iteration(ReactorBackend backend)
    {
        var reactor = TestBackends.Create(backend);
        var order = new List<string>();
        reactor.CallWhenRunning(() =>
        {
            reactor.CallFromThread(() =>
            {
                order.Add("queued call");
                reactor.Stop();
            });
            order.Add("caller returns");
        });
        reactor.RunWithTimeout();
        order.Should().Equal("caller returns", "queued call");
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void A_call_queued_from_a_queued_call_does_not_livelock_the_loop(ReactorBackend backend)
    {
        var reactor = TestBackends.Create(backend);
        var requeues = 0;
        var timerRan = false;
        void Requeue()
        {
            requeues++;
            if (!timerRan)
            {
                reactor.CallFromThread(Requeue);
            }
        }

        reactor.CallWhenRunning(() => reactor.CallFromThread(Requeue));
        reactor.CallLater(TimeSpan.FromMilliseconds(5), () =>
        {
            timerRan = true;
            reactor.Stop();
        });
        reactor.RunWithTimeout();
        timerRan.Should().BeTrue("timers must keep running while calls requeue themselves");
        requeues.Should().BeGreaterThan(1);
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void An_exception_from_a_call_from_a_thread_is_logged_and_the_loop_goes_on(ReactorBackend backend)
    {
        var logs = new TestLoggerFactory();
        var reactor = TestBackends.Create(backend, logs);
        reactor.CallFromThread(() => throw new InvalidOperationException("thread boom"));
        reactor.CallFromThread(() => reactor.CallLater(TimeSpan.Zero, reactor.Stop));
        reactor.RunWithTimeout();
        logs.WithEventId(2).Should().ContainSingle().Which.Exception!.Message.Should().Be("thread boom");
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void A_storm_of_calls_from_8_threads_runs_every_call_once_in_order_per_thread(ReactorBackend backend)
    {
        const int Threads = 8;
        const int CallsPerThread = 100_000;
        var reactor = TestBackends.Create(backend);
        var next = new int[Threads];
        var outOfOrder = 0;
        var total = 0;
        var timerTicks = 0;
        var loop = new LoopingCall(reactor, () => timerTicks++);
        reactor.CallWhenRunning(() =>
        {
            loop.Start(TimeSpan.FromMilliseconds(1));
            for (var t = 0; t < Threads; t++)
            {
                var thread = t;
                new Thread(() =>
                {
                    for (var i = 0; i < CallsPerThread; i++)
                    {
                        var n = i;
                        reactor.CallFromThread(() =>
                        {
                            if (next[thread] != n)
                            {
                                outOfOrder++;
                            }

                            next[thread] = n + 1;
                            if (++total == Threads * CallsPerThread)
                            {
                                loop.Stop();
                                reactor.Stop();
                            }
                        });
                    }
                })
                { IsBackground = true }.Start();
            }
        });
        reactor.RunWithTimeout(TimeSpan.FromSeconds(60));
        total.Should().Be(Threads * CallsPerThread);
        outOfOrder.Should().Be(0);
        next.Should().AllSatisfy(n => n.Should().Be(CallsPerThread));
        timerTicks.Should().BeGreaterThan(0, "timers keep running during the storm");
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void Reactor_methods_throw_from_another_thread(ReactorBackend backend)
    {
        using var reactor = TestBackends.Create(backend);
        reactor.IsInReactorThread.Should().BeTrue();
        var errors = new ConcurrentBag<Exception?>();
        var inReactorThread = true;
        var thread = new Thread(() =>
        {
            inReactorThread = reactor.IsInReactorThread;
            errors.Add(Record.Exception(() => reactor.CallLater(TimeSpan.Zero, () => { })));
            errors.Add(Record.Exception(() => reactor.CallWhenRunning(() => { })));
            errors.Add(Record.Exception(() => reactor.AddSystemEventTrigger(SystemEventPhase.After, "x", () => { })));
            errors.Add(Record.Exception(() => reactor.GetDelayedCalls()));
            errors.Add(Record.Exception(() => reactor.Iterate(TimeSpan.Zero)));
        });
        thread.Start();
        thread.Join(ReactorRunner.DefaultTimeout).Should().BeTrue();
        inReactorThread.Should().BeFalse();
        errors.Should().HaveCount(5).And.AllSatisfy(e => e.Should().BeOfType<InvalidOperationException>());
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void A_delayed_call_cannot_be_cancelled_from_another_thread(ReactorBackend backend)
    {
        using var reactor = TestBackends.Create(backend);
        var call = reactor.CallLater(TimeSpan.FromSeconds(1), () => { });
        Exception? error = null;
        var thread = new Thread(() => error = Record.Exception(call.Cancel));
        thread.Start();
        thread.Join(ReactorRunner.DefaultTimeout).Should().BeTrue();
        error.Should().BeOfType<InvalidOperationException>();
        call.Active.Should().BeTrue();
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void Await_inside_a_reactor_callback_resumes_on_the_reactor_thread(ReactorBackend backend)
    {
        var reactor = TestBackends.Create(backend);
        var reactorThread = -1;
        var resumedOn = -2;
        var resumedInReactorThread = false;
        reactor.CallWhenRunning(async () =>
        {
            reactorThread = Environment.CurrentManagedThreadId;
            await Task.Delay(10);
            resumedOn = Environment.CurrentManagedThreadId;
            resumedInReactorThread = reactor.IsInReactorThread;
            await Task.Run(() => Thread.SpinWait(100));
            reactor.Stop();
        });
        reactor.RunWithTimeout();
        resumedOn.Should().Be(reactorThread);
        resumedInReactorThread.Should().BeTrue();
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void Awaiting_a_deferred_fired_from_a_timer_resumes_on_the_reactor_thread(ReactorBackend backend)
    {
        var reactor = TestBackends.Create(backend);
        var resumed = false;
        var value = 0;
        reactor.CallWhenRunning(async () =>
        {
            var d = new Deferred<int>();
            reactor.CallLater(TimeSpan.FromMilliseconds(5), () => d.Callback(42));
            value = await d;
            resumed = reactor.IsInReactorThread;
            reactor.Stop();
        });
        reactor.RunWithTimeout();
        value.Should().Be(42);
        resumed.Should().BeTrue();
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void CallInThread_runs_work_off_the_reactor_thread(ReactorBackend backend)
    {
        var reactor = TestBackends.Create(backend);
        var workerWasReactorThread = true;
        reactor.CallWhenRunning(() => reactor.CallInThread(() =>
        {
            workerWasReactorThread = reactor.IsInReactorThread;
            reactor.Stop();
        }));
        reactor.RunWithTimeout();
        workerWasReactorThread.Should().BeFalse();
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void DeferToThread_delivers_results_and_failures_on_the_reactor_thread(ReactorBackend backend)
    {
        var reactor = TestBackends.Create(backend);
        var results = new List<string>();
        reactor.CallWhenRunning(() =>
        {
            var ok = reactor.DeferToThread(() => Environment.CurrentManagedThreadId);
            var bad = reactor.DeferToThread<int>(() => throw new IOException("disk"));
            ok.AddCallback(id => results.Add(reactor.IsInReactorThread ? "ok on reactor" : "ok elsewhere"));
            bad.AddErrback(f =>
            {
                results.Add(reactor.IsInReactorThread ? $"failed on reactor: {f.Exception.Message}" : "failed elsewhere");
                return 0;
            });
            Deferred.GatherResults(new[] { ok, bad }, consumeErrors: true).AddBoth(reactor.Stop);
        });
        reactor.RunWithTimeout();
        results.Should().BeEquivalentTo("ok on reactor", "failed on reactor: disk");
    }

    [Fact]
    public void The_worker_pool_never_runs_more_than_its_size_at_once()
    {
        var reactor = ReactorFactory.Create();
        reactor.SuggestThreadPoolSize(2);
        var running = 0;
        var peak = 0;
        var done = 0;
        reactor.CallWhenRunning(() =>
        {
            for (var i = 0; i < 12; i++)
            {
                reactor.CallInThread(() =>
                {
                    var now = Interlocked.Increment(ref running);
                    InterlockedMax(ref peak, now);
                    Thread.SpinWait(200_000);
                    Interlocked.Decrement(ref running);
                    if (Interlocked.Increment(ref done) == 12)
                    {
                        reactor.Stop();
                    }
                });
            }
        });
        reactor.RunWithTimeout();
        done.Should().Be(12);
        peak.Should().BeLessThanOrEqualTo(2);
    }

    [Fact]
    public void SuggestThreadPoolSize_rejects_sizes_below_one()
    {
        using var reactor = ReactorFactory.Create();
        reactor.Invoking(r => r.SuggestThreadPoolSize(0)).Should().Throw<ArgumentOutOfRangeException>();
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void A_call_from_a_thread_after_shutdown_is_dropped_and_logged(ReactorBackend backend)
    {
        var logs = new TestLoggerFactory();
        var reactor = TestBackends.Create(backend, logs);
        reactor.CallWhenRunning(reactor.Stop);
        reactor.RunWithTimeout();
        var ran = false;
        reactor.CallFromThread(() => ran = true);
        ran.Should().BeFalse();
        logs.WithEventId(5).Should().ContainSingle();
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int current;
        while ((current = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }
}
