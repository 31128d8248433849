using System.Net;
using System.Net.Sockets;

namespace Reactor;

/// <summary>
/// A one-shot connect (or a client endpoint) got a connection, but the factory's <see cref="Factory.BuildProtocol"/>
/// returned <c>null</c>, so there is no protocol to hand back (Twisted's <c>NoProtocol</c>). The connection was closed.
/// </summary>
public class NoProtocolException : ConnectException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="destination">Where the connection went.</param>
    public NoProtocolException(EndPoint? destination)
        : base(destination, SocketError.SocketError, $"The factory built no protocol for the connection{To(destination)}.")
    {
    }
}
