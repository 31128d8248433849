using System.Net;

namespace Reactor;

/// <summary>A port the reactor listens on: Twisted's <c>IListeningPort</c>.</summary>
public interface IListeningPort
{
    /// <summary>The local address the port is bound to (Twisted's <c>getHost</c>), with the real port number when 0 was asked for.</summary>
    IPEndPoint GetHost();

    /// <summary>
    /// Stops listening. The port closes on a later iteration — the protocol's <see cref="DatagramProtocol.StopProtocol"/>
    /// runs then, never inside this call — and the returned Deferred fires (with <c>null</c>) once it has closed.
    /// Idempotent: every call returns the same Deferred, also after the port has closed.
    /// </summary>
    /// <returns>A Deferred that fires when the port has closed.</returns>
    Deferred<object?> StopListening();
}
