using System.Text;
using Reactor.Endpoints;
using Reactor.Testing;

namespace Reactor.Fuzz;

/// <summary>
/// The endpoint-string parser: <see cref="Endpoint.ServerFromString"/>, <see cref="Endpoint.ClientFromString"/> and
/// <see cref="Endpoint.DatagramFromString"/> with a <see cref="MemoryReactor"/>, so nothing listens or connects, and
/// <see cref="Endpoint.QuoteStringArgument"/>.
/// </summary>
/// <remarks>
/// <para>The input, decoded as UTF-8, is the description. Invariants: each call returns an endpoint or throws one of the
/// documented exceptions — <see cref="EndpointParseException"/> (with a message and a non-null kind) or
/// <see cref="NotSupportedException"/> — and nothing else; the same description parses the same way twice; any string
/// quoted with <see cref="Endpoint.QuoteStringArgument"/> reads back as itself, as a positional and as a keyword argument.</para>
/// <para>The <c>ssl</c>/<c>tls</c> kinds read the PEM files a description names, so a description naming a path under
/// /dev, /proc, /sys or /run (a device could block or never end) is not parsed, only quoted.</para>
/// </remarks>
public static class EndpointTarget
{
    private static readonly string[] Unsafe = ["/dev", "/proc", "/sys", "/run"];
    private static readonly MemoryReactor Reactor = new();
    private static readonly EndpointParsers Echo = EchoParsers();
    private static string[] _echoed = [];

    /// <summary>Runs one input.</summary>
    /// <param name="input">The description, as UTF-8.</param>
    /// <exception cref="FuzzInvariantException">An invariant broke.</exception>
    public static void Run(ReadOnlySpan<byte> input)
    {
        var description = Encoding.UTF8.GetString(input);
        var plain = description.Replace("\\", "", StringComparison.Ordinal);
        if (!Array.Exists(Unsafe, u => plain.Contains(u, StringComparison.OrdinalIgnoreCase)))
        {
            var server = Outcome(() => Endpoint.ServerFromString(Reactor, description));
            var client = Outcome(() => Endpoint.ClientFromString(Reactor, description));
            var datagram = Outcome(() => Endpoint.DatagramFromString(Reactor, description));
            FuzzInvariantException.Check(server == Outcome(() => Endpoint.ServerFromString(Reactor, description)), "ServerFromString gave a different outcome the second time");
            FuzzInvariantException.Check(client == Outcome(() => Endpoint.ClientFromString(Reactor, description)), "ClientFromString gave a different outcome the second time");
            FuzzInvariantException.Check(datagram == Outcome(() => Endpoint.DatagramFromString(Reactor, description)), "DatagramFromString gave a different outcome the second time");
        }

        // Quoting: the input as a value, positional and by keyword, reads back unchanged.
        var quoted = Endpoint.QuoteStringArgument(description);
        _echoed = [];
        Endpoint.ServerFromString(Reactor, $"echo:{quoted}:second={quoted}", Echo);
        FuzzInvariantException.Check(_echoed.Length == 2 && _echoed[0] == description && _echoed[1] == description,
            $"QuoteStringArgument('{description}') = '{quoted}' read back as [{string.Join(", ", _echoed.Select(e => $"'{e}'"))}]");
    }

    /// <summary>The endpoint's type name, or the documented exception's type name; anything else escapes.</summary>
    private static string Outcome(Func<object> parse)
    {
        try
        {
            return parse().GetType().FullName!;
        }
        catch (EndpointParseException e)
        {
            FuzzInvariantException.Check(!string.IsNullOrEmpty(e.Message) && e.Kind is not null, "an EndpointParseException without a message or kind");
            return $"{nameof(EndpointParseException)}({e.Kind}, {e.Argument})";
        }
        catch (NotSupportedException)
        {
            return nameof(NotSupportedException);
        }
    }

    private static EndpointParsers EchoParsers()
    {
        var parsers = new EndpointParsers();
        parsers.AddServerKind("echo", ["first", "second"], static (reactor, a) =>
        {
            _echoed = [a.GetRequiredString("first"), a.GetRequiredString("second")];
            return new Tcp4ServerEndpoint(reactor, 0);
        });
        return parsers;
    }
}
