using System.Globalization;
using System.Text;

namespace Reactor.Benchmarks.Runner;

/// <summary>A plain table printed two ways: aligned text for the console, markdown for docs/performance.md.</summary>
internal sealed class TextTable(params string[] headers)
{
    private readonly List<string[]?> _rows = [];

    /// <summary>Adds a row (cells beyond the second are right-aligned in the text form).</summary>
    public void Add(params string[] cells) => _rows.Add(cells);

    /// <summary>True when no row was added.</summary>
    public bool IsEmpty => _rows.All(r => r is null);

    /// <summary>A blank line between groups in the text form (nothing in markdown).</summary>
    public void Separator() => _rows.Add(null);

    public static string Number(double? value, string format = "N0") =>
        value is { } v && !double.IsNaN(v) ? v.ToString(format, CultureInfo.InvariantCulture) : "–";

    public static double? Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        if (sorted.Count == 0)
        {
            return null;
        }

        var middle = sorted.Count / 2;
        return sorted.Count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }

    public string ToText()
    {
        var rows = _rows.Where(r => r is not null).Cast<string[]>().ToList();
        var widths = headers.Select((h, i) => Math.Max(h.Length, rows.Count == 0 ? 0 : rows.Max(r => i < r.Length ? r[i].Length : 0))).ToArray();
        var text = new StringBuilder();
        void Line(IReadOnlyList<string> values)
        {
            for (var i = 0; i < headers.Length; i++)
            {
                var value = i < values.Count ? values[i] : string.Empty;
                text.Append(i >= 2 ? value.PadLeft(widths[i]) : value.PadRight(widths[i]));
                text.Append(i + 1 < headers.Length ? "  " : string.Empty);
            }

            text.AppendLine();
        }

        Line(headers);
        Line(widths.Select(w => new string('-', w)).ToArray());
        foreach (var row in _rows)
        {
            if (row is null)
            {
                text.AppendLine();
            }
            else
            {
                Line(row);
            }
        }

        return text.ToString();
    }

    public string ToMarkdown()
    {
        var text = new StringBuilder();
        text.AppendLine("| " + string.Join(" | ", headers) + " |");
        text.AppendLine("|" + string.Join("|", headers.Select((_, i) => i >= 2 ? "---:" : "---")) + "|");
        foreach (var row in _rows.Where(r => r is not null))
        {
            text.AppendLine("| " + string.Join(" | ", row!.Select(c => c.Replace("|", "/", StringComparison.Ordinal))) + " |");
        }

        return text.ToString();
    }
}
