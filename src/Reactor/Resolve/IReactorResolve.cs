using System.Net;

namespace Reactor;

/// <summary>
/// From host names to addresses: Twisted's <c>reactor.resolve</c> and <c>installResolver</c>. This is the one way to turn
/// a name into an <see cref="IPAddress"/>; calls that expect an address take IP literals only.
/// </summary>
/// <remarks>
/// <para>
/// Every method is reactor-thread-only and throws <see cref="InvalidOperationException"/> from another thread. A lookup
/// runs in the installed <see cref="IHostResolver"/> (by default the operating system's resolver on the reactor's worker
/// pool), and its Deferred fires on the reactor thread.
/// </para>
/// <para>
/// <b>Timeouts.</b> <c>timeouts</c> is Twisted's retry sequence, and its sum bounds the lookup, which Twisted does not
/// do: it ignores the argument (decision D9 in docs/decisions.md). <c>null</c> means Twisted's default, 1, 3, 11 and
/// 45 seconds (60 seconds in all); an empty sequence also means 60 seconds, as in Twisted's <c>ThreadedResolver</c>.
/// When the time is up the Deferred fails with a <see cref="DnsLookupException"/> whose inner exception is a
/// <see cref="TimeoutException"/>, and a result arriving later is discarded.
/// </para>
/// <para>
/// <b>Cancelling.</b> <see cref="Deferred.Cancel"/> on a pending lookup's Deferred fails it at once with
/// <see cref="CancelledException"/>; the result arriving later is discarded silently. Lookups still pending when the
/// reactor shuts down are cancelled the same way (during the "during shutdown" phase), and a lookup started after
/// shutdown fails at once with <see cref="CancelledException"/>.
/// </para>
/// </remarks>
public interface IReactorResolve
{
    /// <summary>
    /// Resolves <paramref name="name"/> to one address.
    /// </summary>
    /// <param name="name">
    /// A host name, an IP literal or the empty string. The empty string gives <c>0.0.0.0</c> (<c>::</c> when
    /// <paramref name="preference"/> puts IPv6 first or accepts IPv6 only). An IPv4 literal (a dotted quad: four decimal
    /// numbers and exactly three dots) or an IPv6 literal (anything containing <c>:</c> that
    /// <see cref="IPAddress.TryParse(string, out IPAddress)"/> accepts) gives that address. In these cases the returned
    /// Deferred has already fired, and the resolver is not asked. Anything else (including <c>127.1</c> or <c>1.2.3</c>,
    /// which the operating system's resolver expands) is looked up by the installed resolver.
    /// </param>
    /// <param name="timeouts">Twisted's timeout sequence; their sum bounds the lookup. <c>null</c>: 1, 3, 11 and 45 seconds.</param>
    /// <param name="preference">Which address to pick when there are several; see <see cref="AddressPreference"/>.</param>
    /// <returns>
    /// A Deferred that fires on the reactor thread with the address, or fails with <see cref="DnsLookupException"/>
    /// (<c>DNS lookup failed: &lt;name&gt;.</c>) when the name is not found, has no address <paramref name="preference"/>
    /// accepts, the resolver fails or the time is up; or with <see cref="CancelledException"/> when cancelled. A literal
    /// of a family <paramref name="preference"/> excludes fails at once with <see cref="DnsLookupException"/>.
    /// </returns>
    /// <exception cref="ArgumentNullException"><paramref name="name"/> is <c>null</c>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A timeout is negative, or <paramref name="preference"/> is not defined.</exception>
    /// <exception cref="InvalidOperationException">Called from a thread other than the reactor thread.</exception>
    Deferred<IPAddress> Resolve(string name, IReadOnlyList<TimeSpan>? timeouts = null, AddressPreference preference = AddressPreference.IPv4First);

    /// <summary>
    /// Resolves <paramref name="name"/> to every address it has, IPv4 and IPv6, in the resolver's order.
    /// </summary>
    /// <param name="name">As for <see cref="Resolve"/>: the empty string gives <c>[0.0.0.0]</c>, an IP literal a list of itself.</param>
    /// <param name="timeouts">As for <see cref="Resolve"/>.</param>
    /// <returns>
    /// A Deferred that fires on the reactor thread with a non-empty list, or fails as <see cref="Resolve"/>'s does.
    /// </returns>
    /// <exception cref="ArgumentNullException"><paramref name="name"/> is <c>null</c>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A timeout is negative.</exception>
    /// <exception cref="InvalidOperationException">Called from a thread other than the reactor thread.</exception>
    Deferred<IReadOnlyList<IPAddress>> ResolveAll(string name, IReadOnlyList<TimeSpan>? timeouts = null);

    /// <summary>
    /// Replaces the resolver that later lookups use (Twisted's <c>installResolver</c>). Lookups already started finish with
    /// the resolver they started with.
    /// </summary>
    /// <param name="resolver">The new resolver, for example a <see cref="Testing.FakeResolver"/>.</param>
    /// <returns>The resolver it replaces (the operating system's resolver, the first time).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="resolver"/> is <c>null</c>.</exception>
    /// <exception cref="InvalidOperationException">Called from a thread other than the reactor thread.</exception>
    IHostResolver InstallResolver(IHostResolver resolver);
}
