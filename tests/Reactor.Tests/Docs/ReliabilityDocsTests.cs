using System.Text.RegularExpressions;

namespace Reactor.Tests.Docs;

/// <summary>
/// docs/reliability.md pairs each guarantee with its tests ("a guarantee without a test here is not a guarantee"): every
/// test it names exists in the file it names, and every file it names exists, so a moved or renamed test fails here
/// instead of leaving the page pointing at nothing.
/// </summary>
public partial class ReliabilityDocsTests
{
    private static readonly string Page = File.ReadAllText(
        Path.Combine(DocSnippetTests.RepositoryRoot, "docs", "reliability.md")).ReplaceLineEndings("\n");

    [Fact]
    public void Every_test_the_page_names_exists_in_the_file_it_names()
    {
        var references = TestReferences.In(Page);

        references.Should().HaveCountGreaterThan(50);
        references.Select(TestReferences.Problem).OfType<string>().Should().BeEmpty();
    }

    [Fact]
    public void Every_file_the_page_names_exists()
    {
        // Paths are relative to tests/Reactor.Tests/ (tests, helpers, drivers) or src/Reactor/ (the code they describe).
        var missing = SourcePath().Matches(Page)
            .Select(m => m.Groups[1].Value)
            .Where(path => !File.Exists(Path.Combine(TestReferences.TestsRoot, path)) &&
                           !File.Exists(Path.Combine(DocSnippetTests.RepositoryRoot, "src", "Reactor", path)) &&
                           !File.Exists(Path.Combine(DocSnippetTests.RepositoryRoot, path)))
            .ToList();

        missing.Should().BeEmpty();
    }

    [GeneratedRegex(@"`([\w./]+\.(?:cs|py|sh))`")]
    private static partial Regex SourcePath();
}
