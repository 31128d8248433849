using System.Diagnostics.CodeAnalysis;
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
    [SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = "The overloads differ in their required parameters (a port, or a UNIX path without one), so no call is ambiguous.")]
    public CannotListenException(string @interface, int port, SocketError socketError, Exception? innerException = null)
        : base(
            $"Couldn't listen on {(string.IsNullOrEmpty(@interface) ? "any" : @interface)}:{port}: {new SocketException((int)socketError).Message}.",
            innerException ?? new SocketException((int)socketError))
    {
        Interface = @interface;
        Port = port;
        SocketErrorCode = socketError;
    }

    /// <summary>
    /// Creates the exception for a failed listen on a UNIX socket path (<see cref="Interface"/> is the path,
    /// <see cref="Port"/> 0): <c>Couldn't listen on /run/app.sock: Address already in use.</c>
    /// </summary>
    /// <param name="path">The path asked for (<c>@name</c> for a Linux abstract name).</param>
    /// <param name="socketError">The operating system's error, or the closest one.</param>
    /// <param name="reason">What went wrong, when the operating system's message does not say it (a lock held by another process).</param>
    /// <param name="innerException">The underlying exception, if any.</param>
    [SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = "The overloads differ in their required parameters (a port, or a UNIX path without one), so no call is ambiguous.")]
    public CannotListenException(string path, SocketError socketError, string? reason = null, Exception? innerException = null)
        : base(
            $"Couldn't listen on {path}: {reason ?? new SocketException((int)socketError).Message}.",
            innerException ?? new SocketException((int)socketError))
    {
        Interface = path;
        SocketErrorCode = socketError;
    }

    /// <summary>The interface that was asked for (a UNIX port: its path).</summary>
    public string Interface { get; }

    /// <summary>The port that was asked for (0 for a UNIX port).</summary>
    public int Port { get; }

    /// <summary>The operating system's error.</summary>
    public SocketError SocketErrorCode { get; }
}
