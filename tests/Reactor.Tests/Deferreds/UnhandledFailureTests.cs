using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Reactor.Internal;
using Reactor.Tests.Support;

namespace Reactor.Tests.Deferreds;

/// <summary>Twisted's LogTests: a failure nobody handled is reported when its Deferred is collected, and only then.</summary>
public class UnhandledFailureTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(5);

    [Fact]
    public void Unhandled_failure_is_reported_when_the_deferred_is_collected()
    {
        string marker = NewMarker();

        List<Failure> reported = CollectReports(marker, () => Deferred.Fail<int>(new IOException(marker)));

        reported.Should().ContainSingle().Which.Exception.Should().BeOfType<IOException>();
    }

    [Fact]
    public void Unhandled_failure_is_logged_through_the_reactor_logger_of_the_thread_that_ended_the_chain()
    {
        string marker = NewMarker();
        using var logs = new TestLoggerFactory();
        ILogger? previous = AmbientReactor.Logger;
        AmbientReactor.Logger = logs.CreateLogger("Reactor");
        try
        {
            CollectReports(marker, () => Deferred.Fail<int>(new IOException(marker)));
        }
        finally
        {
            AmbientReactor.Logger = previous;
        }

        LogRecord entry = logs.Records.Should().ContainSingle().Subject;
        entry.Level.Should().Be(LogLevel.Critical);
        entry.EventId.Id.Should().Be(100);
        entry.EventId.Name.Should().Be("UnhandledErrorInDeferred");
        entry.Message.Should().Be("Unhandled error in Deferred:");
        entry.Exception!.Message.Should().Be(marker);
    }

    [Fact]
    public void Failure_handled_by_an_errback_is_not_reported()
    {
        string marker = NewMarker();

        CollectReports(marker, () => Deferred.Fail<int>(new IOException(marker)).AddErrback(_ => 0)).Should().BeEmpty();
    }

    [Fact]
    public void Failure_handled_by_an_errback_added_later_is_not_reported()
    {
        string marker = NewMarker();

        CollectReports(marker, () =>
        {
            var d = new Deferred<int>();
            d.Errback(new IOException(marker));
            d.AddErrback(_ => 0);
            return d;
        }).Should().BeEmpty();
    }

    [Fact]
    public void Failure_passed_to_an_outer_deferred_by_implicit_chaining_is_reported_once_by_the_outer()
    {
        string marker = NewMarker();

        CollectReports(marker, () =>
        {
            var inner = Deferred.Fail<int>(new IOException(marker));
            var outer = new Deferred<int>();
            outer.AddCallback(_ => inner);
            outer.Callback(0);
            return outer;
        }).Should().ContainSingle();
    }

    [Fact]
    public void Failure_passed_by_implicit_chaining_and_handled_by_the_outer_is_not_reported()
    {
        string marker = NewMarker();

        CollectReports(marker, () =>
        {
            var inner = new Deferred<int>();
            var outer = new Deferred<int>();
            outer.AddCallback(_ => inner).AddErrback(_ => 1);
            outer.Callback(0);
            inner.Errback(new IOException(marker));
            return inner;
        }).Should().BeEmpty();
    }

    [Fact]
    public void Failure_passed_on_by_ChainDeferred_is_reported_only_by_the_other_deferred()
    {
        string marker = NewMarker();

        CollectReports(marker, () =>
        {
            var first = new Deferred<int>();
            var second = new Deferred<int>();
            first.ChainDeferred(second);
            first.Errback(new IOException(marker));
            return second;
        }).Should().ContainSingle();
    }

    [Fact]
    public void Failure_passed_on_by_Then_is_reported_only_once()
    {
        string marker = NewMarker();

        CollectReports(marker, () =>
        {
            var d = new Deferred<int>();
            _ = d.Then(x => x.ToString(System.Globalization.CultureInfo.InvariantCulture));
            d.Errback(new IOException(marker));
            return d;
        }).Should().ContainSingle();
    }

    [Fact]
    public void Failure_observed_by_await_is_not_reported()
    {
        string marker = NewMarker();
        Task? awaiting = null;

        List<Failure> reported = CollectReports(marker, () =>
        {
            using var scope = new SynchronizationContextScope(null);
            var d = new Deferred<int>();
            awaiting = AwaitAsync(d);
            d.Errback(new IOException(marker));
            return d;
        });

        reported.Should().BeEmpty();
        ((IAsyncResult)awaiting!).AsyncWaitHandle.WaitOne(Bound).Should().BeTrue();
        awaiting!.Exception!.InnerException!.Message.Should().Be(marker);
    }

    [Fact]
    public void Failure_of_an_already_failed_deferred_observed_by_await_is_not_reported()
    {
        string marker = NewMarker();

        CollectReports(marker, () =>
        {
            var d = Deferred.Fail<int>(new IOException(marker));
            _ = AwaitAsync(d);
            return d;
        }).Should().BeEmpty();
    }

    [Fact]
    public void Failure_observed_by_AsTask_is_not_reported()
    {
        string marker = NewMarker();

        CollectReports(marker, () =>
        {
            var d = Deferred.Fail<int>(new IOException(marker));
            _ = d.AsTask();
            return d;
        }).Should().BeEmpty();
    }

    [Fact]
    public void Succeeded_deferred_is_never_reported()
    {
        string marker = NewMarker();

        CollectReports(marker, () => Deferred.Succeed(marker)).Should().BeEmpty();
    }

    private static async Task<int> AwaitAsync(Deferred<int> d) => await d;

    private static string NewMarker() => "unhandled-test-" + Guid.NewGuid();

    /// <summary>Runs <paramref name="create"/>, drops everything it made, forces a collection and returns the reports carrying <paramref name="marker"/>.</summary>
    private static List<Failure> CollectReports(string marker, Func<Deferred> create)
    {
        var reported = new List<Failure>();
        void OnUnhandled(object? sender, UnhandledFailureEventArgs e)
        {
            if (e.Failure.Exception.Message == marker)
            {
                lock (reported)
                {
                    reported.Add(e.Failure);
                }
            }
        }

        Deferred.UnhandledFailure += OnUnhandled;
        try
        {
            CreateAndDrop(create);
            for (int i = 0; i < 3; i++)
            {
                GC.Collect();
                GC.WaitForPendingFinalizers();
            }
        }
        finally
        {
            Deferred.UnhandledFailure -= OnUnhandled;
        }

        lock (reported)
        {
            return reported.ToList();
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void CreateAndDrop(Func<Deferred> create) => create();
}
