using System.Net;
using System.Net.Sockets;
using System.Text;
using Reactor.Internal.Backends;
using Reactor.Internal.Backends.Epoll;
using Reactor.Internal.Backends.Portable;
using Reactor.Internal.Linux;
using Reactor.Internal.Streams;
using Reactor.Internal.Udp;
using Reactor.Tests.Support;

namespace Reactor.Tests.Tcp;

/// <summary>
/// Socket errors injected below each backend's native layer for stream sockets (<see cref="SocketFaults"/>): the epoll
/// sockets' recv/send/sendmsg/accept4/connect return -1 with the scripted errno (and SO_ERROR holds it for a connect in
/// progress); the portable sockets' .NET calls return the <see cref="SocketError"/> .NET would. Everything above — the
/// connection's error table, the port's accept loop, the connector — is the real code, over real loopback sockets, on
/// both backends and both IP families. The reactor is the client for reads, writes and connects (a plain .NET socket is
/// the peer) and the server for accepts.
/// </summary>
[Trait("kind", "fault-injection")]
public class TcpNativeFaultTests
{
    /// <summary>An errno neither backend names (EPROTO): it stands for "an error nobody expected".</summary>
    private const int Unknown = 71;

    public static TheoryData<ReactorBackend, string, int> TransientReadErrors => Cases(Errno.EAGAIN, Errno.EINTR, Errno.ENOBUFS);

    public static TheoryData<ReactorBackend, string, int> FatalStreamErrors => Cases(Errno.ECONNRESET, Errno.EPIPE, Errno.ETIMEDOUT, Unknown);

    public static TheoryData<ReactorBackend, string, int> FullBufferWriteErrors => Cases(Errno.EAGAIN, Errno.ENOBUFS);

    public static TheoryData<ReactorBackend, string, int> SkippedAcceptErrors => Cases(Errno.EAGAIN, Errno.EINTR, Errno.ECONNRESET);

    public static TheoryData<ReactorBackend, string, int> TransientAcceptErrors => Cases(Errno.ENOBUFS, Errno.ENOMEM, Errno.EPIPE, Errno.ETIMEDOUT, Unknown);

    public static TheoryData<ReactorBackend, string, int> FailedConnectErrors =>
        Cases(Errno.ECONNREFUSED, Errno.ECONNRESET, Errno.EPIPE, Errno.ENOBUFS, Errno.ETIMEDOUT, Unknown);

    public static TheoryData<ReactorBackend, string, int> FailedConnectResults =>
        Cases(Errno.ECONNREFUSED, Errno.ECONNRESET, Errno.ENOBUFS, Errno.ETIMEDOUT, Unknown);

    private static TheoryData<ReactorBackend, string, int> Cases(params int[] errnos)
    {
        var data = new TheoryData<ReactorBackend, string, int>();
        foreach (var backend in TestBackends.All)
        {
            foreach (var loopback in new[] { "127.0.0.1", "::1" })
            {
                foreach (var errno in errnos)
                {
                    data.Add(backend, loopback, errno);
                }
            }
        }

        return data;
    }

    // ---- Reads ----------------------------------------------------------------------------------------------------

