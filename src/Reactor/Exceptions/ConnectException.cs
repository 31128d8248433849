using System.Net;
using System.Net.Sockets;

namespace Reactor;

/// <summary>
/// A connection attempt failed (Twisted's <c>ConnectError</c>). The subclasses name the common causes; this class covers
/// the rest, with the operating system's error in <see cref="SocketErrorCode"/>.
/// </summary>
public class ConnectException : IOException
{
    /// <summary>Creates the exception for an operating-system error while connecting to <paramref name="destination"/>.</summary>
    /// <param name="destination">Where the attempt went (<c>null</c> if unknown).</param>
    /// <param name="socketError">The operating system's error.</param>
    public ConnectException(EndPoint? destination, SocketError socketError)
        : this(destination, socketError, $"An error occurred while connecting{To(destination)}: {new SocketException((int)socketError).Message}.")
    {
    }

    /// <summary>Creates the exception with <paramref name="message"/>.</summary>
    /// <param name="destination">Where the attempt went (<c>null</c> if unknown).</param>
    /// <param name="socketError">The operating system's error, or <see cref="SocketError.SocketError"/> for none.</param>
    /// <param name="message">What happened.</param>
    /// <param name="innerException">The cause, if any; by default a <see cref="SocketException"/> for <paramref name="socketError"/>.</param>
    protected ConnectException(EndPoint? destination, SocketError socketError, string message, Exception? innerException = null)
        : base(message, innerException ?? (socketError == SocketError.SocketError ? null : new SocketException((int)socketError)))
    {
        Destination = destination;
        SocketErrorCode = socketError;
    }

    /// <summary>Where the attempt went, as it was given (an <see cref="IPEndPoint"/> or <see cref="DnsEndPoint"/>), if known.</summary>
    public EndPoint? Destination { get; }

    /// <summary>The operating system's error, or <see cref="SocketError.SocketError"/> when the failure had none (a timeout, a cancellation).</summary>
    public SocketError SocketErrorCode { get; }

    /// <summary>" to host:port", or nothing.</summary>
    private protected static string To(EndPoint? destination) => destination switch
    {
        null => string.Empty,
        DnsEndPoint dns => $" to {dns.Host}:{dns.Port}",
        _ => $" to {destination}",
    };
}
