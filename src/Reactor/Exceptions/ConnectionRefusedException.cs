using System.Net;
using System.Net.Sockets;

namespace Reactor;

/// <summary>Nobody listens at the destination: the peer answered the connection attempt with a reset (ECONNREFUSED; Twisted's <c>ConnectionRefusedError</c>).</summary>
public class ConnectionRefusedException : ConnectException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="destination">Where the attempt went.</param>
    public ConnectionRefusedException(EndPoint? destination)
        : base(destination, SocketError.ConnectionRefused, $"Connection was refused by other side{To(destination)}: {new SocketException((int)SocketError.ConnectionRefused).Message}.")
    {
    }
}
