using System.Globalization;

namespace Reactor.Endpoints;

/// <summary>
/// The arguments of one endpoint description, bound to the parameters its kind declares (see
/// <see cref="EndpointParsers.AddServerKind"/>): what a kind's parser reads. Every getter that finds a bad value throws
/// an <see cref="EndpointParseException"/> naming the kind, the argument and what is allowed.
/// </summary>
/// <remarks>
/// Binding follows Twisted's <c>clientFromString</c>: keyword arguments (<c>name=value</c>) bind by name (the case of the
/// name does not matter), then the positional arguments fill the parameters not given by keyword, in declaration order.
/// An unknown keyword, a repeated one, or more positional arguments than free parameters is an error before the parser
/// runs.
/// </remarks>
public sealed class EndpointArguments
{
    private readonly Dictionary<string, string> _values;

    internal EndpointArguments(string kind, string description, Dictionary<string, string> values)
    {
        Kind = kind;
        Description = description;
        _values = values;
    }

    /// <summary>The kind as written in the description (<c>tcp</c>, <c>TCP</c>, …).</summary>
    public string Kind { get; }

    /// <summary>The whole description, as given.</summary>
    public string Description { get; }

    /// <summary>Whether <paramref name="name"/> was given (by keyword or position).</summary>
    /// <param name="name">A parameter the kind declared.</param>
    /// <returns><c>true</c> when given.</returns>
    public bool Has(string name) => _values.ContainsKey(name);

    /// <summary>The value of <paramref name="name"/> as written (escapes removed), or <paramref name="defaultValue"/> when not given.</summary>
    /// <param name="name">A parameter the kind declared.</param>
    /// <param name="defaultValue">What an absent argument means.</param>
    /// <returns>The value.</returns>
    public string GetString(string name, string defaultValue) => _values.TryGetValue(name, out var value) ? value : defaultValue;

    /// <summary>The value of <paramref name="name"/>, which must be given.</summary>
    /// <param name="name">A parameter the kind declared.</param>
    /// <returns>The value.</returns>
    /// <exception cref="EndpointParseException">It was not given.</exception>
    public string GetRequiredString(string name) =>
        _values.TryGetValue(name, out var value) ? value : throw Invalid(name, $"is required (give it as '{name}=…' or by position)");

    /// <summary>A whole number in <paramref name="min"/>–<paramref name="max"/>, or <paramref name="defaultValue"/> when not given; <c>null</c> default: required.</summary>
    /// <param name="name">A parameter the kind declared.</param>
    /// <param name="defaultValue">What an absent argument means; <c>null</c> makes the argument required.</param>
    /// <param name="min">The smallest value allowed.</param>
    /// <param name="max">The largest value allowed.</param>
    /// <returns>The number.</returns>
    /// <exception cref="EndpointParseException">Missing (and required), not a whole number, or out of range.</exception>
    public int GetInt32(string name, int? defaultValue, int min, int max)
    {
        if (!_values.TryGetValue(name, out var text))
        {
            return defaultValue ?? throw Invalid(name, $"is required (a whole number from {min} to {max})");
        }

        if (!int.TryParse(text.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
        {
            throw Invalid(name, $"must be a whole number from {min} to {max}, not '{text}'");
        }

        return value;
    }

    /// <summary>A flag: <c>1</c>, <c>true</c>, <c>yes</c> or <c>0</c>, <c>false</c>, <c>no</c> (any case); <paramref name="defaultValue"/> when not given.</summary>
    /// <param name="name">A parameter the kind declared.</param>
    /// <param name="defaultValue">What an absent argument means.</param>
    /// <returns>The flag.</returns>
    /// <exception cref="EndpointParseException">Not one of those words.</exception>
    public bool GetBoolean(string name, bool defaultValue)
    {
        if (!_values.TryGetValue(name, out var text))
        {
            return defaultValue;
        }

        return text.Trim().ToUpperInvariant() switch
        {
            "1" or "TRUE" or "YES" => true,
            "0" or "FALSE" or "NO" => false,
            _ => throw Invalid(name, $"must be 1 or 0 (true or false), not '{text}'"),
        };
    }

    /// <summary>A positive number of seconds (<c>30</c>, <c>2.5</c>), or <paramref name="defaultValue"/> when not given.</summary>
    /// <param name="name">A parameter the kind declared.</param>
    /// <param name="defaultValue">What an absent argument means.</param>
    /// <param name="allowZero">Whether 0 is allowed (a delay) or not (a timeout).</param>
    /// <returns>The duration.</returns>
    /// <exception cref="EndpointParseException">Not a number, negative (or 0 when not allowed), or more than a day.</exception>
    public TimeSpan GetSeconds(string name, TimeSpan defaultValue, bool allowZero = false)
    {
        if (!_values.TryGetValue(name, out var text))
        {
            return defaultValue;
        }

        if (!double.TryParse(text.Trim(), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var seconds) ||
            seconds > 86_400 || seconds < 0 || (seconds == 0 && !allowZero))
        {
            throw Invalid(name, $"must be a number of seconds{(allowZero ? " from 0" : " above 0")} up to 86400, not '{text}'");
        }

        return TimeSpan.FromSeconds(seconds);
    }

    /// <summary>The exception for a bad value of <paramref name="name"/>, for checks of a kind's own.</summary>
    /// <param name="name">The argument at fault.</param>
    /// <param name="problem">What is wrong, as the end of "argument '…' of kind '…' …" (for example "must be INET, INET6 or UNIX, not 'X'").</param>
    /// <returns>The exception, to throw.</returns>
    public EndpointParseException Invalid(string name, string problem) =>
        new(Kind, name, $"Bad endpoint description '{Description}': argument '{name}' of kind '{Kind}' {problem}.");
}
