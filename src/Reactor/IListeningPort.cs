using System.Net;

namespace Reactor;

/// <summary>
/// A port the reactor listens on: Twisted's <c>IListeningPort</c>. Each transport's port narrows
/// <see cref="GetHost"/> to its own address type: <see cref="ITcpPort"/> and <see cref="IUdpTransport"/> to an
/// <see cref="IPEndPoint"/>.
/// </summary>
public interface IListeningPort
{
    /// <summary>
    /// The local address the port is bound to (Twisted's <c>getHost</c>): an <see cref="IPEndPoint"/> with the real port
    /// number when 0 was asked for, or a UNIX socket's path.
    /// </summary>
    EndPoint GetHost();

    /// <summary>
    /// Stops listening. The port closes on a later iteration — a UDP protocol's <see cref="DatagramProtocol.StopProtocol"/>
    /// or a stream port's <see cref="Factory.StopFactory"/> runs then, never inside this call — and the returned Deferred
    /// fires (with <c>null</c>) once it has closed. Idempotent: every call returns the same Deferred, also after the port
    /// has closed.
    /// </summary>
    /// <returns>A Deferred that fires when the port has closed.</returns>
    Deferred<object?> StopListening();
}
