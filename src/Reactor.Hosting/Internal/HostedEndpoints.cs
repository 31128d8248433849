using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace Reactor.Hosting.Internal;

/// <summary>The endpoints added with <c>AddReactorEndpoint</c>/<c>AddReactorDatagramEndpoint</c>, listened on when the reactor starts.</summary>
internal sealed class HostedEndpoints(IReadOnlyList<EndpointRegistration> registrations, IServiceProvider provider, IConfiguration? configuration)
{
    /// <summary>Each endpoint's state, in the order they were added (reactor thread).</summary>
    internal IReadOnlyList<EndpointStatus> Statuses { get; } = registrations.Select(r => new EndpointStatus(r.Name)).ToList();

    /// <summary>Listens on every endpoint (reactor thread); <paramref name="done"/> once all listen, else <paramref name="failed"/> once.</summary>
    /// <exception cref="Exception">A description is missing or malformed (thrown here, before anything listens).</exception>
    internal void ListenAll(IReactor reactor, ILogger logger, Action done, Action<Exception> failed)
    {
        // Every description is read and parsed first, so a bad one fails the start before any port opens.
        var descriptions = registrations.Select(r => r.Description(configuration)).ToList();
        var pending = registrations.Count;
        if (pending == 0)
        {
            done();
            return;
        }

        for (var i = 0; i < registrations.Count; i++)
        {
            var registration = registrations[i];
            var description = descriptions[i];
            var status = Statuses[i];
            status.Description = description;
            registration.Listen(reactor, provider, description, isUp => status.IsUp = isUp).AddCallbacks(
                address =>
                {
                    HostingLog.EndpointListening(logger, registration.Name, description, address);
                    if (--pending == 0)
                    {
                        done();
                    }

                    return address;
                },
                failure =>
                {
                    status.Failure = failure.Exception;
                    HostingLog.EndpointFailed(logger, registration.Name, description, failure.Exception);
                    failed(failure.Exception);
                    return null!;
                });
        }
    }
}
