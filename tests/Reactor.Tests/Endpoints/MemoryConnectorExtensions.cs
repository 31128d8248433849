using System.Net;
using Reactor.Testing;

namespace Reactor.Tests.Endpoints;

/// <summary>The endpoint tests' shorthand for a memory connector's attempt succeeding.</summary>
internal static class MemoryConnectorExtensions
{
    /// <summary>
    /// Completes the attempt (<see cref="MemoryConnector.Complete"/>) with the destination as the server's address, or
    /// 127.0.0.1 on the destination's port when it is a name (or not IP at all), and returns the protocol the factory built.
    /// </summary>
    public static Protocol? Establish(this MemoryConnector connector)
    {
        var peer = connector.GetDestination() switch
        {
            IPEndPoint ip => ip,
            DnsEndPoint name => new IPEndPoint(IPAddress.Loopback, name.Port),
            _ => new IPEndPoint(IPAddress.Loopback, 1),
        };
        return connector.Complete(peer)?.Protocol;
    }
}
