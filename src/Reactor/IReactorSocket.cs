using System.Net.Sockets;

namespace Reactor;

/// <summary>
/// Sockets someone else made (Twisted's <c>IReactorSocket</c>): a listening socket, a connection or a UDP socket passed
/// in by descriptor — by a parent process, a supervisor, or systemd's socket activation (the <c>systemd:</c> endpoint
/// uses this). Linux only.
/// </summary>
/// <remarks>
/// The reactor checks that the descriptor is a socket of the family (and kind) given, then works on a duplicate of its
/// own (close-on-exec, non-blocking): the caller keeps the descriptor passed in and should close it when it no longer
/// needs it (<see cref="Endpoints.AdoptedStreamServerEndpoint"/> does). Closing an adopted UNIX port never removes its
/// socket file: its owner (systemd) goes on using it.
/// </remarks>
public interface IReactorSocket
{
    /// <summary>
    /// Serves connections accepted on a listening stream socket: a TCP port or a UNIX port (by <paramref name="family"/>),
    /// as if <see cref="IReactorTcp.ListenTcp"/> or <see cref="IReactorUnix.ListenUnix"/> had made it. The factory starts
    /// now.
    /// </summary>
    /// <param name="fileDescriptor">A socket on which <c>listen()</c> has been called.</param>
    /// <param name="family"><see cref="AddressFamily.InterNetwork"/>, <see cref="AddressFamily.InterNetworkV6"/> or <see cref="AddressFamily.Unix"/>.</param>
    /// <param name="factory">Builds a protocol per accepted connection.</param>
    /// <returns>The port: an <see cref="ITcpPort"/> or an <see cref="IUnixPort"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="factory"/> is null.</exception>
    /// <exception cref="ArgumentException">The descriptor is not a listening stream socket of that family, or the family is not one of those three.</exception>
    /// <exception cref="PlatformNotSupportedException">Not on Linux.</exception>
    /// <exception cref="InvalidOperationException">Not on the reactor thread.</exception>
    /// <exception cref="ObjectDisposedException">The reactor has shut down.</exception>
    IListeningPort AdoptStreamPort(int fileDescriptor, AddressFamily family, Factory factory);

    /// <summary>
    /// Makes a connection of a connected stream socket: <paramref name="factory"/> builds its protocol for the peer's
    /// address at once (a <c>null</c> protocol closes it), and the protocol's transport is an <see cref="ITcpTransport"/>
    /// or an <see cref="IUnixTransport"/>. The factory is not started (as in Twisted).
    /// </summary>
    /// <param name="fileDescriptor">A connected stream socket.</param>
    /// <param name="family"><see cref="AddressFamily.InterNetwork"/>, <see cref="AddressFamily.InterNetworkV6"/> or <see cref="AddressFamily.Unix"/>.</param>
    /// <param name="factory">Builds the connection's protocol.</param>
    /// <exception cref="ArgumentNullException"><paramref name="factory"/> is null.</exception>
    /// <exception cref="ArgumentException">The descriptor is not a connected stream socket of that family.</exception>
    /// <exception cref="PlatformNotSupportedException">Not on Linux.</exception>
    /// <exception cref="InvalidOperationException">Not on the reactor thread.</exception>
    /// <exception cref="ObjectDisposedException">The reactor has shut down.</exception>
    void AdoptStreamConnection(int fileDescriptor, AddressFamily family, Factory factory);

    /// <summary>
    /// Serves a bound UDP socket with <paramref name="protocol"/>, as if <see cref="IReactorUdp.ListenUdp"/> had bound it:
    /// <see cref="DatagramProtocol.StartProtocol"/> runs now.
    /// </summary>
    /// <param name="fileDescriptor">A bound UDP socket.</param>
    /// <param name="family"><see cref="AddressFamily.InterNetwork"/> or <see cref="AddressFamily.InterNetworkV6"/>.</param>
    /// <param name="protocol">The protocol to deliver datagrams to.</param>
    /// <param name="maxPacketSize">The largest datagram delivered (0–65535).</param>
    /// <returns>The port, which is also the protocol's transport.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="protocol"/> is null.</exception>
    /// <exception cref="ArgumentException">The descriptor is not a UDP socket of that family.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxPacketSize"/> is outside 0–65535.</exception>
    /// <exception cref="PlatformNotSupportedException">Not on Linux.</exception>
    /// <exception cref="InvalidOperationException">Not on the reactor thread, or the protocol already listens elsewhere.</exception>
    /// <exception cref="ObjectDisposedException">The reactor has shut down.</exception>
    IUdpTransport AdoptDatagramPort(int fileDescriptor, AddressFamily family, DatagramProtocol protocol, int maxPacketSize = 8192);
}
