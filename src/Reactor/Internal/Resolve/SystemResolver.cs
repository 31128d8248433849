using System.Net;
using System.Net.Sockets;

namespace Reactor.Internal.Resolve;

/// <summary>
/// The default <see cref="IHostResolver"/>: the operating system's resolver (<c>getaddrinfo</c> on Unix, through
/// <see cref="Dns.GetHostAddresses(string, AddressFamily)"/>) run on the reactor's worker pool, as Twisted's
/// <c>GAIResolver</c> does. .NET encodes non-ASCII names (IDNA). Not found is a <see cref="SocketException"/> failure,
/// which the reactor wraps in a <see cref="DnsLookupException"/>.
/// </summary>
internal sealed class SystemResolver(IReactorThreads reactor) : IHostResolver
{
    public Deferred<IReadOnlyList<IPAddress>> ResolveHostAddresses(string name, AddressFamily family) =>
        reactor.DeferToThread<IReadOnlyList<IPAddress>>(() => Dns.GetHostAddresses(name, family));

    public override string ToString() => "SystemResolver (getaddrinfo on the reactor's worker pool)";
}
