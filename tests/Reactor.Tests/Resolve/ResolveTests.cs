using System.Net;
using System.Net.Sockets;
using Reactor.Internal;
using Reactor.Testing;
using Reactor.Tests.Support;
using Reactor.Internal.Resolve;

namespace Reactor.Tests.Resolve;

/// <summary>
/// Resolve and ResolveAll through an installed resolver (Twisted's test_resolver <c>test_simplifier</c>,
/// <c>test_resolveOnlyIPv4/IPv6/Both</c>, <c>ThreadedResolverTests.test_failure</c>), address preferences (decision D9),
/// InstallResolver and the thread rule.
/// </summary>
public class ResolveTests
{
    private static readonly IPAddress V4a = IPAddress.Parse("192.0.2.1");
    private static readonly IPAddress V4b = IPAddress.Parse("192.0.2.2");
    private static readonly IPAddress V6a = IPAddress.Parse("2001:db8::1");
    private static readonly IPAddress V6b = IPAddress.Parse("2001:db8::2");

    /// <summary>backend, preference, host, expected address (null: DnsLookupException).</summary>
    public static TheoryData<ReactorBackend, AddressPreference, string, string?> Preferences
    {
        get
        {
            var data = new TheoryData<ReactorBackend, AddressPreference, string, string?>();
            foreach (var row in TestBackends.All)
            {
                var backend = row;
                data.Add(backend, AddressPreference.IPv4First, "dual.test", "192.0.2.1");
                data.Add(backend, AddressPreference.IPv6First, "dual.test", "2001:db8::1");
                data.Add(backend, AddressPreference.IPv4Only, "dual.test", "192.0.2.1");
                data.Add(backend, AddressPreference.IPv6Only, "dual.test", "2001:db8::1");

                // Where IPv4First differs from Twisted: an IPv6-only host resolves instead of failing.
                data.Add(backend, AddressPreference.IPv4First, "v6only.test", "2001:db8::1");
                data.Add(backend, AddressPreference.IPv6First, "v6only.test", "2001:db8::1");
                data.Add(backend, AddressPreference.IPv4Only, "v6only.test", null);
                data.Add(backend, AddressPreference.IPv6Only, "v6only.test", "2001:db8::1");

                data.Add(backend, AddressPreference.IPv4First, "v4only.test", "192.0.2.1");
                data.Add(backend, AddressPreference.IPv6First, "v4only.test", "192.0.2.1");
                data.Add(backend, AddressPreference.IPv4Only, "v4only.test", "192.0.2.1");
                data.Add(backend, AddressPreference.IPv6Only, "v4only.test", null);
            }

            return data;
        }
    }

