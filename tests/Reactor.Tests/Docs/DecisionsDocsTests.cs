using System.Text.RegularExpressions;

namespace Reactor.Tests.Docs;

/// <summary>
/// docs/decisions.md is the register of the project's decisions (where Reactor deliberately differs from Twisted): every
/// decision the code or the docs cite is defined there, once, with its rule, Twisted's behaviour and tests that exist.
/// </summary>
public partial class DecisionsDocsTests
{
    private static readonly string Root = DocSnippetTests.RepositoryRoot;
    private static readonly string Page = File.ReadAllText(Path.Combine(Root, "docs", "decisions.md")).ReplaceLineEndings("\n");

    /// <summary>Where decisions may be cited: sources, samples, tests and their scripts, and every page.</summary>
    private static readonly string[] CitingFolders = ["src", "samples", "tests", "docs"];
    private static readonly string[] CitingExtensions = [".cs", ".md", ".py", ".sh"];

    [Fact]
    public void Every_decision_cited_in_the_repository_is_defined_in_docs_decisions_md()
    {
        var defined = Decisions().Select(d => d.Number).Concat(Reserved()).ToHashSet();
        var undefined = Citations().Where(c => !defined.Contains(c.Number)).Select(c => $"{c.Where}: D{c.Number}").ToList();

        Citations().Should().NotBeEmpty();
        undefined.Should().BeEmpty("every decision cited must have its own '### D<n>. <title>' entry in docs/decisions.md");
    }

    [Fact]
    public void Decisions_are_numbered_from_1_in_order_each_defined_once()
    {
        // Numbers kept for decisions whose code has not landed yet are listed on the page as **Reserved:**.
        var numbers = Decisions().Select(d => d.Number).ToList();
        var reserved = Reserved();

        numbers.Should().NotBeEmpty();
        numbers.Should().BeInAscendingOrder().And.OnlyHaveUniqueItems();
        numbers.Intersect(reserved).Should().BeEmpty("a reserved number is not defined yet");
        numbers.Concat(reserved).Order().Should().Equal(Enumerable.Range(1, numbers.Count + reserved.Count), "a number, once given, keeps its meaning, and none is skipped");
    }

    [Fact]
    public void Every_decision_states_the_rule_Twisteds_behaviour_and_tests_that_pin_it()
    {
        var incomplete = new List<string>();
        foreach (var decision in Decisions())
        {
            foreach (var part in new[] { "**Reactor.**", "**Twisted.**", "**Tests.**" })
            {
                if (!decision.Body.Split('\n').Any(l => l.StartsWith(part, StringComparison.Ordinal)))
                {
                    incomplete.Add($"D{decision.Number} has no paragraph starting {part}");
                }
            }

            if (TestsOf(decision).Count == 0)
            {
                incomplete.Add($"D{decision.Number} names no test (`Folder/FileTests.cs` → `Test_name`)");
            }
        }

        incomplete.Should().BeEmpty();
    }

    [Fact]
    public void Every_test_a_decision_names_exists_in_the_file_it_names()
    {
        var problems = Decisions()
            .SelectMany(d => TestsOf(d).Select(r => (d.Number, Problem: TestReferences.Problem(r))))
            .Where(p => p.Problem is not null)
            .Select(p => $"D{p.Number}: {p.Problem}")
            .ToList();

        problems.Should().BeEmpty();
    }

    [Fact]
    public void Public_XML_docs_that_cite_a_decision_point_to_docs_decisions_md()
    {
        // IntelliSense shows the XML docs, not this repository: a doc comment must state the rule itself and may then
        // add "(decision D9 in docs/decisions.md)", never a bare number.
        var bare = new List<string>();
        foreach (var file in PublicSourceFiles())
        {
            foreach (var block in DocCommentBlocks(File.ReadAllLines(file)))
            {
                if (Citation().IsMatch(block.Text) && !block.Text.Contains("docs/decisions.md", StringComparison.Ordinal))
                {
                    bare.Add($"{Path.GetRelativePath(Root, file)}:{block.Line}");
                }
            }
        }

        bare.Should().BeEmpty();
    }

    [Fact]
    public void Links_to_a_decision_reach_its_heading()
    {
        var anchors = Decisions().Select(d => Slug($"D{d.Number}. {d.Title}")).ToHashSet(StringComparer.Ordinal);
        var broken = new List<string>();
        foreach (var page in Directory.GetFiles(Path.Combine(Root, "docs"), "*.md").Append(Path.Combine(Root, "README.md")))
        {
            foreach (Match link in DecisionLink().Matches(File.ReadAllText(page)))
            {
                if (!anchors.Contains(link.Groups[1].Value))
                {
                    broken.Add($"{Path.GetFileName(page)}: decisions.md#{link.Groups[1].Value}");
                }
            }
        }

        broken.Should().BeEmpty();
    }

