using System.Net;
using System.Net.Sockets;
using Reactor.Internal.Linux;
using Reactor.Internal.Streams;
using Reactor.Internal.Tcp;
using Reactor.Internal.Udp;
using Reactor.Internal.Unix;

namespace Reactor.Internal;

/// <summary>
/// Adopted sockets (Twisted's <c>IReactorSocket</c>): check and duplicate the descriptor, let the backend wrap the
/// duplicate, and hand it to the transport it belongs to — TCP or UNIX ports and connections, UDP ports.
/// </summary>
internal abstract partial class ReactorBase
{
    public IListeningPort AdoptStreamPort(int fileDescriptor, AddressFamily family, Factory factory)
    {
        ArgumentNullException.ThrowIfNull(factory);
        VerifyCanOpen();
        var socket = Adopt(fileDescriptor, family, SocketType.Stream, listening: true, Sockets.AdoptListenSocket);
        try
        {
            return family == AddressFamily.Unix ? UnixPort.Adopt(this, socket, factory) : TcpPort.Adopt(this, socket, factory);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public void AdoptStreamConnection(int fileDescriptor, AddressFamily family, Factory factory)
    {
        ArgumentNullException.ThrowIfNull(factory);
        VerifyCanOpen();
        var socket = Adopt(fileDescriptor, family, SocketType.Stream, listening: false, Sockets.AdoptStreamSocket);
        EndPoint local, peer;
        Protocol? protocol;
        try
        {
            local = socket.GetLocalEndPoint();
            peer = socket.GetRemoteEndPoint();
            protocol = factory.BuildProtocol(peer);
        }
        catch (SocketException e)
        {
            socket.Dispose();
            throw new ArgumentException($"Descriptor {fileDescriptor} is not connected: {e.Message}", nameof(fileDescriptor), e);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        if (protocol is null)
        {
            socket.Dispose();
            return;
        }

        StreamConnection connection = family == AddressFamily.Unix
            ? new UnixConnection(this, socket, protocol, (UnixDomainSocketEndPoint)local, (UnixDomainSocketEndPoint)peer, connector: null)
            : TcpConnection.Adopted(this, socket, protocol, (IPEndPoint)local, (IPEndPoint)peer);
        connection.Counters.ConnectionsAccepted++;
        connection.Start();
    }

    public IUdpTransport AdoptDatagramPort(int fileDescriptor, AddressFamily family, DatagramProtocol protocol, int maxPacketSize = 8192)
    {
        ArgumentNullException.ThrowIfNull(protocol);
        ArgumentOutOfRangeException.ThrowIfNegative(maxPacketSize);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxPacketSize, 65_535);
        if (family is not (AddressFamily.InterNetwork or AddressFamily.InterNetworkV6))
        {
            throw new ArgumentException($"Cannot adopt a UDP socket of family {family}: only InterNetwork and InterNetworkV6.", nameof(family));
        }

        VerifyCanOpen();
        protocol.VerifyCanAttach();
        var socket = Adopt(fileDescriptor, family, SocketType.Dgram, listening: false, Sockets.AdoptDatagramSocket);
        try
        {
            return UdpPort.Adopt(this, socket, protocol, maxPacketSize);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Checks and duplicates <paramref name="descriptor"/>, then lets the backend wrap the duplicate (which it then owns).</summary>
    private static T Adopt<T>(int descriptor, AddressFamily family, SocketType type, bool listening, Func<int, AddressFamily, T> wrap)
    {
        var copy = AdoptedDescriptor.Duplicate(descriptor, family, type, listening);
        try
        {
            return wrap(copy, family);
        }
        catch
        {
            AdoptedDescriptor.Close(copy);
            throw;
        }
    }
}