    public static TheoryData<ReactorBackend, AddressPreference, AddressFamily> FamiliesAsked
    {
        get
        {
            var data = new TheoryData<ReactorBackend, AddressPreference, AddressFamily>();
            foreach (var row in TestBackends.All)
            {
                var backend = row;
                data.Add(backend, AddressPreference.IPv4First, AddressFamily.Unspecified);
                data.Add(backend, AddressPreference.IPv6First, AddressFamily.Unspecified);
                data.Add(backend, AddressPreference.IPv4Only, AddressFamily.InterNetwork);
                data.Add(backend, AddressPreference.IPv6Only, AddressFamily.InterNetworkV6);
            }

            return data;
        }
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void Resolve_gives_the_first_address_the_resolver_returns(ReactorBackend backend)
    {
        using var reactor = TestBackends.Create(backend);
        var resolver = new FakeResolver();
        resolver.Add("example.test", V4b, V4a);
        reactor.InstallResolver(resolver);

        var outcome = Outcome<IPAddress>.Of(reactor.Resolve("example.test"), reactor);

        outcome.Fired.Should().Be(1);
        outcome.Value.Should().Be(V4b);
    }

    [Theory]
    [MemberData(nameof(Preferences))]
    public void The_preference_picks_the_address(ReactorBackend backend, AddressPreference preference, string host, string? expected)
    {
        using var reactor = TestBackends.Create(backend);
        var resolver = new FakeResolver();
        resolver.Add("dual.test", V6a, V4a, V6b, V4b);
        resolver.Add("v6only.test", V6a, V6b);
        resolver.Add("v4only.test", V4a, V4b);
        reactor.InstallResolver(resolver);

        var outcome = Outcome<IPAddress>.Of(reactor.Resolve(host, preference: preference), reactor);

        outcome.Fired.Should().Be(1);
        if (expected is null)
        {
            outcome.Error.Should().BeOfType<DnsLookupException>().Which.Message.Should().Be($"DNS lookup failed: {host}.");
        }
        else
        {
            outcome.Error.Should().BeNull();
            outcome.Value.Should().Be(IPAddress.Parse(expected));
        }
    }

    [Theory]
    [MemberData(nameof(FamiliesAsked))]
    public void The_preference_decides_the_family_asked_of_the_resolver(ReactorBackend backend, AddressPreference preference, AddressFamily family)
    {
        using var reactor = TestBackends.Create(backend);
        var resolver = new FakeResolver();
        reactor.InstallResolver(resolver);

        Outcome<IPAddress>.Of(reactor.Resolve("example.test", preference: preference), reactor);
        Outcome<IReadOnlyList<IPAddress>>.Of(reactor.ResolveAll("example.test"), reactor);

        resolver.Lookups.Should().Equal(
            new ResolverLookup("example.test", family),
            new ResolverLookup("example.test", AddressFamily.Unspecified));
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void ResolveAll_gives_every_address_in_the_resolvers_order(ReactorBackend backend)
    {
        using var reactor = TestBackends.Create(backend);
        var resolver = new FakeResolver();
        resolver.Add("dual.test", V6a, V4a, V6b, V4b);
        reactor.InstallResolver(resolver);

        var outcome = Outcome<IReadOnlyList<IPAddress>>.Of(reactor.ResolveAll("dual.test"), reactor);

        outcome.Value.Should().Equal(V6a, V4a, V6b, V4b);
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void A_name_not_found_fails_with_DnsLookupException_and_Twisteds_message(ReactorBackend backend)
    {
        using var reactor = TestBackends.Create(backend);
        reactor.InstallResolver(new FakeResolver());

        var one = Outcome<IPAddress>.Of(reactor.Resolve("nowhere.test"), reactor);
        var all = Outcome<IReadOnlyList<IPAddress>>.Of(reactor.ResolveAll("nowhere.test"), reactor);

        foreach (var error in new[] { one.Error, all.Error })
        {
            var lookupError = error.Should().BeOfType<DnsLookupException>().Subject;
            lookupError.Message.Should().Be("DNS lookup failed: nowhere.test.");
            lookupError.Name.Should().Be("nowhere.test");
            lookupError.InnerException.Should().BeNull();
            lookupError.Should().BeAssignableTo<IOException>("Twisted's DNSLookupError is an IOError");
        }
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void A_resolver_failure_becomes_DnsLookupException_with_the_cause_inside(ReactorBackend backend)
    {
        using var reactor = TestBackends.Create(backend);
        var resolver = new FakeResolver();
        var cause = new SocketException((int)SocketError.TryAgain);
        resolver.Fail("flaky.test", cause);
        reactor.InstallResolver(resolver);

        var outcome = Outcome<IPAddress>.Of(reactor.Resolve("flaky.test"), reactor);

        var error = outcome.Error.Should().BeOfType<DnsLookupException>().Subject;
        error.Message.Should().Be("DNS lookup failed: flaky.test.");
        error.InnerException.Should().BeSameAs(cause);
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void A_resolver_that_throws_fails_the_lookup_with_the_exception_inside(ReactorBackend backend)
    {
        using var reactor = TestBackends.Create(backend);
        var cause = new InvalidOperationException("resolver bug");
        reactor.InstallResolver(new ThrowingResolver(cause));

        var outcome = Outcome<IPAddress>.Of(reactor.Resolve("example.test"), reactor);

        outcome.Fired.Should().Be(1);
        outcome.Error.Should().BeOfType<DnsLookupException>().Which.InnerException.Should().BeSameAs(cause);
        reactor.GetDelayedCalls().Should().BeEmpty("a lookup that has finished leaves no timeout behind");
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void InstallResolver_returns_the_resolver_it_replaces(ReactorBackend backend)
    {
        using var reactor = TestBackends.Create(backend);
        var first = new FakeResolver();
        var second = new FakeResolver();
        first.Add("example.test", V4a);
        second.Add("example.test", V4b);

        reactor.InstallResolver(first).Should().BeOfType<SystemResolver>("the operating system's resolver is the default");
        Outcome<IPAddress>.Of(reactor.Resolve("example.test"), reactor).Value.Should().Be(V4a);
        reactor.InstallResolver(second).Should().BeSameAs(first);
        Outcome<IPAddress>.Of(reactor.Resolve("example.test"), reactor).Value.Should().Be(V4b);
        first.Lookups.Should().ContainSingle();
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void Resolve_ResolveAll_and_InstallResolver_are_reactor_thread_only(ReactorBackend backend)
    {
        using var reactor = TestBackends.Create(backend);
        reactor.InstallResolver(new FakeResolver()); // never the network, even if the thread rule failed
        var errors = new List<Exception?>();
        var thread = new Thread(() =>
        {
            errors.Add(Record.Exception(() => reactor.Resolve("example.test")));
            errors.Add(Record.Exception(() => reactor.Resolve(string.Empty)));
            errors.Add(Record.Exception(() => reactor.Resolve("127.0.0.1")));
            errors.Add(Record.Exception(() => reactor.ResolveAll("example.test")));
            errors.Add(Record.Exception(() => reactor.InstallResolver(new FakeResolver())));
        });
        thread.Start();
        thread.Join(ReactorRunner.DefaultTimeout).Should().BeTrue();

        errors.Should().HaveCount(5).And.AllSatisfy(e => e.Should().BeOfType<InvalidOperationException>());
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void Bad_arguments_are_rejected(ReactorBackend backend)
    {
        using var reactor = TestBackends.Create(backend);
        reactor.InstallResolver(new FakeResolver()); // never the network, even if validation failed

        FluentActions.Invoking(() => reactor.Resolve(null!)).Should().Throw<ArgumentNullException>();
        FluentActions.Invoking(() => reactor.ResolveAll(null!)).Should().Throw<ArgumentNullException>();
        FluentActions.Invoking(() => reactor.InstallResolver(null!)).Should().Throw<ArgumentNullException>();
        FluentActions.Invoking(() => reactor.Resolve("example.test", [TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(-1)]))
            .Should().Throw<ArgumentOutOfRangeException>();
        FluentActions.Invoking(() => reactor.Resolve("example.test", preference: (AddressPreference)42))
            .Should().Throw<ArgumentOutOfRangeException>();
    }

    private sealed class ThrowingResolver(Exception error) : IHostResolver
    {
        public Deferred<IReadOnlyList<IPAddress>> ResolveHostAddresses(string name, AddressFamily family) => throw error;
    }
}
