using System.Diagnostics;
using System.Security.Cryptography;
using Reactor.Tests.Docs;

namespace Reactor.Tests.Api;

/// <summary>Decision D46 (docs/decisions.md): a Release pack of the same commit is byte-identical wherever it is made.</summary>
public class PackageTests
{
    [Fact]
    [Trait("kind", "packaging")]
    public void Packing_twice_gives_byte_identical_packages()
    {
        var first = Pack();
        var second = Pack();
        try
        {
            var packages = Directory.GetFiles(first, "*.*nupkg").Select(Path.GetFileName).Order().ToList();
            packages.Should().Contain(p => p!.EndsWith(".nupkg", StringComparison.Ordinal)).And.Contain(p => p!.EndsWith(".snupkg", StringComparison.Ordinal));
            foreach (var package in packages)
            {
                Hash(Path.Combine(second, package!)).Should().Be(Hash(Path.Combine(first, package!)), $"{package} must not depend on when it was packed");
            }
        }
        finally
        {
            Directory.Delete(first, recursive: true);
            Directory.Delete(second, recursive: true);
        }
    }

    private static string Pack()
    {
        var output = Directory.CreateTempSubdirectory("reactor-pack-").FullName;
        var start = new ProcessStartInfo("dotnet", ["pack", Path.Combine(DocSnippetTests.RepositoryRoot, "src", "Reactor", "Reactor.csproj"), "-c", "Release", "-o", output, "--nologo", "-v", "quiet"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.WaitForExit(TimeSpan.FromMinutes(3)).Should().BeTrue("a pack finishes in minutes");
        process.ExitCode.Should().Be(0, $"dotnet pack failed: {stdout.Result}{stderr.Result}");
        return output;
    }

    private static string Hash(string path) => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(path)));
}
