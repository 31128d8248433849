namespace Reactor;

/// <summary>
/// Which address <see cref="IReactorResolve.Resolve"/> picks when a host name has several, and which address families it
/// accepts.
/// </summary>
/// <remarks>
/// Twisted's <c>reactor.resolve</c> only ever asks for IPv4 addresses, so a host with only IPv6 addresses fails there.
/// The default, <see cref="IPv4First"/>, gives the same answer as Twisted for every host that has an IPv4 address and
/// differs only for a host that has none: it then returns that host's first IPv6 address instead of failing
/// (decision D9 in docs/decisions.md).
/// </remarks>
public enum AddressPreference
{
    /// <summary>The first IPv4 address, or the first IPv6 address when the host has no IPv4 address. The default.</summary>
    IPv4First,

    /// <summary>The first IPv6 address, or the first IPv4 address when the host has no IPv6 address.</summary>
    IPv6First,

    /// <summary>The first IPv4 address; a host with none fails with <see cref="DnsLookupException"/> (Twisted's behaviour).</summary>
    IPv4Only,

    /// <summary>The first IPv6 address; a host with none fails with <see cref="DnsLookupException"/>.</summary>
    IPv6Only,
}
