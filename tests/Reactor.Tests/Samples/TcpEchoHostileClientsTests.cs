using System.Text.Json;
using Reactor.Tests.Support;

namespace Reactor.Tests.Samples;

/// <summary>
/// The hostile-client run of issue 17 (<c>tests/hostile/tcp_hostile.py</c>) against the TcpEcho sample, in its short
/// form: 5 % of the full run's clients (100 idle, 25 slowloris, 10 that never read, 1,000 connect-and-reset) for 5 s
/// while a probe echoes every 50 ms. The full run (30 s, 2,000 / 500 / 200 / 20,000) and its figures are in
/// docs/reliability.md. Latency is not asserted here (a shared CI machine); accounting is, exactly.
/// </summary>
[Trait("kind", "hostile")]
public class TcpEchoHostileClientsTests
{
    private const string Python = "/usr/bin/python3";

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void TcpEcho_under_idle_slowloris_non_reading_and_resetting_clients_answers_the_probe_and_accounts_for_every_connection(ReactorBackend backend)
    {
        var json = Path.Combine(Path.GetTempPath(), $"tcp-hostile-{Guid.NewGuid():N}.json");
        using var driver = SampleProcess.Start(
            Python,
            [Path.Combine(Docs.DocSnippetTests.RepositoryRoot, "tests", "hostile", "tcp_hostile.py"), "--server", SampleProcess.SampleDll("TcpEcho"),
             "--scale", "0.05", "--seconds", "5", "--check", "--no-latency-check", "--json", json],
            environment: new Dictionary<string, string> { [ReactorOptions.BackendEnvironmentVariable] = backend == ReactorBackend.Epoll ? "epoll" : "portable" });
        var exit = driver.WaitForExit(TimeSpan.FromMinutes(3));

        File.Exists(json).Should().BeTrue(string.Join('\n', driver.Stderr));
        using var result = JsonDocument.Parse(File.ReadAllText(json));
        File.Delete(json);
        var root = result.RootElement;
        root.GetProperty("problems").EnumerateArray().Select(p => p.GetString()).Should().BeEmpty();
        exit.Should().Be(0);
        var accounting = root.GetProperty("accounting");
        accounting.GetProperty("opened").GetInt64().Should().Be(accounting.GetProperty("closed").GetInt64());
        accounting.GetProperty("open_at_stop").GetInt64().Should().Be(root.GetProperty("half_open_at_stop").GetInt64(),
            "only half-open connections the kernel made from SYN cookies, whose client is gone, may still be open at the stop");
        accounting.GetProperty("error").GetInt64().Should().Be(0);
        root.GetProperty("probe").GetProperty("unanswered").GetInt32().Should().Be(0);
        root.GetProperty("holders").GetProperty("closed_early_by_server").GetInt32().Should().Be(0, "no held connection is closed by the server");
    }
}
