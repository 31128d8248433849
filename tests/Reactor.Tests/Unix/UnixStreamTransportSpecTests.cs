using System.Net.Sockets;
using Reactor.Tests.Streams;
using Reactor.Tests.Support;

namespace Reactor.Tests.Unix;

/// <summary>
/// The stream specification over UNIX stream sockets: each backend, with the protocol under test on an accepted
/// connection (<c>ListenUnix</c>) and on an outgoing one (<c>ConnectUnix</c>), over a socket file and over a Linux
/// abstract name. The peer is a raw .NET <see cref="Socket"/> (<see cref="SocketStreamPeer"/>). A UNIX stream socket has
/// no reset: an abort is a close (the peer reads end of stream, or ECONNRESET if the aborting side left data unread),
/// and the peer's "reset" is a close that leaves data unread, which only the facts whose peer has stopped reading have.
/// </summary>
public abstract class UnixStreamTransportSpecTests(ReactorBackend backend, bool outgoing, bool @abstract) : StreamTransportSpec
{
    private const string NoReset = "a UNIX stream socket has no reset: the peer's close is a reset (ECONNRESET) only when it leaves data unread, and in this fact nothing was written to it";

    private readonly SocketDirectory _directory = new();

    /// <summary>The facts that cannot apply to UNIX sockets, with the reason (read by <see cref="SpecFactDiscoverer"/>).</summary>
    public static IReadOnlyDictionary<string, string> SkippedFacts { get; } = new Dictionary<string, string>
    {
        ["A_reset_from_the_peer_loses_the_connection"] = NoReset + " (Unix/UnixClosingTests covers the peer's close)",
        ["A_producer_registered_when_the_connection_is_lost_is_stopped"] = NoReset + " (the spec's reset facts with data unread cover the loss)",
    };

    protected override Type TransportInterface => typeof(IUnixTransport);

    protected override PeerEnd[] AbortSeenAs => [PeerEnd.EndOfStream, PeerEnd.Reset];

    protected override StreamPeer Connect(Protocol protocol)
    {
        // Reactor spells an abstract name "@name"; .NET's endpoint spells it with a leading NUL.
        var path = @abstract ? UnixTestKit.AbstractName() : _directory.Socket();
        var address = new UnixDomainSocketEndPoint(@abstract ? "\0" + path[1..] : path);
        var reactor = TestBackends.Create(backend);
        if (!outgoing)
        {
            reactor.ListenUnix(path, SocketStreamPeer.OneProtocol(protocol));
            var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            return SocketStreamPeer.Accepted(reactor, protocol, socket, address, canReset: false);
        }

        var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(address);
        listener.Listen(1);
        reactor.ConnectUnix(path, ClientFactory.ForProtocol(() => protocol));
        return SocketStreamPeer.Connected(reactor, protocol, listener, canReset: false);
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        _directory.Dispose();
    }

    private static string? EpollSkipReason => OperatingSystem.IsLinux() ? null : "Linux only (epoll backend).";

    public sealed class EpollAccepted() : UnixStreamTransportSpecTests(ReactorBackend.Epoll, outgoing: false, @abstract: false)
    {
        public static string? SkipReason => EpollSkipReason;
    }

    public sealed class EpollConnected() : UnixStreamTransportSpecTests(ReactorBackend.Epoll, outgoing: true, @abstract: false)
    {
        public static string? SkipReason => EpollSkipReason;
    }

    public sealed class EpollAbstractAccepted() : UnixStreamTransportSpecTests(ReactorBackend.Epoll, outgoing: false, @abstract: true)
    {
        public static string? SkipReason => EpollSkipReason;
    }

    public sealed class PortableAccepted() : UnixStreamTransportSpecTests(ReactorBackend.Portable, outgoing: false, @abstract: false);

    public sealed class PortableConnected() : UnixStreamTransportSpecTests(ReactorBackend.Portable, outgoing: true, @abstract: false);

    public sealed class PortableAbstractConnected() : UnixStreamTransportSpecTests(ReactorBackend.Portable, outgoing: true, @abstract: true)
    {
        public static string? SkipReason => OperatingSystem.IsLinux() ? null : "Linux only (abstract names).";
    }
}
