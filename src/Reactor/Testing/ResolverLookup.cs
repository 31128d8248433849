using System.Net.Sockets;

namespace Reactor.Testing;

/// <summary>One lookup a <see cref="FakeResolver"/> was asked for.</summary>
/// <param name="Name">The host name, as the reactor passed it.</param>
/// <param name="Family">The address family asked for (<see cref="AddressFamily.Unspecified"/>: every address).</param>
public readonly record struct ResolverLookup(string Name, AddressFamily Family);
