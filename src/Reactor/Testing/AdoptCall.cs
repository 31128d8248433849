using System.Net.Sockets;

namespace Reactor.Testing;

/// <summary>A call to one of <see cref="MemoryReactor"/>'s <see cref="IReactorSocket"/> methods, as recorded.</summary>
/// <param name="Method"><c>AdoptStreamPort</c>, <c>AdoptStreamConnection</c> or <c>AdoptDatagramPort</c>.</param>
/// <param name="FileDescriptor">The descriptor passed.</param>
/// <param name="Family">The address family passed.</param>
/// <param name="Factory">The factory (stream calls), or <c>null</c>.</param>
/// <param name="Protocol">The protocol (<c>AdoptDatagramPort</c>), or <c>null</c>.</param>
/// <param name="Port">The port returned (<c>AdoptStreamPort</c>, <c>AdoptDatagramPort</c>), or <c>null</c>.</param>
public sealed record AdoptCall(string Method, int FileDescriptor, AddressFamily Family, Factory? Factory, DatagramProtocol? Protocol, IListeningPort? Port);
