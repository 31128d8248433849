using System.Net;
using System.Net.Sockets;
using Reactor.Internal.Resolve;

namespace Reactor.Internal;

/// <summary>
/// The resolve half of the reactor (Twisted's <c>reactor.resolve</c>, <c>installResolver</c>): IP literals answered at
/// once, names handed to the installed <see cref="IHostResolver"/>, bounded by the sum of the timeouts, cancellable, and
/// cancelled at shutdown (decision D9).
/// </summary>
internal abstract partial class ReactorBase
{
    /// <summary>The sum of Twisted's default timeouts, 1 + 3 + 11 + 45 seconds.</summary>
    private static readonly TimeSpan DefaultLookupLimit = TimeSpan.FromSeconds(60);

    private readonly HashSet<Deferred> _pendingLookups = new(ReferenceEqualityComparer.Instance);
    private IHostResolver? _resolver;
    private bool _lookupsClosed;

    private IHostResolver Resolver => _resolver ??= new SystemResolver(this);

    public Deferred<IPAddress> Resolve(string name, IReadOnlyList<TimeSpan>? timeouts = null, AddressPreference preference = AddressPreference.IPv4First)
    {
        ArgumentNullException.ThrowIfNull(name);
        VerifyAccess();
        var limit = LookupLimit(timeouts);
        var family = preference switch
        {
            AddressPreference.IPv4First or AddressPreference.IPv6First => AddressFamily.Unspecified,
            AddressPreference.IPv4Only => AddressFamily.InterNetwork,
            AddressPreference.IPv6Only => AddressFamily.InterNetworkV6,
            _ => throw new ArgumentOutOfRangeException(nameof(preference), preference, "Not a defined AddressPreference."),
        };

        if (name.Length == 0)
        {
            // Twisted answers "" with 0.0.0.0 ("XXX - This is *less than* '::'"); a caller preferring IPv6 gets '::'.
            var any = preference is AddressPreference.IPv6First or AddressPreference.IPv6Only ? IPAddress.IPv6Any : IPAddress.Any;
            return Deferred.Succeed(any);
        }

        if (IPLiteral.TryParse(name, out var literal))
        {
            return PickAddress([literal], preference) is { } address
                ? Deferred.Succeed(address)
                : Deferred.Fail<IPAddress>(new DnsLookupException(name));
        }

        return StartLookup(name, family, limit, addresses => PickAddress(addresses, preference));
    }

    public Deferred<IReadOnlyList<IPAddress>> ResolveAll(string name, IReadOnlyList<TimeSpan>? timeouts = null)
    {
        ArgumentNullException.ThrowIfNull(name);
        VerifyAccess();
        var limit = LookupLimit(timeouts);
        if (name.Length == 0)
        {
            return Deferred.Succeed<IReadOnlyList<IPAddress>>([IPAddress.Any]);
        }

        if (IPLiteral.TryParse(name, out var literal))
        {
            return Deferred.Succeed<IReadOnlyList<IPAddress>>([literal]);
        }

        // Copied: the resolver's list is its own.
        return StartLookup<IReadOnlyList<IPAddress>>(name, AddressFamily.Unspecified, limit, addresses => addresses.Count == 0 ? null : [.. addresses]);
    }

    public IHostResolver InstallResolver(IHostResolver resolver)
    {
        ArgumentNullException.ThrowIfNull(resolver);
        VerifyAccess();
        var previous = Resolver;
        _resolver = resolver;
        return previous;
    }

    /// <summary>Remembers a lookup in flight, so shutdown can cancel it.</summary>
    internal void TrackLookup(Deferred lookup) => _pendingLookups.Add(lookup);

    /// <summary>Forgets a lookup that has finished.</summary>
    internal void UntrackLookup(Deferred lookup) => _pendingLookups.Remove(lookup);

    /// <summary>"During shutdown" trigger: no lookup is left hanging, and none starts afterwards.</summary>
    private void CancelPendingLookups()
    {
        _lookupsClosed = true;
        foreach (var lookup in _pendingLookups.ToArray())
        {
            lookup.Cancel();
        }
    }

    private Deferred<T> StartLookup<T>(string name, AddressFamily family, TimeSpan limit, Func<IReadOnlyList<IPAddress>, T?> select)
        where T : class
    {
        var lookup = new HostLookup<T>(this, name, select);
        if (_lookupsClosed)
        {
            lookup.Result.Cancel(); // the reactor has shut down: nothing would ever deliver the answer
        }
        else
        {
            lookup.Start(Resolver, family, limit);
        }

        return lookup.Result;
    }

    internal static TimeSpan LookupLimit(IReadOnlyList<TimeSpan>? timeouts)
    {
        if (timeouts is null || timeouts.Count == 0)
        {
            return DefaultLookupLimit; // empty: 60 s, as Twisted's ThreadedResolver
        }

        var total = TimeSpan.Zero;
        foreach (var timeout in timeouts)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(timeout, TimeSpan.Zero, nameof(timeouts));
            total += timeout;
        }

        return total;
    }

    internal static IPAddress? PickAddress(IReadOnlyList<IPAddress> addresses, AddressPreference preference) => preference switch
    {
        AddressPreference.IPv4First => First(addresses, AddressFamily.InterNetwork) ?? First(addresses, AddressFamily.InterNetworkV6),
        AddressPreference.IPv6First => First(addresses, AddressFamily.InterNetworkV6) ?? First(addresses, AddressFamily.InterNetwork),
        AddressPreference.IPv4Only => First(addresses, AddressFamily.InterNetwork),
        _ => First(addresses, AddressFamily.InterNetworkV6),
    };

    private static IPAddress? First(IReadOnlyList<IPAddress> addresses, AddressFamily family)
    {
        foreach (var address in addresses)
        {
            if (address.AddressFamily == family)
            {
                return address;
            }
        }

        return null;
    }
}
