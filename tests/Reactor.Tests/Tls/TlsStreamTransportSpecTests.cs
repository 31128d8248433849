using System.Diagnostics;
using System.Net;
using Reactor.Tests.Streams;
using Reactor.Tests.Support;
using Reactor.Tls;

namespace Reactor.Tests.Tls;

/// <summary>
/// The stream specification over TLS on loopback: the protocol under test is an application protocol over
/// <c>ListenSsl</c> (accepted) or <c>ConnectSsl</c> (connected), and the peer is another TLS connection on the same
/// reactor, iterated on the test's thread. Its "end" is what its own protocol hears: a clean close (close_notify) is end
/// of stream, anything else (a reset under TLS) a reset. Half-close facts do not apply: TLS has no half-close
/// (close_notify ends both directions, D34), and a TLS transport is not an <see cref="ITcpTransport"/>.
/// </summary>
public abstract class TlsStreamTransportSpecTests(ReactorBackend backend, string loopback, bool outgoing) : StreamTransportSpec
{
    private const string NoHalfClose = "TLS has no half-close: the peer's close_notify ends both directions (D34), and a TLS transport has no LoseWriteConnection";

    /// <summary>The facts that cannot apply to TLS, with the reason (read by <see cref="SpecFactDiscoverer"/>).</summary>
    public static IReadOnlyDictionary<string, string> SkippedFacts { get; } = new Dictionary<string, string>
    {
        ["LoseWriteConnection_sends_a_FIN_after_the_data_and_keeps_reading"] = NoHalfClose,
        ["The_peer_s_FIN_tells_a_half_closeable_protocol_which_can_still_write"] = NoHalfClose,
        ["The_peer_s_FIN_closes_any_other_protocol_cleanly_after_its_reply_is_sent"] = NoHalfClose + " (the peer here stops reading when it closes, as Twisted's TLS does; Tls/TlsClosingTests covers the reply to data that came with a close_notify)",
        ["LoseWriteConnection_waits_for_the_buffer_before_the_FIN"] = NoHalfClose,
        ["The_peer_s_FIN_closes_cleanly_only_after_everything_written_is_sent"] = NoHalfClose,
        ["A_paused_transport_sees_the_peer_s_FIN_only_once_resumed_after_the_data_before_it"] = NoHalfClose,
        ["An_exception_from_ReadConnectionLost_closes_the_connection_with_it_as_the_reason"] = NoHalfClose,
        ["ConnectionMade_runs_once_with_the_transport_set_and_the_addresses_known"] = "it checks for an ITcpTransport; a TLS transport is an ITlsTransport (Tls/TlsConnectionTests check its connection, addresses and handshake)",
        ["Writing_or_closing_again_inside_ConnectionLost_changes_nothing"] = "it calls ITcpTransport.LoseWriteConnection; " + NoHalfClose,
    };

    protected override StreamPeer Connect(Protocol protocol) => TlsPeer.Create(backend, loopback, outgoing, protocol);

    private static string? EpollSkipReason => OperatingSystem.IsLinux() ? null : "Linux only (epoll backend).";

    public sealed class EpollIPv4Accepted() : TlsStreamTransportSpecTests(ReactorBackend.Epoll, "127.0.0.1", outgoing: false)
    {
        public static string? SkipReason => EpollSkipReason;
    }

    public sealed class EpollIPv6Connected() : TlsStreamTransportSpecTests(ReactorBackend.Epoll, "::1", outgoing: true)
    {
        public static string? SkipReason => EpollSkipReason;
    }

    public sealed class PortableIPv6Accepted() : TlsStreamTransportSpecTests(ReactorBackend.Portable, "::1", outgoing: false);

    public sealed class PortableIPv4Connected() : TlsStreamTransportSpecTests(ReactorBackend.Portable, "127.0.0.1", outgoing: true);

    /// <summary>The peer's own protocol: it records what arrives and how its connection ended.</summary>
    private sealed class PeerProtocol : Protocol, IHandshakeListener
    {
        public List<byte> Received { get; } = [];

        public PeerEnd End { get; private set; }

        public bool StartTlsServer { get; set; }

        /// <summary>Connected once its handshake has completed (a TLS server over TCP is connected before it).</summary>
        public bool Ready { get; private set; }

        public override void ConnectionMade()
        {
            if (StartTlsServer)
            {
                Transport!.StartTls(TlsTestKit.ServerOptions());
            }
            else
            {
                Ready = true;
            }
        }

        public void HandshakeCompleted() => Ready = true;

        public override void DataReceived(ReadOnlySpan<byte> data) => Received.AddRange(data);

