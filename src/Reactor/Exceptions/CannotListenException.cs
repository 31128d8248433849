using System.Net.Sockets;

namespace Reactor;

/// <summary>
/// Thrown when a port cannot be listened on: the address is in use or not local, permission is denied, the process is out
/// of file descriptors (Twisted's <c>CannotListenError</c>). The message reads like Twisted's:
/// <c>Couldn't listen on any:9999: Address already in use.</c>
/// </summary>
public class CannotListenException : IOException
{
    /// <summary>Creates the exception for a failed listen.</summary>
    /// <param name="interface">The interface asked for (<c>""</c> is shown as <c>any</c>).</param>
    /// <param name="port">The port asked for.</param>
    /// <param name="socketError">The operating system's error.</param>
    /// <param name="innerException">The underlying exception, if any.</param>
    public CannotListenException(string @interface, int port, SocketError socketError, Exception? innerException = null)
        : base(
            $"Couldn't listen on {(string.IsNullOrEmpty(@interface) ? "any" : @interface)}:{port}: {new SocketException((int)socketError).Message}.",
            innerException ?? new SocketException((int)socketError))
    {
        Interface = @interface;
        Port = port;
        SocketErrorCode = socketError;
    }

    /// <summary>The interface that was asked for.</summary>
    public string Interface { get; }

    /// <summary>The port that was asked for.</summary>
    public int Port { get; }

    /// <summary>The operating system's error.</summary>
    public SocketError SocketErrorCode { get; }
}
