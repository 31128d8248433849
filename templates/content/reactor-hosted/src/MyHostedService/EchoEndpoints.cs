using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Reactor;

namespace MyHostedService;

/// <summary>The service's endpoints: what each serves is code, where it listens is configuration.</summary>
public static class EchoEndpoints
{
    /// <summary>The TCP echo's name under <c>Reactor:Endpoints</c> in the configuration.</summary>
    public const string Tcp = "echo";

    /// <summary>The UDP echo's name under <c>Reactor:Endpoints</c>.</summary>
    public const string Udp = "udp-echo";

    /// <summary>
    /// A reactor on its own thread for the host's lifetime (<c>AddReactor</c>), serving the two endpoints. Each listens
    /// before the host has started; one that cannot (a port in use, no description) fails the start.
    /// </summary>
    /// <param name="services">The host's services.</param>
    /// <param name="tcpListening">Told the TCP port once it listens (on the reactor thread), if given.</param>
    /// <param name="udpListening">Told the UDP transport once it listens, if given.</param>
    /// <returns><paramref name="services"/>.</returns>
    public static IServiceCollection AddEchoEndpoints(this IServiceCollection services, Action<IListeningPort>? tcpListening = null, Action<IUdpTransport>? udpListening = null)
    {
        services.AddReactor();
        services.AddReactorEndpoint(Tcp, _ => Factory.ForProtocol(() => new TcpEcho()), listening: tcpListening);
        services.AddReactorDatagramEndpoint(Udp, _ => new UdpEcho(), listening: udpListening);
        return services;
    }
}

/// <summary>Every byte a client sends goes back to it.</summary>
public sealed class TcpEcho : Protocol
{
    /// <inheritdoc />
    public override void DataReceived(ReadOnlySpan<byte> data) => Transport!.Write(data);
}

/// <summary>Every datagram goes back to its sender.</summary>
public sealed class UdpEcho : DatagramProtocol
{
    /// <inheritdoc />
    public override void DatagramReceived(ReadOnlySpan<byte> datagram, IPEndPoint sender) => Transport!.Write(datagram, sender);
}
