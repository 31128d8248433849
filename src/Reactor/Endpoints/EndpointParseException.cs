namespace Reactor.Endpoints;

/// <summary>
/// Thrown when an endpoint description cannot be read: an unknown kind, a missing, unknown or repeated argument, a value
/// of the wrong form or out of range, a dangling backslash. <see cref="Kind"/> and <see cref="Argument"/> say where;
/// the message says what is allowed. A <see cref="FormatException"/>, as for any text that does not parse (Twisted raises
/// <c>ValueError</c> or <c>TypeError</c>).
/// </summary>
public class EndpointParseException : FormatException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="kind">The endpoint kind (<c>tcp</c>, <c>unix</c>, …) as written, or <c>""</c> when the description has none.</param>
    /// <param name="argument">The argument at fault, or <c>null</c> when the fault is the kind or the description as a whole.</param>
    /// <param name="message">What is wrong and what is allowed.</param>
    /// <param name="innerException">The underlying exception, if any.</param>
    public EndpointParseException(string kind, string? argument, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Kind = kind ?? string.Empty;
        Argument = argument;
    }

    /// <summary>The endpoint kind as written (<c>""</c> when the description has none).</summary>
    public string Kind { get; }

    /// <summary>The argument at fault (a keyword's name, or a positional argument's parameter name), or <c>null</c>.</summary>
    public string? Argument { get; }
}
