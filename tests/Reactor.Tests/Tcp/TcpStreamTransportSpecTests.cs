using System.Net;
using System.Net.Sockets;
using Reactor.Tests.Streams;
using Reactor.Tests.Support;

namespace Reactor.Tests.Tcp;

/// <summary>
/// The stream specification over real TCP on loopback: each backend × IPv4/IPv6, with the protocol under test on an
/// accepted connection (<c>ListenTcp</c>) and on an outgoing one (<c>ConnectTcp</c>). The peer is a raw .NET
/// <see cref="Socket"/> (<see cref="SocketStreamPeer"/>).
/// </summary>
public abstract class TcpStreamTransportSpecTests(ReactorBackend backend, string loopback, bool outgoing) : StreamTransportSpec
{
    protected override StreamPeer Connect(Protocol protocol) =>
        outgoing ? ConnectTo(backend, loopback, protocol) : AcceptFrom(backend, loopback, protocol);

    private static string? EpollSkipReason => OperatingSystem.IsLinux() ? null : "Linux only (epoll backend).";

    public sealed class EpollIPv4Accepted() : TcpStreamTransportSpecTests(ReactorBackend.Epoll, "127.0.0.1", outgoing: false)
    {
        public static string? SkipReason => EpollSkipReason;
    }

    public sealed class EpollIPv6Accepted() : TcpStreamTransportSpecTests(ReactorBackend.Epoll, "::1", outgoing: false)
    {
        public static string? SkipReason => EpollSkipReason;
    }

    public sealed class EpollIPv4Connected() : TcpStreamTransportSpecTests(ReactorBackend.Epoll, "127.0.0.1", outgoing: true)
    {
        public static string? SkipReason => EpollSkipReason;
    }

    public sealed class EpollIPv6Connected() : TcpStreamTransportSpecTests(ReactorBackend.Epoll, "::1", outgoing: true)
    {
        public static string? SkipReason => EpollSkipReason;
    }

    public sealed class PortableIPv4Accepted() : TcpStreamTransportSpecTests(ReactorBackend.Portable, "127.0.0.1", outgoing: false);

    public sealed class PortableIPv6Accepted() : TcpStreamTransportSpecTests(ReactorBackend.Portable, "::1", outgoing: false);

    public sealed class PortableIPv4Connected() : TcpStreamTransportSpecTests(ReactorBackend.Portable, "127.0.0.1", outgoing: true);

    public sealed class PortableIPv6Connected() : TcpStreamTransportSpecTests(ReactorBackend.Portable, "::1", outgoing: true);

    /// <summary>The protocol under test on a connection a reactor's <c>ListenTcp</c> accepted from the peer.</summary>
    private static SocketStreamPeer AcceptFrom(ReactorBackend backend, string loopback, Protocol protocol)
    {
        var reactor = TestBackends.Create(backend);
        var port = reactor.ListenTcp(0, SocketStreamPeer.OneProtocol(protocol), @interface: loopback);
        var socket = new Socket(port.GetHost().AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        return SocketStreamPeer.Accepted(reactor, protocol, socket, port.GetHost());
    }

    /// <summary>The protocol under test on a connection a reactor's <c>ConnectTcp</c> made to the peer's listening socket.</summary>
    private static SocketStreamPeer ConnectTo(ReactorBackend backend, string loopback, Protocol protocol)
    {
        var reactor = TestBackends.Create(backend);
        var listener = new Socket(IPAddress.Parse(loopback).AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Parse(loopback), 0));
        listener.Listen(1);
        reactor.ConnectTcp(loopback, ((IPEndPoint)listener.LocalEndPoint!).Port, ClientFactory.ForProtocol(() => protocol));
        return SocketStreamPeer.Connected(reactor, protocol, listener);
    }
}
