using System.Runtime.CompilerServices;
using Reactor.Testing;

namespace Reactor.Tests.Docs;

/// <summary>The code blocks of docs/deferred.md, compiled and run: each test checks what the guide says the block does.</summary>
[Collection(DocExamplesCollection.Name)]
public class DeferredGuideExamples
{
    [Fact]
    public void The_producer_fires_a_Deferred_once()
    {
        // <snippet producer>
        var lookup = new Deferred<string>();
        // ... later, when the answer is known:
        lookup.Callback("192.0.2.7");                  // success
        // or: lookup.Errback(new IOException("no route")); // failure
        // </snippet>
        string? result = null;
        lookup.AddCallback(address =>
        {
            result = address;
        });
        result.Should().Be("192.0.2.7");
        lookup.Invoking(d => d.Errback(new IOException("no route"))).Should().Throw<AlreadyCalledException>("a Deferred fires once");

        var failed = new Deferred<string>();
        failed.Errback(new IOException("no route"));
        Exception? error = null;
        failed.AddErrback(failure =>
        {
            error = failure.Exception;
            return "";
        });
        error.Should().BeOfType<IOException>().Which.Message.Should().Be("no route");
    }

    [Fact]
    public void The_consumer_callback_runs_when_the_result_arrives_and_at_once_when_added_late()
    {
        using var output = new ConsoleCapture();
        // <snippet consumer>
        var lookup = new Deferred<string>();
        lookup.AddCallback(address => Console.WriteLine($"resolved to {address}"));
        lookup.Callback("192.0.2.7"); // prints "resolved to 192.0.2.7"
        // </snippet>
        output.Lines.Should().Equal("resolved to 192.0.2.7");

        lookup.AddCallback(address => Console.WriteLine($"late: {address}"));
        output.Lines.Should().Equal("resolved to 192.0.2.7", "late: 192.0.2.7");
        lookup.Invoking(d => d.Callback("192.0.2.8")).Should().Throw<AlreadyCalledException>();
    }

    [Fact]
    public void A_throwing_callback_switches_to_the_errbacks_and_an_errback_recovers()
    {
        using var output = new ConsoleCapture();
        // <snippet callbacks-and-errbacks>
        var d = new Deferred<int>();
        d.AddCallback(x => x + 1)                         // 41 -> 42
         .AddCallback(x => x > 40 ? throw new InvalidOperationException("too big") : x)
         .AddCallback(x => Console.WriteLine("skipped")) // not run: the chain is failing
         .AddErrback(failure =>
         {
             // Handle only the errors you know; Trap rethrows anything else (original stack kept).
             failure.Trap<InvalidOperationException>();
             return 0;                                    // recover with a value
         })
         .AddCallback(x => Console.WriteLine($"result {x}")); // prints "result 0"
        d.Callback(41);
        // </snippet>
        output.Lines.Should().Equal("result 0");
    }

    [Fact]
    public void A_callback_that_returns_a_Deferred_pauses_the_chain_until_it_fires()
    {
        using var output = new ConsoleCapture();
        // <snippet chaining>
        static Deferred<string> Resolve(string name)
        {
            return Deferred.Succeed("192.0.2.7"); // stands in for a real lookup
        }

        var request = Deferred.Succeed("example.org");
        request.AddCallback(name => Resolve(name))          // waits for the lookup
               .AddCallback(address => Console.WriteLine(address));
        // </snippet>
        output.Lines.Should().Equal("192.0.2.7");

        // And with a lookup that is still pending, the chain waits for it.
        var pending = new Deferred<string>();
        var paused = Deferred.Succeed("example.org");
        paused.AddCallback(_ => pending).AddCallback(address => Console.WriteLine($"later {address}"));
        output.Lines.Should().HaveCount(1);
        pending.Callback("192.0.2.8");
        output.Lines.Should().Equal("192.0.2.7", "later 192.0.2.8");
    }

    [Fact]
    public void Then_maps_the_result_to_a_new_Deferred_of_another_type()
    {
        using var output = new ConsoleCapture();
        // <snippet then>
        var port = new Deferred<int>();
        Deferred<string> label = port.Then(p => $"udp/{p}");
        Deferred<string> banner = port.Then(p => Deferred.Succeed($"listening on {p}"));
        port.Callback(9999);
        label.AddCallback(text => Console.WriteLine(text)); // "udp/9999"
        // </snippet>
        output.Lines.Should().Equal("udp/9999");
        string? bannerText = null;
        banner.AddCallback(text =>
        {
            bannerText = text;
        });
        bannerText.Should().Be("listening on 9999");
    }

