using System.Globalization;
using System.Text;

namespace Reactor.Benchmarks.Runner;

/// <summary>One round of one server in one scenario.</summary>
internal sealed record RoundResult(string ServerKey, string ScenarioKey, int Round, LoadResult? Load, long? Datagrams, long? AllocatedBytes, string? Error);

/// <summary>One line of the table: the rounds of one server in one scenario, summarised.</summary>
internal sealed record TableRow(
    string Server,
    string Scenario,
    double? MedianRate,
    double? MinRate,
    double? MaxRate,
    double? P50,
    double? P99,
    double? Ratio,
    double? BytesPerDatagram,
    int Rounds,
    long Lost,
    string Note);

/// <summary>Builds the table from the rounds and prints it as text (console) and markdown (docs).</summary>
internal static class ResultTable
{
    public const string CeilingKey = "loadgen-self";

    private static readonly string[] Headers =
        ["server", "scenario", "datagrams/s (median)", "min–max", "p50 RTT µs", "p99 RTT µs", "× C ref", "B/datagram", "rounds", "lost"];

    public static List<TableRow> Build(
        IReadOnlyList<RoundResult> results,
        IReadOnlyList<(string Key, string Title, string? SkipReason)> servers,
        IReadOnlyList<Scenario> scenarios)
    {
        var rows = new List<TableRow>();
        foreach (var scenario in scenarios)
        {
            var reference = Median(results.Where(r => r.ServerKey == scenario.ReferenceServer && r.ScenarioKey == scenario.Key && r.Load is not null).Select(r => r.Load!.Rate));
            foreach (var (key, title, skipReason) in servers)
            {
                if (skipReason is not null)
                {
                    rows.Add(new TableRow(title, scenario.Title, null, null, null, null, null, null, null, 0, 0, $"skipped: {skipReason}"));
                    continue;
                }

                var rounds = results.Where(r => r.ServerKey == key && r.ScenarioKey == scenario.Key).ToList();
                var good = rounds.Where(r => r.Load is not null).Select(r => r.Load!).ToList();
                var errors = rounds.Where(r => r.Error is not null).Select(r => r.Error!).Distinct().ToList();
                if (good.Count == 0)
                {
                    rows.Add(new TableRow(title, scenario.Title, null, null, null, null, null, null, null, 0, 0, errors.Count > 0 ? $"failed: {errors[0]}" : "not run"));
                    continue;
                }

                var rate = Median(good.Select(g => g.Rate));
                var datagrams = rounds.Sum(r => r.Datagrams ?? 0);
                var bytes = rounds.Sum(r => r.AllocatedBytes ?? 0);
                double? perDatagram = datagrams > 0 ? bytes / (double)datagrams : null;
                var note = errors.Count > 0 ? $"{rounds.Count - good.Count} round(s) failed: {errors[0]}" : string.Empty;
                if (key == scenario.ReferenceServer)
                {
                    note = (note + " reference").Trim();
                }

                rows.Add(new TableRow(
                    title,
                    scenario.Title,
                    rate,
                    good.Min(g => g.Rate),
                    good.Max(g => g.Rate),
                    Median(good.Select(g => g.P50Microseconds)),
                    Median(good.Select(g => g.P99Microseconds)),
                    reference is > 0 && rate is not null ? rate / reference : null,
                    perDatagram,
                    good.Count,
                    good.Sum(g => g.Lost),
                    note));
            }
        }

        return rows;
    }

    public static string ToText(IReadOnlyList<TableRow> rows)
    {
        var cells = rows.Select(Cells).ToList();
        var widths = Headers.Select((h, i) => Math.Max(h.Length, cells.Count == 0 ? 0 : cells.Max(c => c[i].Length))).ToArray();
        var text = new StringBuilder();
        void Line(IReadOnlyList<string> values)
        {
            for (var i = 0; i < values.Count; i++)
            {
                var numeric = i >= 2;
                text.Append(numeric ? values[i].PadLeft(widths[i]) : values[i].PadRight(widths[i]));
                text.Append(i + 1 < values.Count ? "  " : string.Empty);
            }

            text.AppendLine();
        }

        Line(Headers);
        Line(widths.Select(w => new string('-', w)).ToArray());
        string? previousScenario = null;
        foreach (var (row, values) in rows.Zip(cells))
        {
            if (previousScenario is not null && previousScenario != row.Scenario)
            {
                text.AppendLine();
            }

            previousScenario = row.Scenario;
            Line(values);
            if (row.Note.Length > 0 && row.MedianRate is null)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"    ({row.Note})");
            }
        }

        return text.ToString();
    }

    public static string ToMarkdown(IReadOnlyList<TableRow> rows)
    {
        var text = new StringBuilder();
        text.AppendLine("| " + string.Join(" | ", Headers) + " |");
        text.AppendLine("|" + string.Join("|", Headers.Select((_, i) => i >= 2 ? "---:" : "---")) + "|");
        foreach (var row in rows)
        {
            var values = Cells(row);
            if (row.Note.Length > 0 && row.MedianRate is null)
            {
                values[2] = row.Note.Replace("|", "/", StringComparison.Ordinal);
            }

            text.AppendLine("| " + string.Join(" | ", values) + " |");
        }

        return text.ToString();
    }

    private static string[] Cells(TableRow row) =>
    [
        row.Server,
        row.Scenario,
        Format(row.MedianRate, "N0"),
        row.MinRate is null ? "–" : $"{Format(row.MinRate, "N0")}–{Format(row.MaxRate, "N0")}",
        Format(row.P50, "N1"),
        Format(row.P99, "N1"),
        Format(row.Ratio, "N2") + (row.Note.Contains("reference", StringComparison.Ordinal) ? " (ref)" : string.Empty),
        Format(row.BytesPerDatagram, "N2"),
        row.Rounds.ToString(CultureInfo.InvariantCulture),
        row.MedianRate is null ? "–" : row.Lost.ToString(CultureInfo.InvariantCulture),
    ];

    private static string Format(double? value, string format) =>
        value is { } v ? v.ToString(format, CultureInfo.InvariantCulture) : "–";

    private static double? Median(IEnumerable<double> values)
    {
        var sorted = values.OrderBy(v => v).ToList();
        if (sorted.Count == 0)
        {
            return null;
        }

        var middle = sorted.Count / 2;
        return sorted.Count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }
}
