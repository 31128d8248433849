namespace Reactor.Benchmarks.Runner;

/// <summary>One load shape: datagram size and how many are kept in flight (1 = ping-pong).</summary>
/// <param name="Key">The name used on the command line (<c>--scenarios</c>).</param>
/// <param name="Title">The name in the table.</param>
/// <param name="Size">Payload bytes per datagram.</param>
/// <param name="Window">Datagrams in flight.</param>
/// <param name="ReferenceServer">The key of the server the ratio column compares against (the target for this shape).</param>
internal sealed record Scenario(string Key, string Title, int Size, int Window, string ReferenceServer)
{
    /// <summary>The scenarios: echo of 64 B and 1,024 B with 64 in flight against the C GSO server (recvmmsg/sendmmsg with equal-size replies coalesced, as Reactor does), and 64 B ping-pong against the C recvfrom/sendto server.</summary>
    public static IReadOnlyList<Scenario> All { get; } =
    [
        new("echo64", "echo 64 B, W=64", 64, 64, "c-gso"),
        new("echo1024", "echo 1024 B, W=64", 1024, 64, "c-gso"),
        new("pingpong64", "ping-pong 64 B, W=1", 64, 1, "c-simple"),
    ];
}
