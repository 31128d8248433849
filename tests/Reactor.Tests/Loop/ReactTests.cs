using Reactor.Tests.Support;

namespace Reactor.Tests.Loop;

/// <summary>ReactorFactory.React (Twisted's task.react): main on the reactor thread, its outcome as the exit code, its failure logged.</summary>
public class ReactTests
{
    private static ReactorOptions Options(ReactorBackend backend, TestLoggerFactory logs) =>
        new() { Backend = backend, LoggerFactory = logs };

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void React_runs_main_on_the_reactor_thread_stops_when_it_completes_and_returns_0(ReactorBackend backend)
    {
        var logs = new TestLoggerFactory();
        var threads = new List<bool>();
        var code = ReactorFactory.React(
            async reactor =>
            {
                threads.Add(reactor.IsInReactorThread && reactor.Running);
                await reactor.DeferLater(TimeSpan.FromMilliseconds(10));
                threads.Add(reactor.IsInReactorThread);
            },
            Options(backend, logs));

        code.Should().Be(0);
        threads.Should().Equal(true, true);
        logs.WithEventId(13).Should().BeEmpty();
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void The_result_of_main_is_the_exit_code(ReactorBackend backend)
    {
        var code = ReactorFactory.React(
            async reactor =>
            {
                await reactor.DeferLater(TimeSpan.Zero);
                return 7;
            },
            Options(backend, new TestLoggerFactory()));
        code.Should().Be(7);
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void An_exception_escaping_main_after_an_await_is_logged_with_event_13_and_gives_exit_code_1(ReactorBackend backend)
    {
        var logs = new TestLoggerFactory();
        var code = ReactorFactory.React(
            async reactor =>
            {
                await reactor.DeferLater(TimeSpan.FromMilliseconds(1));
                throw new InvalidOperationException("main went wrong");
            },
            Options(backend, logs));

        code.Should().Be(1);
        var record = logs.WithEventId(13).Should().ContainSingle().Subject;
        record.Message.Should().Be("main function encountered error");
        record.Level.Should().Be(Microsoft.Extensions.Logging.LogLevel.Critical);
        record.Exception.Should().BeOfType<InvalidOperationException>().Which.Message.Should().Be("main went wrong");
    }

    [Fact]
    public void A_main_that_throws_before_returning_a_task_or_returns_null_is_reported_the_same_way()
    {
        var logs = new TestLoggerFactory();
        ReactorFactory.React((Func<IReactor, Task>)(_ => throw new FormatException("synchronous")), Options(ReactorBackend.Portable, logs)).Should().Be(1);
        ReactorFactory.React((Func<IReactor, Task>)(_ => null!), Options(ReactorBackend.Portable, logs)).Should().Be(1);
        logs.WithEventId(13).Select(r => r.Exception!.GetType()).Should().Equal(typeof(FormatException), typeof(InvalidOperationException));
    }

    [Fact]
    public void A_main_that_stops_the_reactor_itself_ends_the_run_with_exit_code_0_and_no_error()
    {
        var logs = new TestLoggerFactory();
        var code = ReactorFactory.React(
            reactor =>
            {
                reactor.Stop();
                return Task.CompletedTask;
            },
            Options(ReactorBackend.Portable, logs));
        code.Should().Be(0);
        logs.Records.Where(r => r.Level >= Microsoft.Extensions.Logging.LogLevel.Warning).Should().BeEmpty();
    }

    [Fact]
    public void A_reactor_stopped_while_main_still_waits_ends_the_run_with_exit_code_0_as_in_Twisted()
    {
        var code = ReactorFactory.React(
            async reactor =>
            {
                reactor.CallLater(TimeSpan.FromMilliseconds(10), reactor.Stop);
                await new Deferred<object?>();
            },
            Options(ReactorBackend.Portable, new TestLoggerFactory()));
        code.Should().Be(0);
    }
}
