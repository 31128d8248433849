using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Reactor;
using Reactor.Hosting.Internal;

// In the namespace of IServiceCollection, as .NET's own Add* methods are, so `services.AddReactor(...)` needs no using.
namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers a Reactor event loop with a .NET Generic Host (<c>Host.CreateApplicationBuilder</c>, ASP.NET Core, a worker service).</summary>
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
                options.LoggerFactory.CreateLogger(HostingLog.Category));
        });
        services.AddSingleton(provider => provider.GetRequiredService<ReactorHostedService>().Reactor);
        services.AddHostedService(provider => provider.GetRequiredService<ReactorHostedService>());
        return services;
    }
}
