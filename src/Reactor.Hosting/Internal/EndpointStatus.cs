namespace Reactor.Hosting.Internal;

/// <summary>
/// What one configured endpoint is doing, written and read on the reactor thread (the health check reads it inside its
/// tick): not yet listening, listening, or failed.
/// </summary>
internal sealed class EndpointStatus(string name)
{
    internal string Name { get; } = name;

    internal string? Description { get; set; }

    /// <summary>Set once listening: whether the endpoint still is (a UDP protocol keeps its transport; a stream factory serves a port).</summary>
    internal Func<bool>? IsUp { get; set; }

    internal Exception? Failure { get; set; }

    /// <summary>"pending", "listening", "stopped" or "failed" (reactor thread).</summary>
    internal string State => Failure is not null ? "failed" : IsUp is null ? "pending" : IsUp() ? "listening" : "stopped";
}
