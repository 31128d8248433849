namespace Reactor;

/// <summary>
/// Thrown by a write whose datagram is longer than UDP can carry (65,507 bytes over IPv4, 65,527 over IPv6) or than the
/// OS accepts; nothing was sent (Twisted's <c>MessageLengthError</c>).
/// </summary>
public class MessageLengthException : IOException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="length">The datagram's length.</param>
    /// <param name="limit">The largest length allowed.</param>
    public MessageLengthException(int length, int limit)
        : base($"Message is too long to send: {length} bytes, the limit is {limit}.")
    {
        Length = length;
        Limit = limit;
    }

    /// <summary>The datagram's length.</summary>
    public int Length { get; }

    /// <summary>The largest length allowed.</summary>
    public int Limit { get; }
}
