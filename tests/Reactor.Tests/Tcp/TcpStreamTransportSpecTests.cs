using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Reactor.Tests.Streams;
using Reactor.Tests.Support;

namespace Reactor.Tests.Tcp;

/// <summary>
/// The stream specification over real TCP on loopback: each backend × IPv4/IPv6, with the protocol under test on an
/// accepted connection (<c>ListenTcp</c>) and on an outgoing one (<c>ConnectTcp</c>). The peer is a raw .NET
/// <see cref="Socket"/>, non-blocking, driven from the test's thread between iterations of the reactor — which that
/// thread owns — so nothing races and every wait is bounded.
/// </summary>
public abstract class TcpStreamTransportSpecTests(ReactorBackend backend, string loopback, bool outgoing) : StreamTransportSpec
{
    protected override StreamPeer Connect(Protocol protocol) =>
        outgoing ? SocketPeer.ConnectTo(backend, loopback, protocol) : SocketPeer.AcceptFrom(backend, loopback, protocol);

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

    /// <summary>The peer: a non-blocking socket the test's thread reads and writes between the reactor's iterations.</summary>
    private sealed class SocketPeer : StreamPeer
    {
        private static readonly TimeSpan SettleTime = TimeSpan.FromMilliseconds(30);

        private readonly IReactor _reactor;
        private readonly Protocol _protocol;
        private readonly Socket _socket;
        private readonly Socket? _listener;
        private readonly List<byte> _received = [];
        private readonly byte[] _buffer = new byte[64 * 1024];
        private bool _reading = true;
        private bool _gone;
        private PeerEnd _end;

        private SocketPeer(IReactor reactor, Protocol protocol, Socket socket, Socket? listener)
        {
            _reactor = reactor;
            _protocol = protocol;
            _socket = socket;
            _listener = listener;
            socket.Blocking = false;

            // What the peer's socket calls its ends is what the transport must call them, the other way round.
            ExpectedHost = socket.RemoteEndPoint!;
            ExpectedPeer = socket.LocalEndPoint!;
        }

        public override ITransport Transport => _protocol.Transport!;

        public override EndPoint ExpectedHost { get; }

        public override EndPoint ExpectedPeer { get; }

        public override IReadOnlyList<byte> Received => _received;

        public override PeerEnd End => _end;

        /// <summary>The protocol under test on a connection a reactor's <c>ListenTcp</c> accepted from the peer.</summary>
        public static SocketPeer AcceptFrom(ReactorBackend backend, string loopback, Protocol protocol)
        {
            var reactor = TestBackends.Create(backend);
            var port = reactor.ListenTcp(0, OneProtocol(protocol), @interface: loopback);
            var socket = new Socket(port.GetHost().AddressFamily, SocketType.Stream, ProtocolType.Tcp);

            // The kernel completes the handshake without the reactor; it accepts on its next iteration.
            socket.ConnectAsync(port.GetHost()).Wait(Deadline).Should().BeTrue("a loopback connect completes at once");
            var peer = new SocketPeer(reactor, protocol, socket, listener: null);
            peer.RunUntil(() => protocol.Transport is not null, "the reactor accepts the connection");
            return peer;
        }

        /// <summary>The protocol under test on a connection a reactor's <c>ConnectTcp</c> made to the peer's listening socket.</summary>
        public static SocketPeer ConnectTo(ReactorBackend backend, string loopback, Protocol protocol)
        {
            var reactor = TestBackends.Create(backend);
            var listener = new Socket(IPAddress.Parse(loopback).AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            listener.Bind(new IPEndPoint(IPAddress.Parse(loopback), 0));
            listener.Listen(1);
            reactor.ConnectTcp(loopback, ((IPEndPoint)listener.LocalEndPoint!).Port, ClientFactory.ForProtocol(() => protocol));
            var stopwatch = Stopwatch.StartNew();
            while (!listener.Poll(TimeSpan.FromMilliseconds(1), SelectMode.SelectRead))
            {
                stopwatch.Elapsed.Should().BeLessThan(Deadline, "the reactor's connect reaches the listening socket");
                reactor.Iterate(TimeSpan.FromMilliseconds(1));
            }

            var peer = new SocketPeer(reactor, protocol, listener.Accept(), listener);
            peer.RunUntil(() => protocol.Transport is not null, "the reactor's connection is made");
            return peer;
        }

        /// <summary>Sends everything, stepping the reactor while the kernel is full; stops if the connection was reset.</summary>
        public override void Write(ReadOnlySpan<byte> data)
        {
            var stopwatch = Stopwatch.StartNew();
            while (!data.IsEmpty)
            {
                var sent = _socket.Send(data, SocketFlags.None, out var error);
                if (error == SocketError.Success)
                {
                    data = data[sent..];
                    continue;
                }

                if (error is SocketError.ConnectionReset or SocketError.Shutdown)
                {
                    // The transport reset the connection (or closed it with our data unread, which resets it too).
                    _end = PeerEnd.Reset;
                    return;
                }

                error.Should().Be(SocketError.WouldBlock, "the peer's send should only ever have to wait");
                if (stopwatch.Elapsed > Deadline)
                {
                    throw TimedOut("the peer's data is sent");
                }

                Step();
            }
        }

        public override void Close() => _socket.Shutdown(SocketShutdown.Send);

        public override void Reset()
        {
            // SO_LINGER {on, 0}: close sends an RST.
            _socket.LingerState = new LingerOption(true, 0);
            _socket.Close();
            _gone = true;
        }

        public override void StopReading() => _reading = false;

        public override void StartReading() => _reading = true;

        public override void RunUntil(Func<bool> condition, string what)
        {
            var stopwatch = Stopwatch.StartNew();
            while (!condition())
            {
                if (stopwatch.Elapsed > Deadline)
                {
                    throw TimedOut(what);
                }

                Step();
            }
        }

        public override void Settle()
        {
            var stopwatch = Stopwatch.StartNew();
            do
            {
                Step();
            }
            while (stopwatch.Elapsed < SettleTime);
        }

        public override void Dispose()
        {
            _socket.Dispose();
            _listener?.Dispose();
            _reactor.Dispose();
        }

        /// <summary>A factory for one connection: the protocol under test, then refusals.</summary>
        private static Factory OneProtocol(Protocol protocol)
        {
            var given = false;
            return Factory.ForProtocol(() =>
            {
                if (given)
                {
                    return null;
                }

                given = true;
                return protocol;
            });
        }

        /// <summary>One iteration of the reactor (waiting at most 1 ms for I/O), then the peer reads what has arrived.</summary>
        private void Step()
        {
            _reactor.Iterate(TimeSpan.FromMilliseconds(1));
            if (!_reading || _gone || _end != PeerEnd.Open)
            {
                return;
            }

            while (true)
            {
                var received = _socket.Receive(_buffer, SocketFlags.None, out var error);
                switch (error)
                {
                    case SocketError.Success when received > 0:
                        _received.AddRange(_buffer.AsSpan(0, received));
                        continue;
                    case SocketError.Success:
                        _end = PeerEnd.EndOfStream;
                        return;
                    case SocketError.WouldBlock:
                        return;
                    case SocketError.ConnectionReset:
                        _end = PeerEnd.Reset;
                        return;
                    default:
                        throw new Xunit.Sdk.XunitException($"The peer's read failed: {error}.");
                }
            }
        }
    }
}
