namespace Reactor;

/// <summary>
/// Thrown when an address is not acceptable where it was given: a hostname where an IP literal is required (use
/// <c>reactor.Resolve</c>), or an address of the wrong family for the port (Twisted's <c>InvalidAddressError</c>).
/// </summary>
public class InvalidAddressException : ArgumentException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="address">The address that was given.</param>
    /// <param name="reason">Why it was refused, e.g. "Write only accepts IP addresses, not hostnames.".</param>
    public InvalidAddressException(string address, string reason)
        : base($"Invalid address '{address}': {reason}")
    {
        Address = address;
        Reason = reason;
    }

    /// <summary>The address that was given.</summary>
    public string Address { get; }

    /// <summary>Why it was refused.</summary>
    public string Reason { get; }
}
