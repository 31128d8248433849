using System.Reflection;
using System.Text.RegularExpressions;

namespace Reactor.Tests.Docs;

/// <summary>
/// Reads the "<c>file</c> → <c>test</c>" references of a docs page (docs/decisions.md, docs/reliability.md): a
/// backticked path of a test file under <c>tests/Reactor.Tests/</c>, then the backticked names of tests in it, up to the
/// next test file the page names.
/// </summary>
internal static partial class TestReferences
{
    internal static readonly string TestsRoot = Path.Combine(DocSnippetTests.RepositoryRoot, "tests", "Reactor.Tests");

    /// <summary>Every test method of this assembly (xUnit's [Fact], and [Theory] and the project's attributes that derive from it).</summary>
    internal static readonly HashSet<string> TestMethods = typeof(TestReferences).Assembly.GetTypes()
        .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly))
        .Where(m => m.GetCustomAttributes<FactAttribute>(inherit: true).Any())
        .Select(m => m.Name)
        .ToHashSet(StringComparer.Ordinal);

    /// <summary>The test each reference names, with the file it names it in (<c>null</c> when no test file came before it).</summary>
    /// <param name="markdown">The page, or a part of it.</param>
    /// <param name="firstLine">The page's line number of <paramref name="markdown"/>'s first line, for the messages.</param>
    internal static List<Reference> In(string markdown, int firstLine = 1)
    {
        var references = new List<Reference>();
        string? file = null;
        var lines = markdown.ReplaceLineEndings("\n").Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            foreach (Match span in Backticked().Matches(lines[i]))
            {
                var text = span.Groups[1].Value;
                if (TestFile().IsMatch(text))
                {
                    file = text;
                }
                else if (TestName().IsMatch(text))
                {
                    references.Add(new Reference(firstLine + i, file, text));
                }
            }
        }

        return references;
    }

    /// <summary>Why <paramref name="reference"/> does not name a test in its file, or <c>null</c> when it does.</summary>
    internal static string? Problem(Reference reference)
    {
        if (reference.File is null)
        {
            return $"line {reference.Line}: `{reference.Test}` comes before any test file (write `Folder/FileTests.cs` → `{reference.Test}`)";
        }

        var path = Path.Combine(TestsRoot, reference.File);
        if (!File.Exists(path))
        {
            return $"line {reference.Line}: {reference.File} does not exist under tests/Reactor.Tests/";
        }

        if (!Regex.IsMatch(File.ReadAllText(path), $@"\b(void|Task)\s+{Regex.Escape(reference.Test)}\s*\("))
        {
            return $"line {reference.Line}: {reference.File} declares no method {reference.Test}";
        }

        return TestMethods.Contains(reference.Test) ? null : $"line {reference.Line}: {reference.Test} is not a [Fact] or [Theory]";
    }

    internal sealed record Reference(int Line, string? File, string Test);

    [GeneratedRegex("`([^`]+)`")]
    private static partial Regex Backticked();

    /// <summary>A test file, as the pages name it: relative to tests/Reactor.Tests/.</summary>
    [GeneratedRegex(@"^[\w/]+Tests\.cs$")]
    private static partial Regex TestFile();

    /// <summary>A sentence-named test: capitalised, at least two underscores, not an all-capitals constant such as IP_MULTICAST_ALL.</summary>
    [GeneratedRegex(@"^[A-Z](?=\w*[a-z])\w*_\w+_\w+$")]
    private static partial Regex TestName();
}
