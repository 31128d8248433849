using System.Text;
using Reactor.Endpoints;

namespace Reactor.Internal.Endpoints;

/// <summary>
/// Twisted's description grammar (<c>endpoints._tokenize</c> and <c>_parse</c>): items separated by <c>:</c>; a
/// backslash makes the next character literal; in an item the first <c>=</c> splits key from value and any later
/// <c>=</c> belongs to the value; items without <c>=</c> are positional. The first item is the kind.
/// </summary>
internal static class EndpointGrammar
{
    /// <summary>A parsed description: the kind, the positional arguments after it, and the keyword arguments in order.</summary>
    internal sealed record Parsed(string Kind, List<string> Positional, List<KeyValuePair<string, string>> Keywords);

    /// <exception cref="EndpointParseException">Empty, a dangling backslash, or no kind first.</exception>
    internal static Parsed Parse(string description)
    {
        if (description.Length == 0)
        {
            throw new EndpointParseException(string.Empty, null, "An endpoint description cannot be empty: it starts with a kind, such as 'tcp:8080' or 'unix:/run/app.sock'.");
        }

        var items = new List<(string? Key, string Value)>();
        var current = new StringBuilder();
        string? key = null;
        for (var i = 0; i < description.Length; i++)
        {
            var c = description[i];
            if (c == '\\')
            {
                if (++i == description.Length)
                {
                    throw new EndpointParseException(KindOf(items, key, current), null,
                        $"The endpoint description '{description}' ends with a backslash, which escapes nothing; write a backslash as \\\\.");
                }

                current.Append(description[i]);
            }
            else if (c == ':')
            {
                items.Add((key, current.ToString()));
                current.Clear();
                key = null;
            }
            else if (c == '=' && key is null)
            {
                key = current.ToString();
                current.Clear();
            }
            else
            {
                current.Append(c);
            }
        }

        items.Add((key, current.ToString()));
        if (items[0].Key is not null)
        {
            throw new EndpointParseException(string.Empty, items[0].Key,
                $"The endpoint description '{description}' must start with a kind (such as 'tcp:'), not the argument '{items[0].Key}='.");
        }

        var positional = new List<string>();
        var keywords = new List<KeyValuePair<string, string>>();
        for (var i = 1; i < items.Count; i++)
        {
            if (items[i].Key is { } name)
            {
                keywords.Add(new(name, items[i].Value));
            }
            else
            {
                positional.Add(items[i].Value);
            }
        }

        return new Parsed(items[0].Value, positional, keywords);
    }

    private static string KindOf(List<(string? Key, string Value)> items, string? key, StringBuilder current) =>
        items.Count > 0 ? items[0].Value : key is null ? current.ToString() : string.Empty;
}
