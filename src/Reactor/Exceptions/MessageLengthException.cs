namespace Reactor;

/// <summary>
/// Thrown by a write whose datagram is longer than UDP can carry (65,507 bytes over IPv4, 65,527 over IPv6) or than the
/// OS accepts; nothing was sent (Twisted's <c>MessageLengthError</c>).
/// </summary>
public class MessageLengthException : IOException
{
    /// <summary>Creates the exception for a datagram longer than a known limit.</summary>
    /// <param name="length">The datagram's length.</param>
    /// <param name="limit">The largest length allowed.</param>
    public MessageLengthException(int length, int limit)
        : base($"Message is too long to send: {length} bytes, the limit is {limit}.")
    {
        Length = length;
        Limit = limit;
    }

    /// <summary>
    /// Creates the exception for a datagram the operating system refused as too long without saying its limit (for
    /// example one larger than the path MTU on a socket that may not fragment).
    /// </summary>
    /// <param name="length">The datagram's length.</param>
    public MessageLengthException(int length)
        : base($"Message is too long to send: {length} bytes, more than the operating system accepts on this socket.")
    {
        Length = length;
    }

    /// <summary>The datagram's length.</summary>
    public int Length { get; }

    /// <summary>
    /// The largest length allowed: UDP's own limit for the port's IP family, or <c>null</c> when the operating system
    /// refused the datagram without saying its limit.
    /// </summary>
    public int? Limit { get; }
}
