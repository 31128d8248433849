using System.Net;
using System.Net.Sockets;
using Reactor.Testing;
using Reactor.Tests.Support;

namespace Reactor.Tests.Docs;

// <snippet hosts-table-resolver>
/// <summary>Answers from a fixed table and passes other names on to <see cref="Fallback"/>.</summary>
sealed class HostsTableResolver(IReadOnlyDictionary<string, IPAddress> hosts) : IHostResolver
{
    public IHostResolver? Fallback { get; set; }

    public Deferred<IReadOnlyList<IPAddress>> ResolveHostAddresses(string name, AddressFamily family)
    {
        if (hosts.TryGetValue(name, out var address) && (family == AddressFamily.Unspecified || address.AddressFamily == family))
        {
            return Deferred.Succeed<IReadOnlyList<IPAddress>>([address]); // already fired: allowed
        }

        return Fallback?.ResolveHostAddresses(name, family) ?? Deferred.Succeed<IReadOnlyList<IPAddress>>([]);
    }
}
// </snippet>

/// <summary>
/// The code blocks of docs/resolve.md, compiled and run. Only <c>localhost</c> is ever looked up for real; every other
/// name is answered by a <see cref="FakeResolver"/>.
/// </summary>
[Collection(DocExamplesCollection.Name)]
public class ResolveGuideExamples
{
    private static readonly IPAddress Printer = IPAddress.Parse("198.51.100.20");

    [Fact]
    public void The_first_example_resolves_localhost_and_stops()
    {
        using var output = new ConsoleCapture();
        static void Example()
        {
            // <snippet localhost>
            using var reactor = ReactorFactory.Create();
            reactor.CallWhenRunning(() =>
            {
                reactor.Resolve("localhost")
                    .AddCallback(address => Console.WriteLine($"localhost is {address}")) // 127.0.0.1
                    .AddErrback(failure =>
                    {
                        Console.WriteLine(failure.Exception.Message); // "DNS lookup failed: localhost."
                        return IPAddress.None;
                    })
                    .AddBoth(reactor.Stop);
            });
            reactor.Run();
            // </snippet>
        }

        // The example runs its own reactor; a thread bounds it.
        var thread = new Thread(Example) { IsBackground = true, Name = "resolve.md example" };
        thread.Start();
        thread.Join(ReactorRunner.DefaultTimeout).Should().BeTrue("the example stops its reactor once localhost is resolved");

        output.Lines.Should().Equal("localhost is 127.0.0.1");
    }

    [Fact]
    public void ResolveAll_gives_every_address_in_the_resolvers_order()
    {
        using var reactor = ReactorFactory.Create();
        var resolver = new FakeResolver();
        resolver.Add("localhost", IPAddress.Loopback, IPAddress.IPv6Loopback);
        reactor.InstallResolver(resolver);
        using var output = new ConsoleCapture();

        // <snippet resolve-all>
        reactor.ResolveAll("localhost").AddCallback(addresses =>
        {
            foreach (var address in addresses)
            {
                Console.WriteLine(address);
            }
        });
        // </snippet>

        output.Lines.Should().Equal("127.0.0.1", "::1");
    }

    private static async Task PrintPrinterAddressAsync(IReactor reactor)
    {
        // <snippet failures>
        try
        {
            var address = await reactor.Resolve("printer.lan");
            Console.WriteLine(address);
        }
        catch (DnsLookupException e) when (e.InnerException is TimeoutException)
        {
            Console.WriteLine($"{e.Name} took too long");
        }
        catch (DnsLookupException e)
        {
            Console.WriteLine(e.Message); // DNS lookup failed: printer.lan.
        }
        // </snippet>
    }

