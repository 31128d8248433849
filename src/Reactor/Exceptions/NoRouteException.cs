using System.Net;
using System.Net.Sockets;

namespace Reactor;

/// <summary>The network or host is unreachable from here (ENETUNREACH, EHOSTUNREACH; Twisted's <c>NoRouteError</c>).</summary>
public class NoRouteException : ConnectException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="destination">Where the attempt went.</param>
    /// <param name="socketError"><see cref="SocketError.NetworkUnreachable"/> or <see cref="SocketError.HostUnreachable"/>.</param>
    public NoRouteException(EndPoint? destination, SocketError socketError)
        : base(destination, socketError, $"No route to host{To(destination)}: {new SocketException((int)socketError).Message}.")
    {
    }
}
