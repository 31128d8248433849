using System.Text.RegularExpressions;

namespace Reactor.Tests.Docs;

/// <summary>
/// Keeps the docs from rotting: a code block preceded by <c>&lt;!-- snippet: path --&gt;</c> (a file) or
/// <c>&lt;!-- snippet: path#name --&gt;</c> (the lines between <c>// &lt;snippet name&gt;</c> and
/// <c>// &lt;/snippet&gt;</c> in that file) must be exactly that source, which the build compiles.
/// </summary>
public partial class DocSnippetTests
{
    internal static readonly string RepositoryRoot = FindRepositoryRoot();

    public static TheoryData<string, string, string> Snippets
    {
        get
        {
            var data = new TheoryData<string, string, string>();
            foreach (var page in Pages())
            {
                foreach (Match match in SnippetPattern().Matches(File.ReadAllText(page).ReplaceLineEndings("\n")))
                {
                    data.Add(Path.GetFileName(page), match.Groups["source"].Value, match.Groups["code"].Value);
                }
            }

            return data;
        }
    }

    [Theory]
    [MemberData(nameof(Snippets))]
    public void A_code_block_marked_as_a_snippet_is_exactly_its_source(string page, string source, string code)
    {
        _ = page;
        var parts = source.Split('#', 2);
        var path = Path.Combine(RepositoryRoot, parts[0]);
        File.Exists(path).Should().BeTrue($"{source} must exist");
        var text = File.ReadAllText(path).ReplaceLineEndings("\n");
        var expected = parts.Length == 1 ? text : Region(text, parts[1]);
        code.TrimEnd().Should().Be(expected.TrimEnd(), $"the block in {page} must match {source}");
    }

    [Fact]
    public void The_docs_contain_snippets()
    {
        Snippets.Should().NotBeEmpty();
    }

    [Fact]
    public void Every_CSharp_block_in_the_docs_is_a_checked_snippet()
    {
        var unmarked = new List<string>();
        foreach (var page in Pages())
        {
            var lines = File.ReadAllText(page).ReplaceLineEndings("\n").Split('\n');
            for (int i = 0; i < lines.Length; i++)
            {
                if (!CSharpFence().IsMatch(lines[i]))
                {
                    continue;
                }

                // The snippet pattern reads only an unindented ```csharp right under its marker.
                var marked = i > 0 && MarkerLine().IsMatch(lines[i - 1]);
                if (!marked || lines[i] != "```csharp")
                {
                    unmarked.Add($"{Path.GetRelativePath(RepositoryRoot, page)}:{i + 1}: {lines[i].Trim()}");
                }
            }
        }

        unmarked.Should().BeEmpty(
            "every C# block must be a ```csharp block right under a <!-- snippet: path#name --> marker, so the build compiles it " +
            "(put the code in a // <snippet name> region of a compiled file, e.g. under tests/Reactor.Tests/Docs/)");
    }

    [Fact]
    public void Every_table_row_in_the_docs_is_in_a_table_with_a_header()
    {
        var orphans = new List<string>();
        foreach (var page in Pages())
        {
            var lines = File.ReadAllText(page).ReplaceLineEndings("\n").Split('\n');
            var inFence = false;
            for (int i = 0; i < lines.Length; i++)
            {
                if (lines[i].TrimStart().StartsWith("```", StringComparison.Ordinal))
                {
                    inFence = !inFence;
                    continue;
                }

                // The first row of a run of rows is a table's header only if a |---| row follows it.
                var startsRun = !inFence && lines[i].StartsWith('|') && (i == 0 || !lines[i - 1].StartsWith('|'));
                if (startsRun && (i + 1 == lines.Length || !TableDelimiter().IsMatch(lines[i + 1])))
                {
                    orphans.Add($"{Path.GetRelativePath(RepositoryRoot, page)}:{i + 1}: {lines[i]}");
                }
            }
        }

        orphans.Should().BeEmpty("rows that a paragraph cut off from their table render as plain text: keep a table's rows together, notes after it");
    }

    private static IEnumerable<string> Pages() =>
        Directory.GetFiles(Path.Combine(RepositoryRoot, "docs"), "*.md").Append(Path.Combine(RepositoryRoot, "README.md"));

    private static string Region(string text, string name)
    {
        var start = text.IndexOf($"// <snippet {name}>\n", StringComparison.Ordinal);
        start.Should().BeGreaterThanOrEqualTo(0, $"region '{name}' must exist");
        start = text.IndexOf('\n', start) + 1;
        var end = text.IndexOf("// </snippet>", start, StringComparison.Ordinal);
        end.Should().BeGreaterThan(start);
        var lines = text[start..end].TrimEnd(' ').Split('\n');
        var indent = lines.Where(l => l.Trim().Length > 0).Min(l => l.Length - l.TrimStart().Length);
        return string.Join('\n', lines.Select(l => l.Length >= indent ? l[indent..] : l.TrimStart()));
    }

    private static string FindRepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Reactor.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("Reactor.sln not found above the test binaries.");
    }

    [GeneratedRegex(@"<!-- snippet: (?<source>[^ ]+) -->\n```csharp\n(?<code>.*?)```", RegexOptions.Singleline)]
    private static partial Regex SnippetPattern();

    /// <summary>An opening fence of a C# block, however it is spelled or indented.</summary>
    [GeneratedRegex(@"^\s*```\s*(csharp|cs|c#)\s*$", RegexOptions.IgnoreCase)]
    private static partial Regex CSharpFence();

    [GeneratedRegex(@"^<!-- snippet: [^ ]+ -->$")]
    private static partial Regex MarkerLine();

    [GeneratedRegex(@"^\|(\s*:?-+:?\s*\|)+\s*$")]
    private static partial Regex TableDelimiter();
}
