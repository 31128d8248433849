using System.Net;

namespace Reactor;

/// <summary>TCP: Twisted's <c>IReactorTCP</c>.</summary>
public interface IReactorTcp
{
    /// <summary>
    /// Listens for TCP connections on <paramref name="port"/>; each accepted connection gets a protocol from
    /// <paramref name="factory"/>. When this returns the socket is listening and the factory has started.
    /// </summary>
    /// <param name="port">The port number; 0 picks a free one (read it back with <see cref="IListeningPort.GetHost"/>).</param>
    /// <param name="factory">Builds a protocol per connection; returning <c>null</c> refuses that connection.</param>
    /// <param name="backlog">The kernel's queue of connections not yet accepted. Default 50.</param>
    /// <param name="interface">
    /// The local IP literal to bind: <c>""</c> (the default) is <c>0.0.0.0</c>; <c>"::"</c> listens on IPv6 and IPv4
    /// (dual-stack: IPv4 peers then show as IPv4-mapped addresses); <c>"127.0.0.1"</c> or <c>"::1"</c> only loopback.
    /// Host names are not accepted.
    /// </param>
    /// <returns>The listening port; <see cref="IListeningPort.StopListening"/> closes it (open connections stay open).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="factory"/> or <paramref name="interface"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="port"/> is outside 0–65535 or <paramref name="backlog"/> is below 1.</exception>
    /// <exception cref="InvalidAddressException"><paramref name="interface"/> is not an IP literal.</exception>
    /// <exception cref="InvalidOperationException">Not on the reactor thread.</exception>
    /// <exception cref="CannotListenException">The operating system refused the socket, the bind or the listen.</exception>
    ITcpPort ListenTcp(int port, Factory factory, int backlog = 50, string @interface = "");

    /// <summary>
    /// Connects to <paramref name="host"/>:<paramref name="port"/> and, once connected, builds the connection's protocol
    /// with <paramref name="factory"/>. <see cref="ClientFactory.StartedConnecting"/> runs inside this call; success or
    /// failure is reported later, never from inside it.
    /// </summary>
    /// <param name="host">An IP literal, or a host name resolved with <see cref="IReactorResolve.Resolve"/> (IPv4 first).</param>
    /// <param name="port">The port, 1–65535.</param>
    /// <param name="factory">Builds the protocol and hears how the attempt went.</param>
    /// <param name="timeout">How long the attempt (name resolution included) may take before it fails with a <see cref="ConnectTimeoutException"/>; <c>null</c> means 30 seconds.</param>
    /// <param name="bindAddress">A local address (and port, 0 for any) to connect from, or <c>null</c>.</param>
    /// <returns>The connector, which can cancel the attempt, disconnect, or connect again.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="host"/> or <paramref name="factory"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="host"/> is empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="port"/> is outside 1–65535 or <paramref name="timeout"/> is not positive.</exception>
    /// <exception cref="InvalidOperationException">Not on the reactor thread.</exception>
    IConnector ConnectTcp(string host, int port, ClientFactory factory, TimeSpan? timeout = null, IPEndPoint? bindAddress = null);
}
