using Microsoft.Extensions.Diagnostics.HealthChecks;
using Reactor.Hosting.Internal;

// In the namespace of IHealthChecksBuilder's own Add* methods, so `AddHealthChecks().AddReactor()` needs no using.
namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the hosted reactor's health check (<c>services.AddHealthChecks().AddReactor()</c>).</summary>
public static class ReactorHealthChecksBuilderExtensions
{
    /// <summary>The check's default name.</summary>
    public const string DefaultName = "reactor";

    /// <summary>
    /// Adds a health check of the reactor that <see cref="ReactorServiceCollectionExtensions.AddReactor"/> hosts: Healthy
    /// while its thread answers a tick (a call scheduled with <c>CallFromThread</c>) within <paramref name="timeout"/>
    /// and every endpoint added with <c>AddReactorEndpoint</c>/<c>AddReactorDatagramEndpoint</c> still listens;
    /// <paramref name="failureStatus"/> when the tick is late (a callback blocks the reactor thread), an endpoint has
    /// stopped, or the reactor has stopped; Degraded while it starts. The result's data holds the tick's latency
    /// (<c>tick_latency_ms</c>, or <c>tick_outstanding_ms</c> when late) and each endpoint's state
    /// (<c>endpoint:&lt;name&gt;</c>: <c>listening</c>, <c>stopped</c>, <c>failed</c>, <c>pending</c>).
    /// </summary>
    /// <param name="builder">The health checks builder.</param>
    /// <param name="name">The check's name; <c>reactor</c> by default.</param>
    /// <param name="timeout">How long the reactor thread may take to answer a tick; 1 second by default. At most one tick is outstanding at a time.</param>
    /// <param name="failureStatus">The status reported on failure; <see cref="HealthStatus.Unhealthy"/> by default.</param>
    /// <param name="tags">Tags to filter checks by (for example "live", "ready").</param>
    /// <returns><paramref name="builder"/>.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is not positive.</exception>
    public static IHealthChecksBuilder AddReactor(
        this IHealthChecksBuilder builder,
        string name = DefaultName,
        TimeSpan? timeout = null,
        HealthStatus? failureStatus = null,
        IEnumerable<string>? tags = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var bound = timeout ?? TimeSpan.FromSeconds(1);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(bound, TimeSpan.Zero, nameof(timeout));
        // The health check service asks the factory on every run: one check per registration keeps the one outstanding tick.
        ReactorHealthCheck? check = null;
        return builder.Add(new HealthCheckRegistration(
            name,
            provider =>
            {
                if (Volatile.Read(ref check) is { } existing)
                {
                    return existing;
                }

                var made = new ReactorHealthCheck(
                    provider.GetService<ReactorHostedService>()
                        ?? throw new InvalidOperationException("The reactor health check needs the hosted reactor: call services.AddReactor() too."),
                    bound);
                return Interlocked.CompareExchange(ref check, made, null) ?? made;
            },
            failureStatus,
            tags));
    }
}
