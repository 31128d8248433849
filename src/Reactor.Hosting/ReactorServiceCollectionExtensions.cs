using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Reactor;
using Reactor.Hosting.Internal;

// In the namespace of IServiceCollection, as .NET's own Add* methods are, so `services.AddReactor(...)` needs no using.
namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Registers a Reactor event loop with a .NET Generic Host (<c>Host.CreateApplicationBuilder</c>, ASP.NET Core, a worker
/// service), and the endpoints it listens on, named and described in configuration
/// (<c>"Reactor": { "Endpoints": { "echo": "tcp:8000:interface=127.0.0.1" } }</c>, docs/endpoints.md): each listens once
/// the reactor runs, after <c>AddReactor</c>'s <c>configure</c> callback and before the host has started; one that cannot
/// listen fails the host's start.
/// </summary>
public static class ReactorServiceCollectionExtensions
{
    /// <summary>
    /// Adds an <see cref="IReactor"/> singleton and a hosted service that runs it on a thread of its own while the host
    /// runs. The reactor logs through the host's <see cref="ILoggerFactory"/>. When the host stops (Ctrl+C, SIGTERM,
    /// <see cref="IHostApplicationLifetime.StopApplication"/>) the reactor is stopped the normal way — shutdown triggers
    /// run, every port closes and its protocol's <c>StopProtocol</c> runs — and the host waits for that, up to its
    /// shutdown timeout. If the reactor stops by itself (someone called <c>reactor.Stop()</c>), the host is stopped too.
    /// </summary>
    /// <param name="services">The host's services.</param>
    /// <param name="configureOptions">
    /// Adjusts the <see cref="ReactorOptions"/> (backend, read budgets, queue bounds, ...). <see cref="ReactorOptions.LoggerFactory"/>
    /// is already the host's; leave <see cref="ReactorOptions.HandleSignals"/> off: the host handles signals.
    /// </param>
    /// <param name="configure">
    /// Runs on the reactor thread once the reactor is running, before the host finishes starting: the place to listen
    /// (<c>reactor.ListenUdp(...)</c>) and schedule calls. If it throws, the host fails to start with that exception.
    /// Elsewhere, reach the reactor thread with <see cref="IReactorThreads.CallFromThread"/>.
    /// </param>
    /// <returns><paramref name="services"/>, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> is null.</exception>
    /// <exception cref="InvalidOperationException"><c>AddReactor</c> was already called on these services.</exception>
    /// <remarks>
    /// The reactor's methods are reactor-thread-only, as always: from a controller, a background service or any other
    /// thread, use <c>reactor.CallFromThread(...)</c> (and <c>Deferred.AsTask()</c> to await a result there).
    /// </remarks>
    /// <example>
    /// <code>
    /// var builder = Host.CreateApplicationBuilder(args);
    /// builder.Services.AddReactor(configure: reactor => reactor.ListenUdp(9999, new Echo()));
    /// builder.Build().Run();
    /// </code>
    /// </example>
    public static IServiceCollection AddReactor(this IServiceCollection services, Action<ReactorOptions>? configureOptions = null, Action<IReactor>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        foreach (var descriptor in services)
        {
            if (descriptor.ServiceType == typeof(ReactorHostedService))
            {
                throw new InvalidOperationException("AddReactor was already called: a host runs one reactor. Put all its set-up in one configure callback.");
            }
        }

        services.AddSingleton(provider =>
        {
            // Without a logging service, the reactor's own default (warnings and errors on stderr, D41), never silence.
            var options = new ReactorOptions();
            if (provider.GetService<ILoggerFactory>() is { } loggerFactory)
            {
                options.LoggerFactory = loggerFactory;
            }

            configureOptions?.Invoke(options);
            return new ReactorHostedService(
                ReactorFactory.Create(options),
                configure,
                provider.GetService<IHostApplicationLifetime>(),
                options.LoggerFactory.CreateLogger(HostingLog.Category),
                new HostedEndpoints(provider.GetServices<EndpointRegistration>().ToList(), provider, provider.GetService<IConfiguration>()));
        });
        services.AddSingleton(provider => provider.GetRequiredService<ReactorHostedService>().Reactor);
        services.AddHostedService(provider => provider.GetRequiredService<ReactorHostedService>());
        return services;
    }

    /// <summary>The configuration section that holds the descriptions, one key per endpoint name: <c>Reactor:Endpoints</c>.</summary>
    public const string ConfigurationSection = "Reactor:Endpoints";

    /// <summary>
    /// Serves a stream endpoint: listens on the server description <c>Reactor:Endpoints:<paramref name="name"/></c>
    /// (else <paramref name="defaultDescription"/>) with the factory <paramref name="factory"/> makes. Use with
    /// <c>AddReactor</c>.
    /// </summary>
    /// <param name="services">The host's services.</param>
    /// <param name="name">The endpoint's name: its key under <c>Reactor:Endpoints</c>, and how the log names it.</param>
    /// <param name="factory">Makes the factory the port serves, from the host's services (on the reactor thread).</param>
    /// <param name="defaultDescription">The description when the configuration has none (<c>null</c>: the configuration must give one).</param>
    /// <param name="listening">Told the port once it listens, on the reactor thread.</param>
    /// <returns><paramref name="services"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/>, <paramref name="name"/> or <paramref name="factory"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty or already used.</exception>
    public static IServiceCollection AddReactorEndpoint(this IServiceCollection services, string name, Func<IServiceProvider, Factory> factory, string? defaultDescription = null, Action<IListeningPort>? listening = null)
    {
        ArgumentNullException.ThrowIfNull(factory);
        return Add(services, name, EndpointRegistration.Stream(name, factory, defaultDescription, listening));
    }

    /// <summary>
    /// Serves a datagram endpoint: listens on the datagram description <c>Reactor:Endpoints:<paramref name="name"/></c>
    /// (else <paramref name="defaultDescription"/>, such as <c>udp:9999</c>) with the protocol <paramref name="protocol"/> makes.
    /// </summary>
    /// <param name="services">The host's services.</param>
    /// <param name="name">The endpoint's name: its key under <c>Reactor:Endpoints</c>, and how the log names it.</param>
    /// <param name="protocol">Makes the protocol, from the host's services (on the reactor thread).</param>
    /// <param name="defaultDescription">The description when the configuration has none (<c>null</c>: the configuration must give one).</param>
    /// <param name="listening">Told the transport once it listens, on the reactor thread.</param>
    /// <returns><paramref name="services"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/>, <paramref name="name"/> or <paramref name="protocol"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty or already used.</exception>
    public static IServiceCollection AddReactorDatagramEndpoint(this IServiceCollection services, string name, Func<IServiceProvider, DatagramProtocol> protocol, string? defaultDescription = null, Action<IUdpTransport>? listening = null)
    {
        ArgumentNullException.ThrowIfNull(protocol);
        return Add(services, name, EndpointRegistration.Datagram(name, protocol, defaultDescription, listening));
    }

    private static IServiceCollection Add(IServiceCollection services, string name, EndpointRegistration registration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        foreach (var descriptor in services)
        {
            if (descriptor.ImplementationInstance is EndpointRegistration existing && string.Equals(existing.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                throw new ArgumentException($"A Reactor endpoint named '{name}' was already added.", nameof(name));
            }
        }

        services.AddSingleton(registration);
        return services;
    }
}
