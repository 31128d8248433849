using System.Net.Sockets;

namespace Reactor;

/// <summary>
/// The connection was lost in a non-clean fashion (Twisted's <c>ConnectionLost</c>): the peer reset it, the network
/// failed, or the reactor shut down with it open. <see cref="SocketErrorCode"/> (and the inner
/// <see cref="SocketException"/>) keep the operating system's error, which Twisted drops.
/// </summary>
public class ConnectionLostException : ConnectionClosedException
{
    /// <summary>Creates the exception for an operating-system error.</summary>
    /// <param name="socketError">The error a read or write returned.</param>
    public ConnectionLostException(SocketError socketError)
        : base(
            $"Connection to the other side was lost in a non-clean fashion: {new SocketException((int)socketError).Message}.",
            new SocketException((int)socketError))
    {
        SocketErrorCode = socketError;
    }

    /// <summary>Creates the exception with <paramref name="message"/> and no operating-system error.</summary>
    /// <param name="message">What happened.</param>
    public ConnectionLostException(string message)
        : base(message)
    {
        SocketErrorCode = SocketError.SocketError;
    }

    /// <summary>The operating system's error, or <see cref="SocketError.SocketError"/> when there was none.</summary>
    public SocketError SocketErrorCode { get; }
}
