using System.Net;
using System.Net.Sockets;

namespace Reactor;

/// <summary>
/// Turns a host name into addresses for <see cref="IReactorResolve"/>: the reactor's replaceable resolver (Twisted's
/// <c>IResolverSimple</c>/<c>IHostnameResolver</c>). Install one with <see cref="IReactorResolve.InstallResolver"/>.
/// The default asks the operating system (<c>getaddrinfo</c>, through <see cref="Dns.GetHostAddresses(string, AddressFamily)"/>)
/// on the reactor's worker pool; <see cref="Testing.FakeResolver"/> answers from a table, for tests.
/// </summary>
/// <remarks>
/// Rules for an implementation:
/// <list type="bullet">
/// <item>The reactor calls <see cref="ResolveHostAddresses"/> on the reactor thread, and the returned Deferred must fire on
/// the reactor thread too (use <see cref="IReactorThreads.DeferToThread{T}"/> or <see cref="IReactorThreads.CallFromThread"/>
/// for blocking work). It may fire before the method returns.</item>
/// <item>An empty list means "not found". A failure may carry any exception; the reactor wraps it in a
/// <see cref="DnsLookupException"/> whose inner exception it is. Throwing from the method counts as a failure.</item>
/// <item>The reactor never cancels the returned Deferred. When the caller cancels the lookup or its timeout passes, the
/// reactor stops waiting and discards whatever the Deferred fires with later, so a lookup that cannot be interrupted
/// (like <c>getaddrinfo</c>) may simply run to completion.</item>
/// <item>Host names arrive as the caller wrote them; a non-ASCII name is the resolver's to encode (IDNA), as
/// <see cref="Dns"/> does.</item>
/// </list>
/// </remarks>
public interface IHostResolver
{
    /// <summary>Looks up the addresses of <paramref name="name"/>.</summary>
    /// <param name="name">A host name (never empty and never an IP literal when called by the reactor).</param>
    /// <param name="family">
    /// <see cref="AddressFamily.InterNetwork"/> for IPv4 addresses only, <see cref="AddressFamily.InterNetworkV6"/> for IPv6
    /// only, <see cref="AddressFamily.Unspecified"/> for every address.
    /// </param>
    /// <returns>A Deferred that fires, on the reactor thread, with the addresses in the resolver's order (empty: not found).</returns>
    Deferred<IReadOnlyList<IPAddress>> ResolveHostAddresses(string name, AddressFamily family);
}