    [Theory]
    [InlineData("found", "198.51.100.20")]
    [InlineData("not found", "DNS lookup failed: printer.lan.")]
    [InlineData("resolver fails", "DNS lookup failed: printer.lan.")]
    [InlineData("no answer in 60 seconds", "printer.lan took too long")]
    public void Every_failure_to_resolve_is_a_DnsLookupException(string answer, string printed)
    {
        var time = new ManualTimeProvider();
        using var reactor = ReactorFactory.Create(new ReactorOptions { TimeProvider = time });
        var resolver = new FakeResolver { HoldLookups = answer == "no answer in 60 seconds" };
        if (answer == "found")
        {
            resolver.Add("printer.lan", Printer);
        }
        else if (answer == "resolver fails")
        {
            resolver.Fail("printer.lan", new SocketException((int)SocketError.HostNotFound));
        }

        reactor.InstallResolver(resolver);
        using var output = new ConsoleCapture();
        Task? example = null;
        reactor.CallWhenRunning(() =>
        {
            example = PrintPrinterAddressAsync(reactor);
            _ = example.ContinueWith(_ => reactor.CallFromThread(reactor.Stop), TaskScheduler.Default);
            time.Advance(TimeSpan.FromSeconds(60)); // the default bound: 1 + 3 + 11 + 45 seconds
        });

        RunWithRealTimeDeadline(reactor);

        example!.IsCompletedSuccessfully.Should().BeTrue();
        output.Lines.Should().Equal(printed);
    }

    [Fact]
    public void The_sum_of_the_timeouts_bounds_the_lookup()
    {
        var time = new ManualTimeProvider();
        using var reactor = ReactorFactory.Create(new ReactorOptions { TimeProvider = time });
        var resolver = new FakeResolver { HoldLookups = true };
        reactor.InstallResolver(resolver);
        double startedAt = 0;
        double? failedAt = null;
        bool? failedEarly = null;
        Exception? error = null;
        reactor.CallWhenRunning(() =>
        {
            startedAt = reactor.Seconds();
            // <snippet timeouts>
            // Give up after two seconds.
            var lookup = reactor.Resolve("printer.lan", [TimeSpan.FromSeconds(0.5), TimeSpan.FromSeconds(1.5)]);
            // </snippet>
            lookup.AddErrback(failure =>
            {
                error = failure.Exception;
                failedAt = reactor.Seconds();
                reactor.Stop();
                return IPAddress.None;
            });
            time.Advance(TimeSpan.FromSeconds(1.9));
            reactor.CallLater(TimeSpan.Zero, () =>
            {
                failedEarly = failedAt is not null;
                time.Advance(TimeSpan.FromSeconds(0.1));
            });
        });

        RunWithRealTimeDeadline(reactor);

        failedEarly.Should().BeFalse("0.5 s, the first timeout, is not the bound");
        error.Should().BeOfType<DnsLookupException>().Which.InnerException.Should().BeOfType<TimeoutException>();
        (failedAt - startedAt).Should().BeApproximately(2, 1e-6);
    }

    [Fact]
    public void Cancel_fails_a_pending_lookup_at_once_and_its_late_answer_is_discarded()
    {
        using var reactor = ReactorFactory.Create();
        var resolver = new FakeResolver { HoldLookups = true };
        resolver.Add("printer.lan", Printer);
        reactor.InstallResolver(resolver);
        using var output = new ConsoleCapture();

        // <snippet cancelling>
        var lookup = reactor.Resolve("printer.lan");
        lookup.AddErrback(failure =>
        {
            Console.WriteLine(failure.Exception is CancelledException); // True
            return IPAddress.None;
        });
        lookup.Cancel();
        // </snippet>

        output.Lines.Should().Equal("True");
        resolver.Complete("printer.lan");
        output.Lines.Should().Equal("True");
        reactor.GetDelayedCalls().Should().BeEmpty("cancelling stops the lookup's timer");
    }