    /// <summary>A decision's entry: its number, its title, and the text under its heading, which starts at <paramref name="BodyStart"/> in the page.</summary>
    internal sealed record Decision(int Number, string Title, string Body, int BodyStart);

    internal static List<Decision> Decisions()
    {
        var headings = DecisionHeading().Matches(Page);
        var decisions = new List<Decision>();
        foreach (Match heading in headings)
        {
            var start = heading.Index + heading.Length;
            var next = AnyHeading().Match(Page, start);
            var end = next.Success ? next.Index : Page.Length;
            decisions.Add(new Decision(int.Parse(heading.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), heading.Groups[2].Value, Page[start..end], start));
        }

        return decisions;
    }

    /// <summary>The tests named in the decision's <c>**Tests.**</c> paragraph.</summary>
    private static List<TestReferences.Reference> TestsOf(Decision decision)
    {
        var start = decision.Body.IndexOf("**Tests.**", StringComparison.Ordinal);
        if (start < 0)
        {
            return [];
        }

        var end = decision.Body.IndexOf("\n\n", start, StringComparison.Ordinal);
        var paragraph = end < 0 ? decision.Body[start..] : decision.Body[start..end];
        var line = Page[..(decision.BodyStart + start)].Count(c => c == '\n') + 1;
        return TestReferences.In(paragraph, line);
    }

    private static List<(string Where, int Number)> Citations()
    {
        var pages = CitingFolders
            .SelectMany(folder => Directory.EnumerateFiles(Path.Combine(Root, folder), "*", SearchOption.AllDirectories))
            .Where(f => CitingExtensions.Contains(Path.GetExtension(f)) && !IsBuildOutput(f))
            .Append(Path.Combine(Root, "README.md"))
            .Append(Path.Combine(Root, "CHANGELOG.md"));
        var citations = new List<(string, int)>();
        foreach (var file in pages)
        {
            var lines = File.ReadAllLines(file);
            for (int i = 0; i < lines.Length; i++)
            {
                foreach (Match match in Citation().Matches(lines[i]))
                {
                    citations.Add(($"{Path.GetRelativePath(Root, file)}:{i + 1}", int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)));
                }
            }
        }

        return citations;
    }

    /// <summary>The public API's sources: <c>src/*/</c> outside <c>Internal/</c>, whose XML docs ship to users.</summary>
    private static IEnumerable<string> PublicSourceFiles() =>
        Directory.EnumerateFiles(Path.Combine(Root, "src"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !IsBuildOutput(f) && !Path.GetRelativePath(Root, f).Split(Path.DirectorySeparatorChar).Contains("Internal"));

    private static IEnumerable<(int Line, string Text)> DocCommentBlocks(string[] lines)
    {
        for (int i = 0; i < lines.Length; i++)
        {
            if (!lines[i].TrimStart().StartsWith("///", StringComparison.Ordinal))
            {
                continue;
            }

            var first = i;
            while (i + 1 < lines.Length && lines[i + 1].TrimStart().StartsWith("///", StringComparison.Ordinal))
            {
                i++;
            }

            yield return (first + 1, string.Join('\n', lines[first..(i + 1)]));
        }
    }

    internal static bool IsBuildOutput(string path) =>
        path.Split(Path.DirectorySeparatorChar).Any(part => part is "bin" or "obj");

    /// <summary>GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens.</summary>
    private static string Slug(string heading) =>
        string.Concat(heading.ToLowerInvariant().Where(c => char.IsLetterOrDigit(c) || c is ' ' or '-' or '_')).Replace(' ', '-');

    [GeneratedRegex(@"\bD(\d+)\b")]
    private static partial Regex Citation();

    /// <summary>The numbers the page's <c>**Reserved:**</c> lines keep for decisions still to come (<c>D29, D33–D39</c>).</summary>
    private static List<int> Reserved()
    {
        var reserved = new List<int>();
        foreach (Match line in ReservedLine().Matches(Page))
        {
            foreach (Match item in ReservedItem().Matches(line.Groups[1].Value))
            {
                var first = int.Parse(item.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
                var last = item.Groups[2].Success ? int.Parse(item.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture) : first;
                reserved.AddRange(Enumerable.Range(first, last - first + 1));
            }
        }

        return reserved;
    }

    [GeneratedRegex(@"^\*\*Reserved:\*\* (.+)$", RegexOptions.Multiline)]
    private static partial Regex ReservedLine();

    [GeneratedRegex(@"D(\d+)(?:[–-]D(\d+))?")]
    private static partial Regex ReservedItem();

    [GeneratedRegex(@"^### D(\d+)\. (.+)$", RegexOptions.Multiline)]
    private static partial Regex DecisionHeading();

    [GeneratedRegex(@"^#{1,3} ", RegexOptions.Multiline)]
    private static partial Regex AnyHeading();

    [GeneratedRegex(@"decisions\.md#([\w-]+)")]
    private static partial Regex DecisionLink();
}
