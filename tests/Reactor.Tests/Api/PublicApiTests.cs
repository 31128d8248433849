using System.Reflection;
using Reactor.Tests.Docs;

namespace Reactor.Tests.Api;

/// <summary>
/// The public surface of each package is listed in a checked-in <c>PublicAPI.txt</c> beside its project, so any change to
/// it is deliberate and reviewed: a type or member added, removed or changed (nullability included) fails here until the
/// file is updated. To update it after a deliberate change:
/// <c>REACTOR_UPDATE_PUBLIC_API=1 dotnet test tests/Reactor.Tests --filter FullyQualifiedName~PublicApiTests</c>.
/// </summary>
public class PublicApiTests
{
    private const string UpdateVariable = "REACTOR_UPDATE_PUBLIC_API";

    public static TheoryData<string> Packages => ["Reactor", "Reactor.Hosting"];

    [Theory]
    [MemberData(nameof(Packages))]
    public void The_public_API_is_the_one_listed_in_PublicAPI_txt(string package)
    {
        var assembly = package == "Reactor" ? typeof(IReactor).Assembly : typeof(Reactor.Hosting.Internal.HostingLog).Assembly;
        var actual = PublicApiDescriber.Describe(assembly);
        var path = Path.Combine(DocSnippetTests.RepositoryRoot, "src", package, "PublicAPI.txt");
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
                $"# The public API of the {package} package, one declaration a line. Checked by tests/Reactor.Tests/Api/PublicApiTests.cs;",
                $"# after a deliberate change, regenerate with: {UpdateVariable}=1 dotnet test tests/Reactor.Tests --filter FullyQualifiedName~PublicApiTests",
                .. actual,
            ]);
            return;
        }

        var added = actual.Except(listed).Select(l => "+ " + l);
        var removed = listed.Except(actual).Select(l => "- " + l);
        Assert.Fail(
            $"The public API of {package} differs from src/{package}/PublicAPI.txt:\n" +
            string.Join('\n', removed.Concat(added)) +
            $"\n\nIf the change is deliberate, regenerate the file and commit it with the change:\n" +
            $"  {UpdateVariable}=1 dotnet test tests/Reactor.Tests --filter FullyQualifiedName~PublicApiTests");
    }
}
