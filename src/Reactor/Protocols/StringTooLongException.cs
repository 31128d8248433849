namespace Reactor.Protocols;

/// <summary>
/// Thrown by <see cref="IntNStringReceiver.SendString"/> when a string is too long for its length prefix: 256 bytes or
/// more for <see cref="Int8StringReceiver"/>, 65,536 or more for <see cref="Int16StringReceiver"/> (Twisted's
/// <c>StringTooLongError</c>). Nothing was sent.
/// </summary>
public class StringTooLongException : ArgumentException
{
    /// <summary>Creates the exception for a string of <paramref name="length"/> bytes and a prefix of <paramref name="prefixLength"/> bytes.</summary>
    /// <param name="length">The string's length.</param>
    /// <param name="prefixLength">The prefix's size in bytes.</param>
    public StringTooLongException(int length, int prefixLength)
        : base($"Cannot send {length} bytes after a {prefixLength}-byte length prefix: the most it can announce is {(1L << (8 * prefixLength)) - 1}.")
    {
        Length = length;
        PrefixLength = prefixLength;
    }

    /// <summary>The string's length.</summary>
    public int Length { get; }

    /// <summary>The prefix's size in bytes.</summary>
    public int PrefixLength { get; }
}
