using System.Net;
using System.Net.Sockets;
using Reactor.Testing;
using Reactor.Tests.Deferreds;

namespace Reactor.Tests.Resolve;

/// <summary>The test double on its own: a table, held lookups, a record of what was asked.</summary>
public class FakeResolverTests
{
    private static readonly IPAddress V4 = IPAddress.Parse("192.0.2.1");
    private static readonly IPAddress V6 = IPAddress.Parse("2001:db8::1");

    [Fact]
    public void It_records_every_lookup_with_its_family()
    {
        var resolver = new FakeResolver();

        resolver.ResolveHostAddresses("a.test", AddressFamily.InterNetwork);
        resolver.ResolveHostAddresses("b.test", AddressFamily.Unspecified);

        resolver.Lookups.Should().Equal(
            new ResolverLookup("a.test", AddressFamily.InterNetwork),
            new ResolverLookup("b.test", AddressFamily.Unspecified));
    }

    [Fact]
    public void An_unknown_name_is_not_found_at_once()
    {
        var resolver = new FakeResolver();

        DeferredAssertions.SuccessResultOf(resolver.ResolveHostAddresses("nowhere.test", AddressFamily.Unspecified)).Should().BeEmpty();
    }

    [Fact]
    public void Addresses_are_filtered_by_the_family_asked_for_like_getaddrinfo()
    {
        var resolver = new FakeResolver();
        resolver.Add("dual.test", V6, V4);

        DeferredAssertions.SuccessResultOf(resolver.ResolveHostAddresses("DUAL.test", AddressFamily.Unspecified)).Should().Equal(V6, V4);
        DeferredAssertions.SuccessResultOf(resolver.ResolveHostAddresses("dual.test", AddressFamily.InterNetwork)).Should().Equal(V4);
        DeferredAssertions.SuccessResultOf(resolver.ResolveHostAddresses("dual.test", AddressFamily.InterNetworkV6)).Should().Equal(V6);
    }

    [Fact]
    public void A_name_given_to_Fail_fails_with_that_exception()
    {
        var resolver = new FakeResolver();
        var error = new SocketException((int)SocketError.HostNotFound);
        resolver.Fail("broken.test", error);

        DeferredAssertions.FailureResultOf(resolver.ResolveHostAddresses("broken.test", AddressFamily.Unspecified)).Exception.Should().BeSameAs(error);
    }

    [Fact]
    public void Held_lookups_wait_for_Complete()
    {
        var resolver = new FakeResolver { HoldLookups = true };
        resolver.Add("a.test", V4);

        var fromTable = resolver.ResolveHostAddresses("a.test", AddressFamily.Unspecified);
        var given = resolver.ResolveHostAddresses("b.test", AddressFamily.InterNetworkV6);
        DeferredAssertions.AssertNoResult(fromTable);
        DeferredAssertions.AssertNoResult(given);
        resolver.PendingLookups.Should().Be(2);

        resolver.Complete("a.test");
        DeferredAssertions.SuccessResultOf(fromTable).Should().Equal(V4);
        resolver.PendingLookups.Should().Be(1);

        resolver.Complete("b.test", V4, V6);
        DeferredAssertions.SuccessResultOf(given).Should().Equal(V6);
        resolver.PendingLookups.Should().Be(0);
    }

    [Fact]
    public void Complete_without_a_held_lookup_throws()
    {
        var resolver = new FakeResolver { HoldLookups = true };

        FluentActions.Invoking(() => resolver.Complete("a.test")).Should().Throw<InvalidOperationException>();
    }
}
