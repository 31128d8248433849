using System.Text;

namespace Reactor.Samples;

/// <summary>
/// Formats bytes the way Python 2's <c>repr</c> formats a <c>str</c> — what the seed programs print with <c>%r</c>:
/// <c>'hello'</c>, <c>'it\'s'</c> → <c>"it's"</c>, <c>'\x00\n'</c>.
/// </summary>
internal static class PythonRepr
{
    public static string Of(ReadOnlySpan<byte> data)
    {
        var hasSingle = data.IndexOf((byte)'\'') >= 0;
        var hasDouble = data.IndexOf((byte)'"') >= 0;
        var quote = hasSingle && !hasDouble ? '"' : '\'';
        var text = new StringBuilder(data.Length + 2);
        text.Append(quote);
        foreach (var b in data)
        {
            switch (b)
            {
                case (byte)'\\':
                    text.Append(@"\\");
                    break;
                case (byte)'\n':
                    text.Append(@"\n");
                    break;
                case (byte)'\r':
                    text.Append(@"\r");
                    break;
                case (byte)'\t':
                    text.Append(@"\t");
                    break;
                default:
                    if (b == quote)
                    {
                        text.Append('\\').Append(quote);
                    }
                    else if (b is < 0x20 or >= 0x7f)
                    {
                        text.Append(@"\x").Append(b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        text.Append((char)b);
                    }

                    break;
            }
        }

        return text.Append(quote).ToString();
    }
}