    [Fact]
    public void Cancel_runs_the_canceller_then_fails_with_CancelledException()
    {
        using var output = new ConsoleCapture();
        // <snippet cancellation>
        var work = new CancellationTokenSource();
        var d = new Deferred<int>(canceller: self => work.Cancel());
        d.AddErrback(f =>
        {
            f.Trap<CancelledException>();
            Console.WriteLine("cancelled");
            return -1;
        });
        d.Cancel(); // runs the canceller, then prints "cancelled"
        // </snippet>
        work.IsCancellationRequested.Should().BeTrue();
        output.Lines.Should().Equal("cancelled");
        int? result = null;
        d.AddCallback(value =>
        {
            result = value;
        });
        result.Should().Be(-1);
        work.Dispose();
    }

    // <snippet timeout>
    static Deferred<string> FetchWithTimeout(IReactorTime reactor, Deferred<string> fetch)
    {
        return fetch.AddTimeout(TimeSpan.FromSeconds(5), reactor)
                    .AddErrback(f =>
                    {
                        f.Trap<TimeoutException>();
                        return "no answer";
                    });
    }
    // </snippet>

    [Fact]
    public void AddTimeout_turns_a_late_result_into_a_TimeoutException()
    {
        var clock = new Clock();
        var fetch = new Deferred<string>();
        string? answer = null;
        FetchWithTimeout(clock, fetch).AddCallback(text =>
        {
            answer = text;
        });

        clock.Advance(TimeSpan.FromSeconds(4.9));
        answer.Should().BeNull();
        clock.Advance(TimeSpan.FromSeconds(0.1));
        answer.Should().Be("no answer");
        fetch.Invoking(f => f.Callback("too late")).Should().NotThrow("the first late Callback after a cancel is ignored");
        answer.Should().Be("no answer");
    }

    [Fact]
    public void AddTimeout_is_cancelled_when_the_Deferred_fires_first()
    {
        var clock = new Clock();
        var fetch = new Deferred<string>();
        string? answer = null;
        FetchWithTimeout(clock, fetch).AddCallback(text =>
        {
            answer = text;
        });
        clock.GetDelayedCalls().Should().ContainSingle();

        fetch.Callback("192.0.2.7");

        answer.Should().Be("192.0.2.7");
        clock.GetDelayedCalls().Should().BeEmpty();
    }

    [Fact]
    public void DeferredList_fires_with_one_outcome_per_input_in_input_order()
    {
        using var output = new ConsoleCapture();
        // <snippet deferred-list>
        var a = new Deferred<int>();
        var b = new Deferred<int>();
        var both = new DeferredList<int>([a, b], consumeErrors: true);
        both.AddCallback(outcomes =>
        {
            foreach (DeferredOutcome<int> outcome in outcomes)
            {
                Console.WriteLine(outcome.Succeeded ? $"ok {outcome.Result}" : $"failed {outcome.Failure!.Exception.Message}");
            }
        });
        a.Callback(1);
        b.Errback(new IOException("lost"));
        // </snippet>
        output.Lines.Should().Equal("ok 1", "failed lost");
    }

    [Fact]
    public void GatherResults_and_Race_cover_the_common_cases()
    {
        // <snippet gather-and-race>
        var lookups = new[] { Deferred.Succeed("192.0.2.1"), Deferred.Succeed("192.0.2.2") };

        // All results, in order; fails with FirstErrorException on the first failure.
        Deferred<IReadOnlyList<string>> all = Deferred.GatherResults(lookups);

        // The first success wins and the others are cancelled; fails with AggregateException if all fail.
        Deferred<(int Index, string Result)> fastest = Deferred.Race(lookups);
        // </snippet>
        IReadOnlyList<string>? allResults = null;
        all.AddCallback(results =>
        {
            allResults = results;
        });
        allResults.Should().Equal("192.0.2.1", "192.0.2.2");
        (int Index, string Result)? winner = null;
        fastest.AddCallback(result =>
        {
            winner = result;
        });
        winner.Should().Be((0, "192.0.2.1"));
    }

