namespace Reactor.Testing;

/// <summary>A multicast group a <see cref="FakeDatagramTransport"/> has joined.</summary>
/// <param name="Group">The group, as given to <see cref="IMulticastTransport.JoinGroup"/>.</param>
/// <param name="Interface">The interface, as given (<c>""</c>: the kernel's choice).</param>
/// <param name="Source">The only source accepted (<see cref="IMulticastTransport.JoinSourceGroup"/>), or <c>null</c> for any source.</param>
public readonly record struct MulticastMembership(string Group, string Interface, string? Source);
