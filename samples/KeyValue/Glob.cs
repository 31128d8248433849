namespace Reactor.Samples.KeyValue;

/// <summary>Redis's glob patterns for KEYS: <c>*</c>, <c>?</c>, <c>[abc]</c>, <c>[^a-z]</c> and <c>\</c> escapes (redis-server's <c>stringmatchlen</c>).</summary>
internal static class Glob
{
    public static bool Matches(ReadOnlySpan<byte> pattern, ReadOnlySpan<byte> text)
    {
        while (!pattern.IsEmpty)
        {
            switch (pattern[0])
            {
                case (byte)'*':
                    while (pattern.Length > 1 && pattern[1] == (byte)'*')
                    {
                        pattern = pattern[1..];
                    }

                    if (pattern.Length == 1)
                    {
                        return true;
                    }

                    for (var i = 0; i <= text.Length; i++)
                    {
                        if (Matches(pattern[1..], text[i..]))
                        {
                            return true;
                        }
                    }

                    return false;
                case (byte)'?':
                    if (text.IsEmpty)
                    {
                        return false;
                    }

                    text = text[1..];
                    break;
                case (byte)'[':
                    if (text.IsEmpty || !MatchClass(ref pattern, text[0]))
                    {
                        return false;
                    }

                    text = text[1..];
                    break;
                case (byte)'\\' when pattern.Length > 1:
                    pattern = pattern[1..];
                    goto default;
                default:
                    if (text.IsEmpty || text[0] != pattern[0])
                    {
                        return false;
                    }

                    text = text[1..];
                    break;
            }

            pattern = pattern[1..];
        }

        return text.IsEmpty;
    }

    /// <summary>Matches <paramref name="c"/> against the class at the start of <paramref name="pattern"/>, leaving it at the class's ']'.</summary>
    private static bool MatchClass(ref ReadOnlySpan<byte> pattern, byte c)
    {
        pattern = pattern[1..];
        var negate = !pattern.IsEmpty && pattern[0] == (byte)'^';
        if (negate)
        {
            pattern = pattern[1..];
        }

        var match = false;
        while (!pattern.IsEmpty && pattern[0] != (byte)']')
        {
            if (pattern[0] == (byte)'\\' && pattern.Length > 1)
            {
                pattern = pattern[1..];
                match |= pattern[0] == c;
            }
            else if (pattern.Length > 2 && pattern[1] == (byte)'-' && pattern[2] != (byte)']')
            {
                var (low, high) = pattern[0] <= pattern[2] ? (pattern[0], pattern[2]) : (pattern[2], pattern[0]);
                match |= c >= low && c <= high;
                pattern = pattern[2..];
            }
            else
            {
                match |= pattern[0] == c;
            }

            pattern = pattern[1..];
        }

        if (pattern.IsEmpty)
        {
            // An unclosed class: Redis treats the end of the pattern as its end.
            pattern = "]"u8;
        }

        return match != negate;
    }
}