        public override void ConnectionLost(Failure reason) =>
            End = reason.Exception is ConnectionDoneException ? PeerEnd.EndOfStream : PeerEnd.Reset;
    }

    /// <summary>The other end of a TLS connection, on the same reactor: a TLS client or server of its own.</summary>
    private sealed class TlsPeer : StreamPeer
    {
        private static readonly TimeSpan SettleTime = TimeSpan.FromMilliseconds(30);

        private readonly IReactor _reactor;
        private readonly Protocol _protocol;
        private readonly PeerProtocol _peer = new();
        private bool _peerFailed;
        private bool _gone;

        private TlsPeer(IReactor reactor, Protocol protocol)
        {
            _reactor = reactor;
            _protocol = protocol;
        }

        public override ITransport Transport => _protocol.Transport!;

        public override EndPoint ExpectedHost => PeerTransport.GetPeer();

        public override EndPoint ExpectedPeer => PeerTransport.GetHost();

        public override IReadOnlyList<byte> Received => _peer.Received;

        public override PeerEnd End => _peerFailed ? PeerEnd.Reset : _peer.End;

        private ITransport PeerTransport
        {
            get
            {
                RunUntil(() => _peer.Ready || _peerFailed || _peer.End != PeerEnd.Open, "the peer's TLS connection is made");
                return _peer.Ready ? _peer.Transport! : throw new Xunit.Sdk.XunitException("the peer's TLS handshake failed");
            }
        }

        public static TlsPeer Create(ReactorBackend backend, string loopback, bool outgoing, Protocol protocol)
        {
            var reactor = TestBackends.Create(backend);
            var peer = new TlsPeer(reactor, protocol);
            // A peer server is a TCP connection that starts TLS at once: its protocol exists from the start, so it hears
            // the loss even when the protocol under test resets the connection before the peer's handshake is done.
            var given = false;
            var port = outgoing
                ? reactor.ListenTcp(0, Factory.ForProtocol(() =>
                {
                    if (given)
                    {
                        return null;
                    }

                    given = true;
                    peer._peer.StartTlsServer = true;
                    return peer._peer;
                }), @interface: loopback)
                : reactor.ListenSsl(0, Factory.ForProtocol(() =>
                {
                    if (given)
                    {
                        return null;
                    }

                    given = true;
                    return protocol;
                }), TlsTestKit.ServerOptions(), @interface: loopback);
            var client = outgoing ? protocol : peer._peer;
            reactor.ConnectSsl(loopback, port.GetHost().Port, new PeerClientFactory(client, peer), TlsTestKit.ClientOptions());

            // The protocol under test is connected once the handshake has completed; the peer's side may come a moment
            // later (or never, if the protocol under test aborts in ConnectionMade).
            peer.RunUntil(() => protocol.Transport is not null, "the protocol under test is connected over TLS");
            return peer;
        }

        public override void Write(ReadOnlySpan<byte> data)
        {
            if (!_gone)
            {
                PeerTransport.Write(data);
            }
        }

        public override void Close() => throw new NotSupportedException(NoHalfClose);

        public override void Reset()
        {
            // Aborting the peer's TLS aborts its TCP connection: a reset, with nothing more read.
            PeerTransport.AbortConnection();
            _gone = true;
        }

        public override void StopReading() => ((IPushProducer)PeerTransport).PauseProducing();

        public override void StartReading() => ((IPushProducer)PeerTransport).ResumeProducing();

        public override void RunUntil(Func<bool> condition, string what)
        {
            var stopwatch = Stopwatch.StartNew();
            while (!condition())
            {
                if (stopwatch.Elapsed > Deadline)
                {
                    throw TimedOut(what);
                }

                _reactor.Iterate(TimeSpan.FromMilliseconds(1));
            }
        }

        public override void Settle()
        {
            var stopwatch = Stopwatch.StartNew();
            do
            {
                _reactor.Iterate(TimeSpan.FromMilliseconds(1));
            }
            while (stopwatch.Elapsed < SettleTime);
        }

        public override void Dispose() => _reactor.Dispose();

        /// <summary>Builds the one client protocol, and notes a failed attempt (the peer's handshake cut short).</summary>
        private sealed class PeerClientFactory(Protocol client, TlsPeer owner) : ClientFactory
        {
            private bool _given;

            public override Protocol? BuildProtocol(EndPoint address)
            {
                if (_given)
                {
                    return null;
                }

                _given = true;
                return client;
            }

            public override void ClientConnectionFailed(IConnector connector, Failure reason)
            {
                if (client is PeerProtocol)
                {
                    owner._peerFailed = true;
                }
            }
        }
    }
}
