using System.Text.Json;
using Reactor.Tests.Support;

namespace Reactor.Tests.Samples;

/// <summary>
/// Descriptor exhaustion (decision D22) against the TcpEcho sample as a program (<c>tests/hostile/tcp_descriptors.py</c>):
/// under <c>prlimit --nofile=256</c>, 20 clients echo, a flood of 1,000 connections is held open, and while the server
/// is out of descriptors the 20 are still served, the server uses next to no CPU (it sheds the waiting clients instead of
/// spinning on EMFILE), and once the flood closes the port accepts again; every connection is accounted for
/// (accepted or shed). Both backends: epoll sheds with its reserve descriptor on EMFILE; the portable one never lets its
/// connections take the last descriptors (the .NET runtime under it needs some to start threads, and without them it
/// aborts with "Out of memory."), and sheds past that headroom (D22).
/// </summary>
[Collection(SampleCollection.Name)]
[Trait("kind", "resources")]
public class TcpEchoDescriptorExhaustionTests
{
    [Theory]
    [InlineData("epoll")]
    [InlineData("portable")]
    public void Out_of_descriptors_TcpEcho_serves_its_clients_sheds_the_flood_without_spinning_and_accepts_again(string backend)
    {
        if (!OperatingSystem.IsLinux() || !File.Exists("/usr/bin/prlimit"))
        {
            return; // prlimit (and epoll) are Linux's
        }

        var json = Path.Combine(Path.GetTempPath(), $"tcp-descriptors-{Guid.NewGuid():N}.json");
        using var driver = SampleProcess.Start(
            "/usr/bin/python3",
            [Path.Combine(Docs.DocSnippetTests.RepositoryRoot, "tests", "hostile", "tcp_descriptors.py"), "--server", SampleProcess.SampleDll("TcpEcho"),
             "--hold", "3", "--check", "--json", json],
            environment: new Dictionary<string, string> { [ReactorOptions.BackendEnvironmentVariable] = backend });
        var exit = driver.WaitForExit(TimeSpan.FromMinutes(3));

        File.Exists(json).Should().BeTrue(string.Join('\n', driver.Stderr));
        using var result = JsonDocument.Parse(File.ReadAllText(json));
        File.Delete(json);
        var root = result.RootElement;
        root.GetProperty("problems").EnumerateArray().Select(p => p.GetString()).Should().BeEmpty();
        exit.Should().Be(0);
        root.GetProperty("accounting").GetProperty("shed").GetInt64().Should().BePositive("the limit was reached and the reserve descriptor shed the waiting clients");
        root.GetProperty("existing_echoes_answered").GetInt32().Should().Be(root.GetProperty("existing_echoes").GetInt32());
        root.GetProperty("fresh_client_served_after").GetBoolean().Should().BeTrue();
        root.GetProperty("server_exit_code").GetInt32().Should().Be(0, "the server survived being out of descriptors and stopped cleanly");
        if (backend == "portable")
        {
            root.GetProperty("fds_while_exhausted").GetInt32().Should().BeLessThan(256, "the portable backend leaves the runtime a headroom of descriptors (the bug: 255, and an abort)");
        }
    }
}
