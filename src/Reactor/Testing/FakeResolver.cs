using System.Net;
using System.Net.Sockets;

namespace Reactor.Testing;

/// <summary>
/// An <see cref="IHostResolver"/> for tests that answers from a table and never touches the network. Install it with
/// <see cref="IReactorResolve.InstallResolver"/>.
/// </summary>
/// <remarks>
/// <para>
/// A name added with <see cref="Add"/> resolves to its addresses, filtered by the family asked for (as <c>getaddrinfo</c>
/// does); a name given to <see cref="Fail"/> fails with that exception; any other name is not found (an empty list).
/// Names match case-insensitively, like DNS names.
/// </para>
/// <para>
/// Answers are given synchronously, on the calling thread, unless <see cref="HoldLookups"/> is set: lookups then stay
/// pending until the test calls <see cref="Complete(string)"/> or <see cref="Complete(string, IPAddress[])"/>, which lets
/// a test exercise slow lookups, timeouts and cancellation. Every lookup is recorded in <see cref="Lookups"/>.
/// </para>
/// <para>Like the reactor, it is not thread-safe: use it from the reactor thread.</para>
/// </remarks>
/// <example>
/// <code>
/// var resolver = new FakeResolver();
/// resolver.Add("example.test", IPAddress.Parse("192.0.2.7"), IPAddress.Parse("2001:db8::7"));
/// reactor.InstallResolver(resolver);
/// reactor.Resolve("example.test").AddCallback(address => Console.WriteLine(address)); // 192.0.2.7, at once
/// </code>
/// </example>
public sealed class FakeResolver : IHostResolver
{
    private readonly Dictionary<string, IPAddress[]> _addresses = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, Exception> _failures = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<ResolverLookup> _lookups = [];
    private readonly List<(ResolverLookup Lookup, Deferred<IReadOnlyList<IPAddress>> Answer)> _pending = [];

    /// <summary>
    /// When <c>true</c>, lookups are not answered until <see cref="Complete(string)"/> or
    /// <see cref="Complete(string, IPAddress[])"/> is called. Default <c>false</c>: answered at once.
    /// </summary>
    public bool HoldLookups { get; set; }

    /// <summary>How many held lookups are waiting for <see cref="Complete(string)"/>.</summary>
    public int PendingLookups => _pending.Count;

    /// <summary>Every lookup asked for, in order (including held and already completed ones).</summary>
    public IReadOnlyList<ResolverLookup> Lookups => _lookups;

    /// <summary>Makes <paramref name="name"/> resolve to <paramref name="addresses"/> (in this order), replacing any earlier entry or failure.</summary>
    /// <param name="name">The host name.</param>
    /// <param name="addresses">Its addresses, IPv4 and IPv6 mixed as the test likes.</param>
    /// <exception cref="ArgumentNullException">An argument is <c>null</c>.</exception>
    public void Add(string name, params IPAddress[] addresses)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(addresses);
        _failures.Remove(name);
        _addresses[name] = [.. addresses];
    }

    /// <summary>Makes lookups of <paramref name="name"/> fail with <paramref name="error"/>, replacing any earlier entry.</summary>
    /// <param name="name">The host name.</param>
    /// <param name="error">The failure the resolver reports (the reactor wraps it in a <see cref="DnsLookupException"/>).</param>
    /// <exception cref="ArgumentNullException">An argument is <c>null</c>.</exception>
    public void Fail(string name, Exception error)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(error);
        _addresses.Remove(name);
        _failures[name] = error;
    }

    /// <inheritdoc/>
    public Deferred<IReadOnlyList<IPAddress>> ResolveHostAddresses(string name, AddressFamily family)
    {
        ArgumentNullException.ThrowIfNull(name);
        var lookup = new ResolverLookup(name, family);
        _lookups.Add(lookup);
        var answer = new Deferred<IReadOnlyList<IPAddress>>();
        if (HoldLookups)
        {
            _pending.Add((lookup, answer));
        }
        else
        {
            AnswerFromTable(lookup, answer);
        }

        return answer;
    }

    /// <summary>Answers every held lookup of <paramref name="name"/> from the table (addresses, failure or not found).</summary>
    /// <param name="name">The host name.</param>
    /// <exception cref="InvalidOperationException">No lookup of <paramref name="name"/> is held.</exception>
    public void Complete(string name)
    {
        foreach (var (lookup, answer) in TakePending(name))
        {
            AnswerFromTable(lookup, answer);
        }
    }

    /// <summary>Answers every held lookup of <paramref name="name"/> with <paramref name="addresses"/> (filtered by the family asked for).</summary>
    /// <param name="name">The host name.</param>
    /// <param name="addresses">The answer; none means not found.</param>
    /// <exception cref="InvalidOperationException">No lookup of <paramref name="name"/> is held.</exception>
    public void Complete(string name, params IPAddress[] addresses)
    {
        ArgumentNullException.ThrowIfNull(addresses);
        foreach (var (lookup, answer) in TakePending(name))
        {
            answer.Callback(OfFamily(addresses, lookup.Family));
        }
    }

    private List<(ResolverLookup Lookup, Deferred<IReadOnlyList<IPAddress>> Answer)> TakePending(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var taken = _pending.FindAll(p => string.Equals(p.Lookup.Name, name, StringComparison.OrdinalIgnoreCase));
        if (taken.Count == 0)
        {
            throw new InvalidOperationException($"No lookup of {name} is pending.");
        }

        _pending.RemoveAll(p => string.Equals(p.Lookup.Name, name, StringComparison.OrdinalIgnoreCase));
        return taken;
    }

    private void AnswerFromTable(ResolverLookup lookup, Deferred<IReadOnlyList<IPAddress>> answer)
    {
        if (_failures.TryGetValue(lookup.Name, out var error))
        {
            answer.Errback(error);
        }
        else
        {
            answer.Callback(OfFamily(_addresses.GetValueOrDefault(lookup.Name) ?? [], lookup.Family));
        }
    }

    private static IPAddress[] OfFamily(IPAddress[] addresses, AddressFamily family) =>
        family == AddressFamily.Unspecified ? [.. addresses] : Array.FindAll(addresses, a => a.AddressFamily == family);
}
