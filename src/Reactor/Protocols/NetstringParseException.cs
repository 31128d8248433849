namespace Reactor.Protocols;

/// <summary>
/// What <see cref="NetstringReceiver"/> found wrong with a received netstring (Twisted's <c>NetstringParseError</c>):
/// no length, a length with a leading zero or over <see cref="NetstringReceiver.MaxLength"/>, no colon after the
/// length, or no comma after the data. It is handed to <see cref="NetstringReceiver.NetstringParseFailed"/>, never
/// thrown at the caller.
/// </summary>
public class NetstringParseException : FormatException
{
    /// <summary>Creates the exception with <paramref name="message"/>.</summary>
    /// <param name="message">What is wrong (Twisted's wording).</param>
    public NetstringParseException(string message)
        : base(message)
    {
    }
}
