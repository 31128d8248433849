using Reactor.Tests.Docs;

namespace Reactor.Tests.Api;

/// <summary>
/// The compiler checks every public member, with its nullability, against <c>PublicAPI.Shipped.txt</c> and
/// <c>PublicAPI.Unshipped.txt</c> (Microsoft.CodeAnalysis.PublicApiAnalyzers, RS0016/RS0017). What those files do not
/// record — each public type's kind, modifiers, base class, interfaces and constraints, and which members are only
/// protected — is listed in <c>PublicTypes.txt</c> beside each project and checked here (<see cref="PublicTypeDescriber"/>).
/// After a deliberate change:
/// <c>REACTOR_UPDATE_PUBLIC_API=1 dotnet test tests/Reactor.Tests -c Release --filter FullyQualifiedName~PublicTypeTests</c>.
/// </summary>
public class PublicTypeTests
{
    private const string UpdateVariable = "REACTOR_UPDATE_PUBLIC_API";

    public static TheoryData<string> Packages => ["Reactor", "Reactor.Hosting"];

    [Theory]
    [MemberData(nameof(Packages))]
    public void The_public_types_are_declared_as_PublicTypes_txt_lists(string package)
    {
        var assembly = package == "Reactor" ? typeof(IReactor).Assembly : typeof(Reactor.Hosting.Internal.HostingLog).Assembly;
        var actual = PublicTypeDescriber.Describe(assembly);
        var path = Path.Combine(DocSnippetTests.RepositoryRoot, "src", package, "PublicTypes.txt");
        var listed = File.Exists(path)
            ? File.ReadAllLines(path).Where(l => l.Length > 0 && !l.StartsWith('#')).ToList()
            : [];

        if (actual.SequenceEqual(listed))
        {
            return;
        }

        if (Environment.GetEnvironmentVariable(UpdateVariable) == "1")
        {
            File.WriteAllLines(path, [
                $"# The public types of {package} as declared: kind, modifiers, base class, interfaces, constraints, and the members",
                "# that are only protected. Everything else about the public API (every member, with nullability) is in",
                "# PublicAPI.Shipped.txt/PublicAPI.Unshipped.txt, which the compiler checks. Checked by tests/Reactor.Tests/Api/PublicTypeTests.cs;",
                $"# after a deliberate change: {UpdateVariable}=1 dotnet test tests/Reactor.Tests -c Release --filter FullyQualifiedName~PublicTypeTests",
                .. actual,
            ]);
            return;
        }

        var added = actual.Except(listed).Select(l => "+ " + l.Trim());
        var removed = listed.Except(actual).Select(l => "- " + l.Trim());
        Assert.Fail(
            $"The public types of {package} differ from src/{package}/PublicTypes.txt:\n" +
            string.Join('\n', removed.Concat(added)) +
            "\n\nIf the change is deliberate, regenerate the file and commit it with the change (and say what breaks in CHANGELOG.md):\n" +
            $"  {UpdateVariable}=1 dotnet test tests/Reactor.Tests -c Release --filter FullyQualifiedName~PublicTypeTests");
    }
}