    // <snippet await>
    static async Task<int> PortPlusOneAsync(Deferred<int> port)
    {
        int value = await port;
        return value + 1;
    }
    // </snippet>

    [Fact]
    public async Task Await_returns_the_result_or_throws_the_failure()
    {
        (await PortPlusOneAsync(Deferred.Succeed(41))).Should().Be(42);

        var port = new Deferred<int>();
        var later = PortPlusOneAsync(port);
        later.IsCompleted.Should().BeFalse();
        port.Callback(9998);
        (await later).Should().Be(9999);

        await FluentActions.Awaiting(() => PortPlusOneAsync(Deferred.Fail<int>(new IOException("no port"))))
            .Should().ThrowAsync<IOException>().WithMessage("no port");

        var cancelled = new Deferred<int>();
        var waiting = PortPlusOneAsync(cancelled);
        cancelled.Cancel();
        await FluentActions.Awaiting(() => waiting).Should().ThrowAsync<CancelledException>();
    }

    // <snippet tasks>
    static async Task UseTasksAsync(Deferred<string> lookup, string directory, CancellationToken token)
    {
        // Deferred -> Task: the token cancels the Deferred; a cancelled Deferred gives a cancelled task.
        string address = await lookup.AsTask(token);

        // Task -> Deferred.
        Deferred<string> text = Deferred.FromTask(File.ReadAllTextAsync(Path.Combine(directory, "config.json"), token));
        Deferred<object?> done = Deferred.FromTask(Task.Delay(10, token));

        // Async method -> Deferred whose Cancel() cancels the method's token.
        Deferred<byte[]> bytes = Deferred.FromAsync(ct => File.ReadAllBytesAsync(Path.Combine(directory, "data.bin"), ct));

        // Deferreds made from tasks are awaited (or given callbacks) like any other.
        await done;
        Console.WriteLine($"{address}: {(await text).Length} characters of configuration, {(await bytes).Length} bytes of data");
    }
    // </snippet>

    [Fact]
    public async Task Deferreds_and_tasks_convert_both_ways()
    {
        var directory = Directory.CreateTempSubdirectory("reactor-docs-").FullName;
        try
        {
            await File.WriteAllTextAsync(Path.Combine(directory, "config.json"), "{}");
            await File.WriteAllBytesAsync(Path.Combine(directory, "data.bin"), [1, 2, 3]);
            using var output = new ConsoleCapture();

            await UseTasksAsync(Deferred.Succeed("192.0.2.7"), directory, CancellationToken.None);

            output.Lines.Should().Equal("192.0.2.7: 2 characters of configuration, 3 bytes of data");
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task The_token_given_to_AsTask_cancels_the_Deferred_and_the_task()
    {
        using var cancellation = new CancellationTokenSource();
        var lookup = new Deferred<string>();
        var use = UseTasksAsync(lookup, "unused", cancellation.Token);

        await cancellation.CancelAsync();

        await FluentActions.Awaiting(() => use).Should().ThrowAsync<OperationCanceledException>();
        lookup.Called.Should().BeTrue("the token cancelled the Deferred");
    }

    [Fact]
    public void An_unhandled_failure_is_reported_when_its_Deferred_is_collected()
    {
        var marker = "lost-" + Guid.NewGuid();
        using var output = new ConsoleCapture();
        // <snippet unhandled-failure>
        static void ReportLostError(object? sender, UnhandledFailureEventArgs e) =>
            Console.Error.WriteLine($"lost error: {e.Failure}");

        Deferred.UnhandledFailure += ReportLostError;
        // </snippet>
        try
        {
            FailAndDrop(marker);
            for (int i = 0; i < 3 && !output.Lines.Any(line => line.Contains(marker, StringComparison.Ordinal)); i++)
            {
                GC.Collect();
                GC.WaitForPendingFinalizers();
            }
        }
        finally
        {
            Deferred.UnhandledFailure -= ReportLostError;
        }

        output.Lines.Should().Contain(line => line.StartsWith("lost error: ", StringComparison.Ordinal) && line.Contains(marker, StringComparison.Ordinal));
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void FailAndDrop(string message)
    {
        _ = Deferred.Fail<int>(new IOException(message));
    }
}