    [Theory]
    [MemberData(nameof(TransientReadErrors))]
    public void An_EAGAIN_EINTR_or_ENOBUFS_read_waits_for_the_next_readiness_and_loses_nothing(ReactorBackend backend, string loopback, int errno)
    {
        using var world = new World(backend, loopback);
        var client = world.Connect();
        var faults = world.StreamFaults[0];
        faults.Fail(SocketCall.Receive, errno, times: 3);
        var expected = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Range(0, 200).Select(i => $"line {i}\n")));
        client.Peer.Send(expected);

        world.Reactor.RunUntil(() => client.Protocol.Received.Count == expected.Length);

        client.Protocol.Received.Should().Equal(expected, "every byte arrives, in order");
        faults.Pending(SocketCall.Receive).Should().Be(0, "every scripted failure was met by a real read");
        client.Protocol.Lost.Should().BeEmpty();
        world.Warnings.Should().BeEmpty();
    }

    [Theory]
    [MemberData(nameof(FatalStreamErrors))]
    public void A_reset_broken_pipe_timeout_or_unknown_read_error_loses_that_connection_once_with_the_error(ReactorBackend backend, string loopback, int errno)
    {
        using var world = new World(backend, loopback);
        var victim = world.Connect();
        var bystander = world.Connect();
        world.StreamFaults[0].Fail(SocketCall.Receive, errno);
        victim.Peer.Send("doomed"u8);
        bystander.Peer.Send("fine"u8);

        world.Reactor.RunUntil(() => victim.Protocol.Lost.Count > 0 && bystander.Protocol.Received.Count == 4);
        world.Reactor.RunUntil(() => victim.Failed.Count > 0 || victim.LostByFactory.Count > 0);

        var lost = victim.Protocol.Lost.Should().ContainSingle("ConnectionLost runs exactly once").Subject;
        lost.Exception.Should().BeOfType<ConnectionLostException>().Which.SocketErrorCode.Should().Be(Errno.ToSocketError(errno));
        victim.LostByFactory.Should().ContainSingle().Which.Exception.Should().BeSameAs(lost.Exception);
        victim.Protocol.Received.Should().BeEmpty("the failed read returned nothing");
        TcpTestKit.ReadToEnd(victim.Peer).Should().BeEmpty("the connection was closed, and the peer sees the close");

        bystander.Protocol.Received.Should().Equal(Encoding.ASCII.GetBytes("fine"));
        bystander.Protocol.Lost.Should().BeEmpty("other connections are untouched");
    }

    // ---- Writes ---------------------------------------------------------------------------------------------------

    [Theory]
    [MemberData(nameof(FullBufferWriteErrors))]
    public void An_EAGAIN_or_ENOBUFS_write_keeps_the_data_and_sends_it_in_order_when_writable(ReactorBackend backend, string loopback, int errno)
    {
        // Twisted's writeSomeData: EWOULDBLOCK and ENOBUFS mean "0 bytes written, try later".
        using var world = new World(backend, loopback);
        var client = world.Connect();
        var faults = world.StreamFaults[0];
        faults.Fail(SocketCall.Send, errno, times: 2);
        var bufferedAfterWrite = -1L;
        world.Reactor.CallLater(TimeSpan.Zero, () =>
        {
            client.Protocol.Transport!.Write("first,"u8);
            client.Protocol.Transport!.Write("second"u8);
            bufferedAfterWrite = client.Protocol.Transport!.BufferedBytes;
        });

        world.Reactor.RunUntil(() => faults.Pending(SocketCall.Send) == 0 && client.Protocol.Transport!.BufferedBytes == 0);

        bufferedAfterWrite.Should().Be(12, "the kernel took nothing, so both writes are kept");
        client.Peer.ReceiveTimeout = 10_000;
        var buffer = new byte[64];
        var received = new List<byte>();
        for (var i = 0; i < 12 && received.Count < 12; i++)
        {
            received.AddRange(buffer.AsSpan(0, client.Peer.Receive(buffer)).ToArray());
        }

        Encoding.ASCII.GetString([.. received]).Should().Be("first,second");
        client.Protocol.Lost.Should().BeEmpty();
        world.Warnings.Should().BeEmpty();
    }

    [Theory]
    [MemberData(nameof(Families.BackendsAndLoopbacks), MemberType = typeof(Families))]
    public void An_EINTR_write_is_retried_inside_Write(ReactorBackend backend, string loopback)
    {
        using var world = new World(backend, loopback);
        var client = world.Connect();
        var faults = world.StreamFaults[0];
        faults.Fail(SocketCall.Send, Errno.EINTR, times: 2);
        var bufferedAfterWrite = -1L;
        world.Reactor.CallLater(TimeSpan.Zero, () =>
        {
            client.Protocol.Transport!.Write("interrupted"u8);
            bufferedAfterWrite = client.Protocol.Transport!.BufferedBytes;
        });

        world.Reactor.RunUntil(() => bufferedAfterWrite >= 0);

        bufferedAfterWrite.Should().Be(0, "the send was retried at once, not queued");
        faults.Pending(SocketCall.Send).Should().Be(0);
        client.Peer.ReceiveTimeout = 10_000;
        var buffer = new byte[64];
        Encoding.ASCII.GetString(buffer, 0, client.Peer.Receive(buffer)).Should().Be("interrupted");
        client.Protocol.Lost.Should().BeEmpty();
    }

    [Theory]
    [MemberData(nameof(FatalStreamErrors))]
    public void A_reset_broken_pipe_timeout_or_unknown_write_error_loses_that_connection_once_after_Write_returns(ReactorBackend backend, string loopback, int errno)
    {
        using var world = new World(backend, loopback);
        var victim = world.Connect();
        var bystander = world.Connect();
        world.StreamFaults[0].Fail(SocketCall.Send, errno);
        var insideWrite = false;
        var lostInsideWrite = false;
        victim.Protocol.OnLost = (_, _) => lostInsideWrite |= insideWrite;
        world.Reactor.CallLater(TimeSpan.Zero, () =>
        {
            insideWrite = true;
            victim.Protocol.Transport!.Write("doomed"u8);
            insideWrite = false;
            bystander.Protocol.Transport!.Write("fine"u8);
        });

        world.Reactor.RunUntil(() => victim.LostByFactory.Count > 0);

        lostInsideWrite.Should().BeFalse("ConnectionLost is never called from inside Write (D15)");
        var lost = victim.Protocol.Lost.Should().ContainSingle("ConnectionLost runs exactly once").Subject;
        lost.Exception.Should().BeOfType<ConnectionLostException>().Which.SocketErrorCode.Should().Be(Errno.ToSocketError(errno));
        TcpTestKit.ReadToEnd(victim.Peer).Should().BeEmpty("nothing was sent, and the peer sees the close");

        bystander.Peer.ReceiveTimeout = 10_000;
        var buffer = new byte[64];
        Encoding.ASCII.GetString(buffer, 0, bystander.Peer.Receive(buffer)).Should().Be("fine");
        bystander.Protocol.Lost.Should().BeEmpty("other connections are untouched");
    }

    // ---- Accepts --------------------------------------------------------------------------------------------------

    [Theory]
    [MemberData(nameof(SkippedAcceptErrors))]
    public void An_EAGAIN_EINTR_or_ECONNRESET_accept_is_not_logged_and_the_waiting_client_is_still_accepted(ReactorBackend backend, string loopback, int errno)
    {
        // EAGAIN ends the batch (the next readiness accepts), EINTR is retried, ECONNRESET skips to the next accept
        // (counted as aborted): none is logged, none pauses the port.
        using var world = new World(backend, loopback);
        var server = world.Listen();
        var faults = world.ListenFaults[0];
        faults.Fail(SocketCall.Accept, errno);
        using var peer = TcpTestKit.RawClient((IPEndPoint)server.Port.GetHost());

        world.Reactor.RunUntil(() => server.Accepted.Count == 1);

        faults.Pending(SocketCall.Accept).Should().Be(0);
        world.Counters.AcceptErrors.Should().Be(0);
        world.Counters.AcceptsAborted.Should().Be(errno == Errno.ECONNRESET ? 1 : 0);
        world.Logs.WithEventId(406).Should().BeEmpty();
        world.Warnings.Should().BeEmpty();
    }

    [Theory]
    [MemberData(nameof(TransientAcceptErrors))]
    public void An_ENOBUFS_ENOMEM_or_unexpected_accept_error_is_logged_pauses_the_port_50_ms_and_leaves_connections_alone(ReactorBackend backend, string loopback, int errno)
    {
        // D22's back-off for a condition that may persist: the port stops watching for the back-off (on the reactor's
        // clock, frozen here, so no accept is even tried until it moves), then accepts the client that waited.
        var time = new FrozenTime();
        using var world = new World(backend, loopback, time);
        var server = world.Listen();
        using var first = TcpTestKit.RawClient((IPEndPoint)server.Port.GetHost());
        world.Reactor.RunUntil(() => server.Accepted.Count == 1);
        var faults = world.ListenFaults[0];
        faults.Fail(SocketCall.Accept, errno);
        using var second = TcpTestKit.RawClient((IPEndPoint)server.Port.GetHost());

        world.Reactor.RunUntil(() => faults.Pending(SocketCall.Accept) == 0);
        var callsAtError = faults.Calls(SocketCall.Accept);
        for (var i = 0; i < 20; i++)
        {
            world.Reactor.Iterate(TimeSpan.FromMilliseconds(1));
        }

        faults.Calls(SocketCall.Accept).Should().Be(callsAtError, "the port does not try again before the back-off ends");
        server.Accepted.Should().HaveCount(1);
        time.Advance(StreamListener.AcceptBackoff);
        world.Reactor.RunUntil(() => server.Accepted.Count == 2);

        var logged = world.Logs.WithEventId(406).Should().ContainSingle().Subject;
        logged.Message.Should().Contain(Errno.ToSocketError(errno).ToString());
        world.Counters.AcceptErrors.Should().Be(1);
        server.Accepted[0].Lost.Should().BeEmpty("existing connections are untouched by accept errors");
        first.Send("still here"u8);
        world.Reactor.RunUntil(() => server.Accepted[0].Received.Count == 10);
    }

    [Theory]
    [MemberData(nameof(Families.BackendsAndLoopbacks), MemberType = typeof(Families))]
    public void An_EMFILE_accept_sheds_or_backs_off_as_D22_says_and_the_port_keeps_serving(ReactorBackend backend, string loopback)
    {
        var time = new FrozenTime();
        using var world = new World(backend, loopback, time);
        var server = world.Listen();
        world.ListenFaults[0].Fail(SocketCall.Accept, Errno.EMFILE);
        using var shed = TcpTestKit.RawClient((IPEndPoint)server.Port.GetHost());

        world.Reactor.RunUntil(() => world.ListenFaults[0].Pending(SocketCall.Accept) == 0);
        if (backend == ReactorBackend.Epoll)
        {
            // The reserve descriptor is freed, the waiting client accepted and closed, the reserve taken again.
            TcpTestKit.ReadToEnd(shed).Should().BeEmpty("the shed client sees a close instead of waiting");
            world.Counters.AcceptsShed.Should().Be(1);
            server.Accepted.Should().BeEmpty();
        }
        else
        {
            world.Logs.WithEventId(406).Should().ContainSingle();
            time.Advance(StreamListener.AcceptBackoff);
            world.Reactor.RunUntil(() => server.Accepted.Count == 1);
        }

        using var later = TcpTestKit.RawClient((IPEndPoint)server.Port.GetHost());
        world.Reactor.RunUntil(() => server.Accepted.Count == (backend == ReactorBackend.Epoll ? 1 : 2));
    }

    // ---- Connects -------------------------------------------------------------------------------------------------

    [Theory]
    [MemberData(nameof(FailedConnectErrors))]
    public void A_connect_that_fails_at_once_reaches_ClientConnectionFailed_after_ConnectTcp_returns_with_the_mapped_exception(ReactorBackend backend, string loopback, int errno)
    {
        // D26.
        using var world = new World(backend, loopback);
        var client = world.StartConnect(faults => faults.Fail(SocketCall.Connect, errno));

        world.Reactor.RunUntil(() => client.Failed.Count > 0);

        client.FailedInsideConnectTcp.Should().BeFalse();
        AssertConnectFailure(client, errno);
    }

    [Theory]
    [MemberData(nameof(Families.BackendsAndLoopbacks), MemberType = typeof(Families))]
    public void An_EAGAIN_connect_is_a_failure_not_a_connect_in_progress(ReactorBackend backend, string loopback)
    {
        // EAGAIN from a TCP connect is Linux's "no free local port": the socket is not connecting at all. Taken for a
        // connect in progress, the epoll socket turned "writable" with no pending error and the attempt passed for
        // connected — a protocol built on a socket connected to nothing (D66).
        using var world = new World(backend, loopback);
        var client = world.StartConnect(faults => faults.Fail(SocketCall.Connect, Errno.EAGAIN));

        world.Reactor.RunUntil(() => client.Failed.Count > 0 || client.Built > 0);

        client.FailedInsideConnectTcp.Should().BeFalse();
        AssertConnectFailure(client, Errno.EAGAIN);
    }

    [Theory]
    [MemberData(nameof(FailedConnectResults))]
    public void A_connect_in_progress_that_ends_in_an_error_reaches_ClientConnectionFailed_with_the_mapped_exception(ReactorBackend backend, string loopback, int errno)
    {
        using var world = new World(backend, loopback);
        var client = world.StartConnect(faults => faults.Fail(SocketCall.ConnectResult, errno));

        world.Reactor.RunUntil(() => client.Failed.Count > 0);

        AssertConnectFailure(client, errno);
    }

    [Theory]
    [MemberData(nameof(Families.BackendsAndLoopbacks), MemberType = typeof(Families))]
    public void An_EINTR_connect_carries_on_and_connects(ReactorBackend backend, string loopback)
    {
        // POSIX: an interrupted connect goes on asynchronously; the result comes with writability, as for EINPROGRESS.
        using var world = new World(backend, loopback);
        var client = world.StartConnect(faults => faults.Fail(SocketCall.Connect, Errno.EINTR));

        world.Reactor.RunUntil(() => client.Protocol.Events.Contains("made"));

        client.Failed.Should().BeEmpty();
        world.StreamFaults[0].Pending(SocketCall.Connect).Should().Be(0);
    }

    private static void AssertConnectFailure(Client client, int errno)
    {
        var expected = Errno.ToSocketError(errno);
        var failure = client.Failed.Should().ContainSingle("ClientConnectionFailed runs once").Subject.Exception;
        if (errno == Errno.ECONNREFUSED)
        {
            failure.Should().BeOfType<ConnectionRefusedException>();
        }
        else
        {
            failure.Should().BeOfType<ConnectException>().Which.SocketErrorCode.Should().Be(expected);
        }

        client.Protocol.Events.Should().BeEmpty("no protocol was connected");
        client.Built.Should().Be(0, "no protocol is built for a connection that never existed");
    }

    // ---- Helpers --------------------------------------------------------------------------------------------------

    /// <summary>One reactor-side client: its protocol, its factory's record and its plain .NET peer.</summary>
    private sealed class Client : ClientFactory
    {
        public Support.RecordingStreamProtocol Protocol { get; } = new();

        public List<Failure> Failed { get; } = [];

        public List<Failure> LostByFactory { get; } = [];

        public bool InsideConnectTcp { get; set; }

        public bool FailedInsideConnectTcp { get; private set; }

        public int Built { get; private set; }

        public Socket Peer { get; set; } = null!;

        public override Protocol? BuildProtocol(EndPoint address)
        {
            Built++;
            return Protocol;
        }

        public override void ClientConnectionFailed(IConnector connector, Failure reason)
        {
            FailedInsideConnectTcp |= InsideConnectTcp;
            Failed.Add(reason);
        }

        public override void ClientConnectionLost(IConnector connector, Failure reason) => LostByFactory.Add(reason);
    }

    /// <summary>A reactor-side server: the port and every protocol it built.</summary>
    private sealed class Server
    {
        public IListeningPort Port { get; set; } = null!;

        public List<Support.RecordingStreamProtocol> Accepted { get; } = [];
    }

    /// <summary>
    /// A reactor whose socket factory attaches a <see cref="SocketFaults"/> script to every backend socket it makes
    /// (<see cref="StreamFaults"/> for connecting sockets, <see cref="ListenFaults"/> for listening ones, in order), a
    /// plain .NET listener as the peer of its clients, and a log.
    /// </summary>
    private sealed class World : IDisposable
    {
        private readonly Socket _listener;
        private readonly List<Client> _clients = [];
        private Action<SocketFaults>? _nextScript;

        public World(ReactorBackend backend, string loopback, TimeProvider? time = null)
        {
            Reactor = TestBackends.Create(backend, Logs, time);
            var reactor = Reactor.Internal();
            reactor.Sockets = new FaultingSockets(reactor.Sockets, this);
            Loopback = loopback;
            var address = IPAddress.Parse(loopback);
            _listener = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            _listener.Bind(new IPEndPoint(address, 0));
            _listener.Listen(16);
        }

        public TestLoggerFactory Logs { get; } = new();

        public IReactor Reactor { get; }

        public string Loopback { get; }

        public List<SocketFaults> StreamFaults { get; } = [];

        public List<SocketFaults> ListenFaults { get; } = [];

        public StreamCountersView Counters => Reactor.Internal().Streams.Counters;

        public IEnumerable<LogRecord> Warnings => Logs.Records.Where(r => r.Level >= Microsoft.Extensions.Logging.LogLevel.Warning);

        /// <summary>Starts a client connection to the peer listener, with <paramref name="script"/> applied to its socket first.</summary>
        public Client StartConnect(Action<SocketFaults>? script = null)
        {
            var client = new Client();
            _clients.Add(client);
            _nextScript = script;
            Reactor.CallLater(TimeSpan.Zero, () =>
            {
                client.InsideConnectTcp = true;
                Reactor.ConnectTcp(Loopback, ((IPEndPoint)_listener.LocalEndPoint!).Port, client, TimeSpan.FromSeconds(10));
                client.InsideConnectTcp = false;
            });
            return client;
        }

        /// <summary>A connected client: its protocol has been made and its peer accepted.</summary>
        public Client Connect()
        {
            var client = StartConnect();
            Reactor.RunUntil(() => client.Protocol.Events.Contains("made"));
            client.Peer = _listener.Accept();
            return client;
        }

        public Server Listen()
        {
            var server = new Server();
            server.Port = Reactor.ListenTcp(0, Factory.ForProtocol(() =>
            {
                var protocol = new Support.RecordingStreamProtocol();
                server.Accepted.Add(protocol);
                return protocol;
            }), @interface: Loopback);
            return server;
        }

        internal SocketFaults Attach(object socket, bool listening)
        {
            var faults = new SocketFaults();
            switch (socket)
            {
                case EpollStreamSocket epoll:
                    epoll.Faults = faults;
                    break;
                case PortableStreamSocket portable:
                    portable.Faults = faults;
                    break;
                case EpollListenSocket epoll:
                    epoll.Faults = faults;
                    break;
                case PortableListenSocket portable:
                    portable.Faults = faults;
                    break;
                default:
                    throw new InvalidOperationException("not a backend socket");
            }

            if (listening)
            {
                ListenFaults.Add(faults);
            }
            else
            {
                StreamFaults.Add(faults);
                _nextScript?.Invoke(faults);
                _nextScript = null;
            }

            return faults;
        }

        public void Dispose()
        {
            foreach (var client in _clients)
            {
                client.Peer?.Dispose();
            }

            _listener.Dispose();
            (Reactor as IDisposable)?.Dispose();
        }
    }

    /// <summary>The backend's own socket factory, with a fault script attached to every stream socket it makes.</summary>
    private sealed class FaultingSockets(ISocketFactory inner, World world) : ISocketFactory
    {
        public IDatagramSocket CreateDatagramSocket(AddressFamily family) => inner.CreateDatagramSocket(family);

        public IStreamSocket CreateStreamSocket(AddressFamily family)
        {
            var socket = inner.CreateStreamSocket(family);
            world.Attach(socket, listening: false);
            return socket;
        }

        public IListenSocket CreateListenSocket(AddressFamily family)
        {
            var socket = inner.CreateListenSocket(family);
            world.Attach(socket, listening: true);
            return socket;
        }
    }

    /// <summary>A TimeProvider whose timestamp moves only when told, so a back-off lasts until the test ends it.</summary>
    private sealed class FrozenTime : TimeProvider
    {
        private long _timestamp = 1_000_000;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => Interlocked.Read(ref _timestamp);

        public void Advance(TimeSpan by) => Interlocked.Add(ref _timestamp, by.Ticks);
    }
}
