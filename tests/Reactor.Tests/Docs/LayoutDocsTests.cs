using System.Text.RegularExpressions;

namespace Reactor.Tests.Docs;

/// <summary>
/// The "Where things are" tables of docs/architecture.md stay true: every folder under <c>src/</c> has a row, every row
/// names a folder that exists, and every test folder either mirrors a source folder or has a row.
/// </summary>
public partial class LayoutDocsTests
{
    private static readonly string Root = DocSnippetTests.RepositoryRoot;

    [Fact]
    public void Every_folder_under_src_is_in_the_Where_things_are_table()
    {
        var listed = ListedFolders();
        var missing = Folders("src").Where(f => !listed.Contains(f)).ToList();

        listed.Should().Contain("src/Reactor");
        missing.Should().BeEmpty("docs/architecture.md's \"Where things are\" table must say what each folder under src/ holds");
    }

    [Fact]
    public void Every_folder_the_table_names_exists()
    {
        ListedFolders().Where(f => !Directory.Exists(Path.Combine(Root, f))).Should().BeEmpty();
    }

    [Fact]
    public void Every_test_folder_mirrors_a_source_folder_or_is_in_the_table()
    {
        var listed = ListedFolders();
        var strays = Folders(Path.Combine("tests", "Reactor.Tests"))
            .Where(f => !listed.Contains(f) && !Mirrors(f["tests/Reactor.Tests/".Length..]))
            .Concat(Directory.GetDirectories(Path.Combine(Root, "tests"))
                .Select(d => Relative(d))
                .Where(f => f != "tests/Reactor.Tests" && !listed.Contains(f)))
            .ToList();

        strays.Should().BeEmpty(
            "tests mirror src: a test folder is named after the source folder it tests (under src/Reactor/ or src/Reactor/Internal/), " +
            "or it is a repository-wide folder with its own row in docs/architecture.md");
    }

    /// <summary>A test folder mirrors <c>src/Reactor/X</c>, <c>src/Reactor/Internal/X</c> or the project <c>src/Reactor.X</c>.</summary>
    private static bool Mirrors(string testFolder) =>
        Directory.Exists(Path.Combine(Root, "src", "Reactor", testFolder)) ||
        Directory.Exists(Path.Combine(Root, "src", "Reactor", "Internal", testFolder)) ||
        Directory.Exists(Path.Combine(Root, "src", "Reactor." + testFolder.Split('/')[0]));

    /// <summary>Every folder under <paramref name="folder"/> (itself excluded), repository-relative with '/', build output skipped.</summary>
    private static List<string> Folders(string folder) =>
        Directory.EnumerateDirectories(Path.Combine(Root, folder), "*", SearchOption.AllDirectories)
            .Where(d => !DecisionsDocsTests.IsBuildOutput(d) && !Path.GetFileName(d).StartsWith('.'))
            .Select(Relative)
            .Order(StringComparer.Ordinal)
            .ToList();

    /// <summary>The folders named in the first column of the tables under "## Where things are".</summary>
    private static HashSet<string> ListedFolders()
    {
        var page = File.ReadAllText(Path.Combine(Root, "docs", "architecture.md")).ReplaceLineEndings("\n");
        var start = page.IndexOf("\n## Where things are\n", StringComparison.Ordinal);
        start.Should().BeGreaterThanOrEqualTo(0, "docs/architecture.md has a \"Where things are\" section");
        var end = page.IndexOf("\n## ", start + 1, StringComparison.Ordinal);
        var section = end < 0 ? page[start..] : page[start..end];
        return FirstCell().Matches(section)
            .SelectMany(row => Backticked().Matches(row.Groups[1].Value).Select(m => m.Groups[1].Value.TrimEnd('/')))
            .ToHashSet(StringComparer.Ordinal);
    }

    private static string Relative(string path) => Path.GetRelativePath(Root, path).Replace(Path.DirectorySeparatorChar, '/');

    [GeneratedRegex(@"^\| ([^|]+) \|", RegexOptions.Multiline)]
    private static partial Regex FirstCell();

    [GeneratedRegex("`([^`]+)`")]
    private static partial Regex Backticked();
}
