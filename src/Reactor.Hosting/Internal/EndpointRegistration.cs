using Microsoft.Extensions.Configuration;
using Reactor.Endpoints;

namespace Reactor.Hosting.Internal;

/// <summary>One endpoint the hosted reactor listens on once running: its name, where its description comes from, and what it serves.</summary>
internal sealed class EndpointRegistration
{
    private EndpointRegistration(string name, string? defaultDescription)
    {
        Name = name;
        DefaultDescription = defaultDescription;
    }

    internal string Name { get; }

    internal string? DefaultDescription { get; }

    internal Func<IServiceProvider, Factory>? Factory { get; private init; }

    internal Action<IListeningPort>? OnListening { get; private init; }

    internal Func<IServiceProvider, DatagramProtocol>? Protocol { get; private init; }

    internal Action<IUdpTransport>? OnDatagramListening { get; private init; }

    internal static EndpointRegistration Stream(string name, Func<IServiceProvider, Factory> factory, string? defaultDescription, Action<IListeningPort>? listening) =>
        new(name, defaultDescription) { Factory = factory, OnListening = listening };

    internal static EndpointRegistration Datagram(string name, Func<IServiceProvider, DatagramProtocol> protocol, string? defaultDescription, Action<IUdpTransport>? listening) =>
        new(name, defaultDescription) { Protocol = protocol, OnDatagramListening = listening };

    /// <summary>The configuration's <c>Reactor:Endpoints:&lt;name&gt;</c>, else the code's default.</summary>
    internal string Description(IConfiguration? configuration) =>
        configuration?[$"{Microsoft.Extensions.DependencyInjection.ReactorServiceCollectionExtensions.ConfigurationSection}:{Name}"] is { Length: > 0 } configured
            ? configured
            : DefaultDescription ?? throw new InvalidOperationException(
                $"The Reactor endpoint '{Name}' has no description: set {Microsoft.Extensions.DependencyInjection.ReactorServiceCollectionExtensions.ConfigurationSection}:{Name} " +
                $"in the configuration (for example \"tcp:8000\"), or pass a default description to the Add call.");

    /// <summary>
    /// Listens on the reactor thread; the Deferred fires with the port's address. Once listening, <paramref name="up"/>
    /// hears how to tell whether the endpoint still serves: a stream factory still used by a port
    /// (<see cref="Reactor.Factory.NumberOfPorts"/>), a datagram protocol still attached to its transport.
    /// </summary>
    internal Deferred<System.Net.EndPoint> Listen(IReactor reactor, IServiceProvider provider, string description, Action<Func<bool>>? up = null)
    {
        if (Factory is not null)
        {
            var endpoint = Endpoint.ServerFromString(reactor, description);
            var factory = Factory(provider);
            return endpoint.Listen(factory).Then(port =>
            {
                up?.Invoke(() => factory.NumberOfPorts > 0);
                OnListening?.Invoke(port);
                return port.GetHost();
            });
        }

        var datagram = Endpoint.DatagramFromString(reactor, description);
        var protocol = Protocol!(provider);
        return datagram.Listen(protocol).Then(transport =>
        {
            up?.Invoke(() => protocol.Transport is not null);
            OnDatagramListening?.Invoke(transport);
            return (System.Net.EndPoint)transport.GetHost();
        });
    }
}
