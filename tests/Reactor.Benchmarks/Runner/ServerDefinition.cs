namespace Reactor.Benchmarks.Runner;

/// <summary>
/// A server the runner benchmarks: how to start it (every one prints "Echo starting on &lt;port&gt;" when ready and stops on
/// SIGTERM) and whether it reports allocations (the .NET servers print "datagrams=&lt;n&gt; allocated_bytes=&lt;n&gt;").
/// A server with a <see cref="FixedPort"/> prints no ready line (redis-server): it is ready once that port accepts.
/// </summary>
internal sealed record ServerDefinition(
    string Key,
    string Title,
    string FileName,
    IReadOnlyList<string> Arguments,
    IReadOnlyDictionary<string, string> Environment,
    bool ReportsAllocations,
    string? SkipReason = null,
    int? FixedPort = null)
{
    /// <summary>The address every server listens on and the load generator sends to.</summary>
    public const string Loopback = "127.0.0.1";

    private static readonly string[] ListenArguments = ["--port", "0", "--interface", Loopback];

    /// <summary>The servers of the issue, in the table's order.</summary>
    public static IReadOnlyList<ServerDefinition> All(ToolPaths paths)
    {
        var none = new Dictionary<string, string>();
        string[] dotnetEcho = [paths.EchoDll, "--quiet", "--stats", .. ListenArguments];
        return
        [
            new("c-gso", "C epoll + recvmmsg/sendmmsg + UDP GSO", Path.Combine(paths.NativeDirectory, "echo_gso"), ListenArguments, none, false),
            new("c-mmsg", "C epoll + recvmmsg/sendmmsg", Path.Combine(paths.NativeDirectory, "echo_mmsg"), ListenArguments, none, false),
            new("c-simple", "C recvfrom/sendto", Path.Combine(paths.NativeDirectory, "echo_simple"), ListenArguments, none, false),
            new(
                "dotnet-socket",
                ".NET async Socket",
                paths.Dotnet,
                [paths.BenchmarksDll, "socket-echo", "--stats", .. ListenArguments],
                none,
                true),
            new(
                "twisted",
                "Twisted Echo (epollreactor)",
                paths.Python,
                [paths.TwistedScript, .. ListenArguments],
                none,
                false,
                paths.TwistedMissingReason),
            new(
                "reactor-epoll",
                "Reactor Echo, epoll",
                paths.Dotnet,
                dotnetEcho,
                new Dictionary<string, string> { ["REACTOR_BACKEND"] = "epoll" },
                true),
            new(
                "reactor-epoll-nogso",
                "Reactor Echo, epoll, GSO off",
                paths.Dotnet,
                [.. dotnetEcho, "--no-gso"],
                new Dictionary<string, string> { ["REACTOR_BACKEND"] = "epoll" },
                true),
            new(
                "reactor-portable",
                "Reactor Echo, portable",
                paths.Dotnet,
                dotnetEcho,
                new Dictionary<string, string> { ["REACTOR_BACKEND"] = "portable" },
                true),
        ];
    }
}
