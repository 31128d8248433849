using Reactor.Internal.Streams;
using Reactor.Tests.Support;
using Reactor.Tests.Tcp;

namespace Reactor.Tests.Streams;

/// <summary>The reactor's <see cref="System.IO.Pipelines.PipeScheduler"/>: on the loop, after the current callback, never inline, never on the thread pool.</summary>
public class LoopPipeSchedulerTests
{
    [Fact]
    public void A_continuation_scheduled_on_the_reactor_thread_runs_after_the_current_callback_in_order()
    {
        using var reactor = TestBackends.Create(ReactorBackend.Portable);
        var scheduler = reactor.Internal().Streams.PipeScheduler;
        var ran = new List<int>();

        scheduler.Schedule(_ => ran.Add(1), null);
        scheduler.Schedule(state => ran.Add((int)state!), 2);
        ran.Should().BeEmpty("Schedule never runs the continuation inline");

        reactor.Iterate(TimeSpan.Zero);
        ran.Should().Equal(1, 2);
    }

    [Fact]
    public void A_continuation_scheduled_from_another_thread_wakes_the_loop_and_runs_on_the_reactor_thread()
    {
        using var reactor = TestBackends.Create(ReactorBackend.Portable);
        var scheduler = reactor.Internal().Streams.PipeScheduler;
        var onReactorThread = new List<bool>();
        var thread = new Thread(() =>
        {
            for (var i = 0; i < 100; i++)
            {
                scheduler.Schedule(_ => onReactorThread.Add(reactor.IsInReactorThread), null);
            }
        });
        thread.Start();
        thread.Join(TimeSpan.FromSeconds(10)).Should().BeTrue();

        reactor.RunUntil(() => onReactorThread.Count == 100);
        onReactorThread.Should().AllSatisfy(b => b.Should().BeTrue());
    }

    [Fact]
    public void Continuations_scheduled_while_draining_join_the_drain_for_a_bounded_number_of_rounds()
    {
        using var reactor = TestBackends.Create(ReactorBackend.Portable);
        var scheduler = reactor.Internal().Streams.PipeScheduler;
        var runs = 0;
        Action<object?>? again = null;
        again = _ =>
        {
            runs++;
            scheduler.Schedule(again!, null);
        };
        scheduler.Schedule(again, null);

        reactor.Iterate(TimeSpan.Zero);
        runs.Should().Be(LoopPipeScheduler.MaxRounds, "a continuation that keeps scheduling itself gets a few rounds, then yields to the loop");
        scheduler.Pending.Should().Be(1);

        reactor.Iterate(TimeSpan.Zero);
        runs.Should().Be(2 * LoopPipeScheduler.MaxRounds);
    }

    [Fact]
    public void A_drain_is_a_stream_dispatch_so_the_writes_of_its_continuations_are_gathered()
    {
        using var reactor = TestBackends.Create(ReactorBackend.Portable);
        var streams = reactor.Internal().Streams;
        bool? inDispatch = null;
        streams.PipeScheduler.Schedule(_ => inDispatch = streams.InDispatch, null);

        reactor.Iterate(TimeSpan.Zero);
        inDispatch.Should().BeTrue();
        streams.InDispatch.Should().BeFalse();
    }

    [Fact]
    public void A_continuation_that_throws_is_logged_and_the_others_still_run()
    {
        var logs = new TestLoggerFactory();
        using var reactor = TestBackends.Create(ReactorBackend.Portable, logs);
        var scheduler = reactor.Internal().Streams.PipeScheduler;
        var ran = false;
        scheduler.Schedule(_ => throw new InvalidOperationException("boom"), null);
        scheduler.Schedule(_ => ran = true, null);

        reactor.Iterate(TimeSpan.Zero);
        ran.Should().BeTrue();
        logs.Records.Should().Contain(r => r.Exception is InvalidOperationException && r.Message.Contains(nameof(LoopPipeScheduler)));
    }

    [Fact]
    public void Scheduling_and_draining_on_the_reactor_thread_allocate_nothing()
    {
        using var reactor = TestBackends.Create(ReactorBackend.Portable);
        var scheduler = reactor.Internal().Streams.PipeScheduler;
        var runs = 0;
        Action<object?> count = _ => runs++;
        for (var i = 0; i < 100; i++)
        {
            scheduler.Schedule(count, null);
            reactor.Iterate(TimeSpan.Zero);
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 10_000; i++)
        {
            scheduler.Schedule(count, null);
            reactor.Iterate(TimeSpan.Zero);
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        runs.Should().Be(10_100);
        allocated.Should().Be(0);
    }
}
