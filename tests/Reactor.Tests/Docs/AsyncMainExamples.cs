using Reactor.Testing;
using Reactor.Tests.Deferreds;
using Reactor.Tests.Support;

namespace Reactor.Tests.Docs;

/// <summary>
/// The code blocks of docs/deferred.md's "An async main" section, compiled (with warnings as errors: the fire-and-forget
/// block builds without CS4014) and run.
/// </summary>
[Collection(DocExamplesCollection.Name)]
public class AsyncMainExamples
{
    private static int AsyncMainProgram()
    {
        // <snippet react>
        return ReactorFactory.React(async reactor =>
        {
            Console.WriteLine("waiting a tenth of a second on the reactor's clock");
            await reactor.DeferLater(TimeSpan.FromSeconds(0.1));
            int answer = await reactor.DeferToThread(() => 6 * 7); // on the worker pool; back on the reactor thread after
            Console.WriteLine($"the answer is {answer}");
        });
        // </snippet>
    }

    private static int FailingMainProgram()
    {
        // <snippet react-failing>
        return ReactorFactory.React(async reactor =>
        {
            await reactor.DeferLater(TimeSpan.FromSeconds(0.1));
            throw new InvalidOperationException("something went wrong");
        });
        // </snippet>
    }

    // <snippet fire-and-forget>
    static async Task HeartbeatAsync(IReactor reactor, IUdpTransport port)
    {
        var heartbeat = new LoopingCall(reactor, () => Console.WriteLine("tick"));
        _ = heartbeat.Start(TimeSpan.FromSeconds(0.2)); // fires when the loop stops: not wanted here
        await reactor.DeferLater(TimeSpan.FromSeconds(0.5));
        heartbeat.Stop();
        _ = port.StopListening();                      // closes on a later iteration; nobody needs to wait for it
    }
    // </snippet>

    [Fact]
    public void React_runs_the_async_main_and_returns_0()
    {
        using var console = new ConsoleCapture();
        AsyncMainProgram().Should().Be(0);
        console.Lines.Should().Equal("waiting a tenth of a second on the reactor's clock", "the answer is 42");
    }

    [Fact]
    public void An_exception_escaping_the_main_is_printed_to_stderr_with_no_logger_configured_and_gives_1()
    {
        using var console = new ConsoleCapture();
        FailingMainProgram().Should().Be(1);
        console.Lines.Should().Contain(l => l.EndsWith("[Reactor] critical 13 MainFailed: main function encountered error", StringComparison.Ordinal));
        console.Lines.Should().Contain("\tSystem.InvalidOperationException: something went wrong");
    }

    [Fact]
    public void DeferLater_on_a_Clock_fires_when_the_test_advances_time()
    {
        // <snippet defer-later-clock>
        var clock = new Clock();
        var greeting = clock.DeferLater(TimeSpan.FromSeconds(5), () => "hello");
        clock.Advance(TimeSpan.FromSeconds(5)); // greeting has fired with "hello"
        // </snippet>
        DeferredAssertions.SuccessResultOf(greeting).Should().Be("hello");
    }

    [Fact]
    public void The_fire_and_forget_heartbeat_ticks_and_stops()
    {
        using var console = new ConsoleCapture();
        using var reactor = TestBackends.Create(ReactorBackend.Portable);
        var port = reactor.ListenUdp(0, new DatagramProtocol(), "127.0.0.1");
        reactor.CallWhenRunning(() => HeartbeatAsync(reactor, port).ContinueWith(_ => reactor.CallFromThread(reactor.Stop), TaskScheduler.Default));
        reactor.RunWithTimeout();
        console.Lines.Should().HaveCountGreaterThanOrEqualTo(3).And.OnlyContain(l => l == "tick");
    }

    // <snippet from-another-thread>
    // Called on a thread that is not the reactor's: the work starts on the reactor thread, and the caller awaits a task,
    // which any thread may await.
    static async Task<int> AnswerFromAnotherThreadAsync(IReactor reactor)
    {
        var done = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        reactor.CallFromThread(() => reactor.DeferLater(TimeSpan.FromSeconds(0.1), () => 42)
            .AddCallbacks(result => { done.SetResult(result); return result; },
                          failure => { done.SetException(failure.Exception); return 0; }));
        return await done.Task;
    }
    // </snippet>

    [Fact]
    public void Another_thread_reaches_a_reactor_owned_Deferred_through_CallFromThread()
    {
        using var reactor = TestBackends.Create(ReactorBackend.Portable);
        var thread = reactor.RunOnNewThread();
        DeferredAssertions.BoundedResult(Task.Run(() => AnswerFromAnotherThreadAsync(reactor))).Should().Be(42);
        reactor.Stop();
        thread.Join(TimeSpan.FromSeconds(10)).Should().BeTrue();
    }
}
