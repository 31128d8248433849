using System.Net;
using Reactor.Testing;
using Reactor.Tests.Support;

namespace Reactor.Tests.Resolve;

/// <summary>
/// Twisted's <c>resolve</c> shortcuts: the empty name and IP literals give an already-fired Deferred without asking the
/// resolver; anything else, even what looks like a short-hand address, is a name for the resolver.
/// </summary>
public class ResolveLiteralTests
{
    public static TheoryData<ReactorBackend, string> Literals => Cross(
        "192.0.2.1", "0.0.0.0", "255.255.255.255", "127.0.0.1", "::1", "::", "2001:db8::1", "::ffff:192.0.2.1", "fe80::1%1");

    public static TheoryData<ReactorBackend, string> NamesThatLookLikeAddresses => Cross(
        "127.1", "1.2.3", "0x7f.0.0.1", "010.0.0.1", "1.2.3.4.5", "256.0.0.1", "1.2.3.", "[::1]", "[::1]:53", "2001:db8::g");

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void The_empty_name_resolves_to_0_0_0_0_synchronously(ReactorBackend backend)
    {
        using var reactor = TestBackends.Create(backend);
        var resolver = new FakeResolver();
        reactor.InstallResolver(resolver);

        var outcome = Outcome<IPAddress>.Of(reactor.Resolve(string.Empty), reactor);

        outcome.Fired.Should().Be(1, "the empty name is answered before Resolve returns");
        outcome.Value.Should().Be(IPAddress.Any);
        resolver.Lookups.Should().BeEmpty();
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void The_empty_name_resolves_to_the_IPv6_wildcard_when_IPv6_is_preferred(ReactorBackend backend)
    {
        using var reactor = TestBackends.Create(backend);

        Outcome<IPAddress>.Of(reactor.Resolve(string.Empty, preference: AddressPreference.IPv6Only), reactor).Value.Should().Be(IPAddress.IPv6Any);
        Outcome<IReadOnlyList<IPAddress>>.Of(reactor.ResolveAll(string.Empty), reactor).Value.Should().Equal(IPAddress.Any);
    }

    [Theory]
    [MemberData(nameof(Literals))]
    public void An_IP_literal_resolves_to_itself_synchronously_without_asking_the_resolver(ReactorBackend backend, string literal)
    {
        using var reactor = TestBackends.Create(backend);
        var resolver = new FakeResolver();
        reactor.InstallResolver(resolver);

        var one = Outcome<IPAddress>.Of(reactor.Resolve(literal), reactor);
        var all = Outcome<IReadOnlyList<IPAddress>>.Of(reactor.ResolveAll(literal), reactor);

        one.Fired.Should().Be(1);
        one.Value.Should().Be(IPAddress.Parse(literal));
        all.Fired.Should().Be(1);
        all.Value.Should().Equal(IPAddress.Parse(literal));
        resolver.Lookups.Should().BeEmpty();
    }

    [Theory]
    [MemberData(nameof(NamesThatLookLikeAddresses))]
    public void Anything_but_a_strict_literal_is_a_name_for_the_resolver(ReactorBackend backend, string name)
    {
        using var reactor = TestBackends.Create(backend);
        var resolver = new FakeResolver();
        resolver.Add(name, IPAddress.Parse("192.0.2.99"));
        reactor.InstallResolver(resolver);

        var outcome = Outcome<IPAddress>.Of(reactor.Resolve(name), reactor);

        resolver.Lookups.Should().ContainSingle().Which.Name.Should().Be(name);
        outcome.Value.Should().Be(IPAddress.Parse("192.0.2.99"));
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void A_literal_of_an_excluded_family_fails_at_once(ReactorBackend backend)
    {
        using var reactor = TestBackends.Create(backend);

        var v6AsV4 = Outcome<IPAddress>.Of(reactor.Resolve("::1", preference: AddressPreference.IPv4Only), reactor);
        var v4AsV6 = Outcome<IPAddress>.Of(reactor.Resolve("127.0.0.1", preference: AddressPreference.IPv6Only), reactor);
        var v6First = Outcome<IPAddress>.Of(reactor.Resolve("127.0.0.1", preference: AddressPreference.IPv6First), reactor);

        v6AsV4.Error.Should().BeOfType<DnsLookupException>().Which.Message.Should().Be("DNS lookup failed: ::1.");
        v4AsV6.Error.Should().BeOfType<DnsLookupException>().Which.Message.Should().Be("DNS lookup failed: 127.0.0.1.");
        v6First.Value.Should().Be(IPAddress.Loopback);
    }

    private static TheoryData<ReactorBackend, string> Cross(params string[] names)
    {
        var data = new TheoryData<ReactorBackend, string>();
        foreach (var backend in TestBackends.All)
        {
            foreach (var name in names)
            {
                data.Add(backend, name);
            }
        }

        return data;
    }
}
