using System.Net.Sockets;

namespace Reactor;

/// <summary>
/// The failure of a multicast join or leave (Twisted's <c>MulticastJoinError</c>), carrying the group, the interface,
/// the source for a source-specific membership, and the operating system's error.
/// </summary>
public class MulticastJoinException : IOException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="operation">What failed, e.g. "join" or "leave".</param>
    /// <param name="group">The group, as given.</param>
    /// <param name="interface">The interface, as given (<c>""</c> for any).</param>
    /// <param name="source">The source of a source-specific membership, or null.</param>
    /// <param name="socketError">The operating system's error.</param>
    /// <param name="reason">A more specific reason than the OS error's text, or null.</param>
    public MulticastJoinException(string operation, string group, string @interface, string? source, SocketError socketError, string? reason = null)
        : base(
            $"Couldn't {operation} multicast group {group}{(source is null ? "" : $" from source {source}")} on interface " +
            $"{(@interface.Length == 0 ? "any" : @interface)}: {reason ?? new SocketException((int)socketError).Message}.")
    {
        Group = group;
        Interface = @interface;
        SourceAddress = source;
        SocketErrorCode = socketError;
    }

    /// <summary>The group.</summary>
    public string Group { get; }

    /// <summary>The interface (<c>""</c> for any).</summary>
    public string Interface { get; }

    /// <summary>The source of a source-specific membership, or null.</summary>
    public string? SourceAddress { get; }

    /// <summary>The operating system's error.</summary>
    public SocketError SocketErrorCode { get; }
}
