using System.Net;

namespace Reactor.Testing;

/// <summary>A call to <see cref="MemoryReactor.ListenTcp"/>, as recorded; <see cref="Accept"/> plays a client connecting to it.</summary>
/// <param name="Port">The port number asked for (0 when the caller let the reactor pick; the port's <c>GetHost()</c> has the one picked).</param>
/// <param name="Factory">The factory.</param>
/// <param name="Backlog">The backlog argument.</param>
/// <param name="Interface">The interface argument, as given.</param>
/// <param name="ListeningPort">The port returned.</param>
public sealed record TcpListenCall(int Port, Factory Factory, int Backlog, string Interface, MemoryListeningPort ListeningPort)
{
    /// <summary>
    /// Plays a client connecting to this port, as a real port accepts one: the recorded <see cref="Factory"/> builds a
    /// protocol for <paramref name="peer"/> and it is attached to a new <see cref="FakeStreamTransport"/> (its
    /// <see cref="Protocol.ConnectionMade"/> has run when this returns).
    /// </summary>
    /// <param name="peer">
    /// The client's address; <c>null</c> for a loopback address of the port's family with a fresh port number. On a
    /// dual-stack (<c>"::"</c>) port an IPv4 client shows as an IPv4-mapped address, as on a real one.
    /// </param>
    /// <returns>The connection's transport (its <see cref="FakeStreamTransport.GetHost"/> is the port's address, loopback for a wildcard port; its <see cref="FakeStreamTransport.Protocol"/> is the protocol built), or <c>null</c> when the factory refused the connection.</returns>
    /// <exception cref="InvalidOperationException">The port has stopped listening.</exception>
    /// <exception cref="ArgumentException"><paramref name="peer"/> is of a family the port does not accept.</exception>
    /// <remarks>An exception thrown by the factory's <see cref="Factory.BuildProtocol"/> reaches the caller (a real port logs it and resets the connection).</remarks>
    public FakeStreamTransport? Accept(IPEndPoint? peer = null) => ListeningPort.Accept(peer);
}
