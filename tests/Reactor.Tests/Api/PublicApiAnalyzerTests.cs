using System.Diagnostics;
using Reactor.Tests.Docs;

namespace Reactor.Tests.Api;

/// <summary>
/// A deliberate change to the public API fails the build until it is recorded in <c>PublicAPI.Unshipped.txt</c>, its
/// nullability included: src/Reactor, copied with the build settings it inherits to a folder of its own (so the
/// repository's obj/ and bin/ are untouched), gains a public class with two members. One member is not recorded
/// (RS0016), the other is recorded with the wrong nullability (RS0016 for the real one, RS0017 for the recorded one);
/// once the three lines the analyzer names are in the file, the same build passes.
/// </summary>
public class PublicApiAnalyzerTests
{
    private const string Probe = """
        namespace Reactor;

        /// <summary>A public type added by the test to show that the build fails until it is recorded.</summary>
        public static class ApiProbe
        {
            /// <summary>A member whose declaration is missing from PublicAPI.Unshipped.txt.</summary>
            /// <param name="name">A name.</param>
            /// <returns>The name, or null.</returns>
            public static string? Describe(string name) => name;

            /// <summary>A member recorded with the wrong nullability.</summary>
            /// <param name="name">A name, or null.</param>
            /// <returns>Its length.</returns>
            public static int Measure(string? name) => name?.Length ?? 0;
        }
        """;

    [Fact]
    [Trait("kind", "packaging")]
    public void A_public_member_fails_the_build_until_PublicAPI_Unshipped_txt_records_it_with_its_nullability()
    {
        var copy = CopyLibrary();
        try
        {
            var project = Path.Combine(copy, "src", "Reactor");
            var unshipped = Path.Combine(project, "PublicAPI.Unshipped.txt");
            File.WriteAllText(Path.Combine(project, "ApiProbe.cs"), Probe);
            File.AppendAllLines(unshipped, ["static Reactor.ApiProbe.Measure(string! name) -> int"]);

            var (failed, output) = Build(project);
            failed.Should().NotBe(0, "an unrecorded public member is a build error");
            var errors = output.Split('\n').Where(l => l.Contains("error RS00", StringComparison.Ordinal)).Select(l => l.Trim()).Distinct().ToList();
            errors.Should().Contain(l => l.Contains("error RS0016: Symbol 'Reactor.ApiProbe' is not part of the declared public API", StringComparison.Ordinal), output);
            errors.Should().Contain(l => l.Contains("error RS0016: Symbol 'static Reactor.ApiProbe.Describe(string! name) -> string?' is not part of the declared public API", StringComparison.Ordinal));
            errors.Should().Contain(l => l.Contains("error RS0016: Symbol 'static Reactor.ApiProbe.Measure(string? name) -> int' is not part of the declared public API", StringComparison.Ordinal));
            errors.Should().Contain(l => l.Contains("error RS0017: Symbol 'static Reactor.ApiProbe.Measure(string! name) -> int' is part of the declared API", StringComparison.Ordinal));
            errors.Select(l => l[..l.IndexOf(" [", StringComparison.Ordinal)]).Should().HaveCount(4, "nothing else in the library is unrecorded:\n" + string.Join('\n', errors));

            var lines = File.ReadAllLines(unshipped).Where(l => !l.Contains("ApiProbe.Measure(string! name)", StringComparison.Ordinal));
            File.WriteAllLines(unshipped, [
                .. lines,
                "Reactor.ApiProbe",
                "static Reactor.ApiProbe.Describe(string! name) -> string?",
                "static Reactor.ApiProbe.Measure(string? name) -> int",
            ]);
            var (passed, recorded) = Build(project, "--no-restore");
            passed.Should().Be(0, $"the member is recorded now:\n{recorded}");
        }
        finally
        {
            Directory.Delete(copy, recursive: true);
        }
    }

    /// <summary>src/Reactor without its bin/ and obj/, and the files above it that configure its build.</summary>
    private static string CopyLibrary()
    {
        var root = DocSnippetTests.RepositoryRoot;
        var copy = Directory.CreateTempSubdirectory("reactor-api-probe-").FullName;
        foreach (var file in new[] { "Directory.Build.props", "Directory.Packages.props", ".editorconfig", "global.json", "src/Directory.Build.props" })
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(copy, file))!);
            File.Copy(Path.Combine(root, file), Path.Combine(copy, file));
        }

        var library = Path.Combine(root, "src", "Reactor");
        foreach (var file in Directory.EnumerateFiles(library, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(library, file);
            if (relative.StartsWith("bin" + Path.DirectorySeparatorChar, StringComparison.Ordinal) || relative.StartsWith("obj" + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            {
                continue;
            }

            var target = Path.Combine(copy, "src", "Reactor", relative);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }

        return copy;
    }

    private static (int ExitCode, string Output) Build(string project, params string[] options)
    {
        var start = new ProcessStartInfo("dotnet", ["build", project, "-c", "Release", "--nologo", "-nodeReuse:false", "-clp:NoSummary", .. options])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(4)))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail("dotnet build of the copied library did not finish within 4 minutes");
        }

        return (process.ExitCode, stdout.Result + stderr.Result);
    }
}
