using System.Net;
using System.Net.Sockets;

namespace Reactor;

/// <summary>The local <c>bindAddress</c> of a connection attempt could not be bound (in use, or not an address of this host; Twisted's <c>ConnectBindError</c>).</summary>
public class ConnectBindException : ConnectException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="destination">Where the attempt was going.</param>
    /// <param name="bindAddress">The local address that could not be bound.</param>
    /// <param name="socketError">The operating system's error.</param>
    public ConnectBindException(EndPoint? destination, EndPoint bindAddress, SocketError socketError)
        : base(destination, socketError, $"Couldn't bind to {bindAddress}: {new SocketException((int)socketError).Message}.")
    {
        BindAddress = bindAddress;
    }

    /// <summary>The local address that could not be bound.</summary>
    public EndPoint BindAddress { get; }
}
