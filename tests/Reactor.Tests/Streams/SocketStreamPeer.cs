using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Reactor.Tests.Streams;

/// <summary>
/// The peer of a stream specification over real sockets (TCP or UNIX): a non-blocking <see cref="Socket"/> the test's
/// thread reads and writes between iterations of the reactor — which that thread owns — so nothing races and every wait
/// is bounded.
/// </summary>
public sealed class SocketStreamPeer : StreamPeer
{
    private static readonly TimeSpan SettleTime = TimeSpan.FromMilliseconds(30);

    private readonly IReactor _reactor;
    private readonly Protocol _protocol;
    private readonly Socket _socket;
    private readonly Socket? _listener;
    private readonly List<byte> _received = [];
    private readonly byte[] _buffer = new byte[64 * 1024];
    private readonly bool _canReset;
    private bool _reading = true;
    private bool _gone;
    private PeerEnd _end;

    /// <summary>The peer <paramref name="socket"/> of <paramref name="protocol"/>'s connection on <paramref name="reactor"/> (all three disposed with it).</summary>
    /// <param name="canReset">Whether the socket can send a reset (SO_LINGER {on, 0}); a UNIX socket cannot: its <see cref="Reset"/> is a close.</param>
    public SocketStreamPeer(IReactor reactor, Protocol protocol, Socket socket, Socket? listener, bool canReset = true)
    {
        _canReset = canReset;
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

    /// <summary>
    /// The protocol under test on a connection its reactor accepts from <paramref name="socket"/>, which connects to
    /// <paramref name="address"/> (the reactor's listening port) and becomes the peer.
    /// </summary>
    public static SocketStreamPeer Accepted(IReactor reactor, Protocol protocol, Socket socket, EndPoint address, bool canReset = true)
    {
        // The kernel completes the handshake without the reactor; it accepts on its next iteration.
        socket.ConnectAsync(address).Wait(Deadline).Should().BeTrue("a loopback connect completes at once");
        var peer = new SocketStreamPeer(reactor, protocol, socket, listener: null, canReset);
        peer.RunUntil(() => protocol.Transport is not null, "the reactor accepts the connection");
        return peer;
    }

    /// <summary>
    /// The protocol under test on the connection its reactor is making to <paramref name="listener"/>: iterates the
    /// reactor until the connection arrives, and the peer is the socket it accepts.
    /// </summary>
    public static SocketStreamPeer Connected(IReactor reactor, Protocol protocol, Socket listener, bool canReset = true)
    {
        var stopwatch = Stopwatch.StartNew();
        while (!listener.Poll(TimeSpan.FromMilliseconds(1), SelectMode.SelectRead))
        {
            stopwatch.Elapsed.Should().BeLessThan(Deadline, "the reactor's connect reaches the listening socket");
            reactor.Iterate(TimeSpan.FromMilliseconds(1));
        }

        var peer = new SocketStreamPeer(reactor, protocol, listener.Accept(), listener, canReset);
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
        // SO_LINGER {on, 0}: close sends an RST. A UNIX socket's close is a reset only for data it left unread.
        if (_canReset)
        {
            _socket.LingerState = new LingerOption(true, 0);
        }

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
    public static Factory OneProtocol(Protocol protocol)
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