    [Fact]
    public void An_installed_resolver_answers_and_falls_back_to_the_one_it_replaced()
    {
        using var reactor = ReactorFactory.Create();
        HostsTableResolver? installed = null;
        IPAddress? printer = null;
        IPAddress? localhost = null;
        reactor.CallWhenRunning(() =>
        {
            // <snippet install-resolver>
            var resolver = new HostsTableResolver(new Dictionary<string, IPAddress> { ["printer.lan"] = IPAddress.Parse("198.51.100.20") });
            resolver.Fallback = reactor.InstallResolver(resolver); // the operating system's resolver answers the rest
            // </snippet>
            installed = resolver;
            var fromTable = reactor.Resolve("printer.lan");
            fromTable.Called.Should().BeTrue("the table answers at once");
            fromTable.AddCallback(address =>
            {
                printer = address;
            });
            reactor.Resolve("localhost").AddCallbacks(
                address =>
                {
                    localhost = address;
                    reactor.Stop();
                    return address;
                },
                failure =>
                {
                    reactor.Stop();
                    return IPAddress.None;
                });
        });

        reactor.RunWithTimeout();

        printer.Should().Be(Printer);
        localhost.Should().Be(IPAddress.Loopback, "the operating system's resolver answers for localhost");
        installed!.Fallback.Should().NotBeNull().And.NotBeOfType<HostsTableResolver>();
    }

    [Fact]
    public void FakeResolver_answers_from_its_table_and_holds_lookups_when_asked()
    {
        using var reactor = ReactorFactory.Create();
        using var output = new ConsoleCapture();

        // <snippet fake-resolver>
        var resolver = new FakeResolver();
        resolver.Add("dual.test", IPAddress.Parse("2001:db8::1"), IPAddress.Parse("192.0.2.1"));
        resolver.Fail("broken.test", new SocketException((int)SocketError.HostNotFound));
        reactor.InstallResolver(resolver);

        reactor.Resolve("dual.test").AddCallback(a => Console.WriteLine(a));     // 192.0.2.1, at once (IPv4 first)
        reactor.Resolve("dual.test", preference: AddressPreference.IPv6Only)
            .AddCallback(a => Console.WriteLine(a));                             // 2001:db8::1
        // resolver.Lookups: (dual.test, Unspecified), (dual.test, InterNetworkV6)

        resolver.HoldLookups = true;
        var slow = reactor.Resolve("dual.test", [TimeSpan.FromSeconds(5)]);
        // ... slow has not fired; resolver.PendingLookups == 1
        resolver.Complete("dual.test");                                          // now it fires with 192.0.2.1
        // </snippet>

        output.Lines.Should().Equal("192.0.2.1", "2001:db8::1");
        resolver.Lookups.Should().Equal(
            new ResolverLookup("dual.test", AddressFamily.Unspecified),
            new ResolverLookup("dual.test", AddressFamily.InterNetworkV6),
            new ResolverLookup("dual.test", AddressFamily.Unspecified));
        resolver.PendingLookups.Should().Be(0);
        IPAddress? slowAddress = null;
        slow.AddCallback(address =>
        {
            slowAddress = address;
        });
        slowAddress.Should().Be(IPAddress.Parse("192.0.2.1"));

        resolver.HoldLookups = false;
        Exception? broken = null;
        reactor.Resolve("broken.test").AddErrback(failure =>
        {
            broken = failure.Exception;
            return IPAddress.None;
        });
        broken.Should().BeOfType<DnsLookupException>().Which.InnerException.Should().BeOfType<SocketException>();
    }

    /// <summary>Runs the reactor until stopped, bounded in real time (its own clock is a <see cref="ManualTimeProvider"/>).</summary>
    private static void RunWithRealTimeDeadline(IReactor reactor)
    {
        var timedOut = false;
        using (new Timer(
            _ =>
            {
                try
                {
                    reactor.CallFromThread(() =>
                    {
                        timedOut = true;
                        reactor.Stop();
                    });
                }
                catch (Exception)
                {
                    // The reactor has already gone.
                }
            },
            null,
            ReactorRunner.DefaultTimeout,
            Timeout.InfiniteTimeSpan))
        {
            reactor.Run();
        }

        timedOut.Should().BeFalse("the reactor should have been stopped before the test's deadline");
    }

    /// <summary>A <see cref="TimeProvider"/> whose timestamp moves only when told, so a 60-second timeout takes no time.</summary>
    private sealed class ManualTimeProvider : TimeProvider
    {
        private long _timestamp = 1_000_000;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => Interlocked.Read(ref _timestamp);

        public void Advance(TimeSpan by) => Interlocked.Add(ref _timestamp, by.Ticks);
    }
}
