namespace Reactor;

/// <summary>
/// A host name could not be resolved to an address (Twisted's <c>DNSLookupError</c>, which is an <c>IOError</c>): the
/// resolver found nothing, found no address of an acceptable family, failed, or took longer than the lookup's timeouts
/// allow. The message is always <c>DNS lookup failed: &lt;name&gt;.</c>; the cause, when there is one, is the
/// <see cref="Exception.InnerException"/> (for example a <see cref="System.Net.Sockets.SocketException"/> from the
/// operating system's resolver, or a <see cref="TimeoutException"/>).
/// </summary>
public class DnsLookupException : IOException
{
    /// <summary>Creates the exception for a lookup whose name is not known.</summary>
    public DnsLookupException()
        : this(string.Empty)
    {
    }

    /// <summary>Creates the exception for a failed lookup of <paramref name="name"/>, with no further cause.</summary>
    /// <param name="name">The host name that was looked up.</param>
    public DnsLookupException(string name)
        : this(name, null)
    {
    }

    /// <summary>Creates the exception for a failed lookup of <paramref name="name"/> caused by <paramref name="innerException"/>.</summary>
    /// <param name="name">The host name that was looked up.</param>
    /// <param name="innerException">Why it failed, or <c>null</c>.</param>
    public DnsLookupException(string name, Exception? innerException)
        : base($"DNS lookup failed: {name}.", innerException)
    {
        Name = name ?? string.Empty;
    }

    /// <summary>The host name that could not be resolved.</summary>
    public string Name { get; }
}
