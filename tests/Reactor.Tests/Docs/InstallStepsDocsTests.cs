using System.Text.RegularExpressions;

namespace Reactor.Tests.Docs;

/// <summary>
/// The install steps are written twice (README.md and docs/getting-started.md) and run once, by tests/consumer/run.sh,
/// from the README: the getting-started page must say exactly the same, block for block.
/// </summary>
public partial class InstallStepsDocsTests
{
    private static List<string> InstallBlocks(string relativePath) =>
        [.. ConsumerTestBlock().Matches(File.ReadAllText(Path.Combine(DocSnippetTests.RepositoryRoot, relativePath)).ReplaceLineEndings("\n"))
            .Select(m => m.Value)];

    [Fact]
    public void The_getting_started_page_gives_the_README_install_steps_that_the_consumer_test_runs()
    {
        var readme = InstallBlocks("README.md");
        readme.Should().HaveCountGreaterThanOrEqualTo(3, "the README has the pack, nuget.config and add-package blocks");
        InstallBlocks(Path.Combine("docs", "getting-started.md")).Should().Equal(readme);
    }

    [Fact]
    public void The_install_steps_pack_into_the_folder_the_nuget_config_names()
    {
        var steps = string.Join('\n', InstallBlocks("README.md"));
        steps.Should().Contain("dotnet pack reactor -c Release").And.Contain("value=\"../reactor/artifacts/packages\"")
            .And.Contain("dotnet add package ReactorNet");
        File.ReadAllText(Path.Combine(DocSnippetTests.RepositoryRoot, "src", "Directory.Build.props"))
            .Should().Contain("'artifacts', 'packages'", "PackageOutputPath is where the documented feed is");
    }

    [GeneratedRegex(@"<!-- consumer-test: [^ ]+ -->\n```\w*\n.*?```", RegexOptions.Singleline)]
    private static partial Regex ConsumerTestBlock();
}
