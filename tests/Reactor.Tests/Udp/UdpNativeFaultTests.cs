using System.Net;
using System.Net.Sockets;
using System.Text;
using Reactor.Internal.Backends.Epoll;
using Reactor.Internal.Linux;
using Reactor.Internal.Backends.Portable;
using Reactor.Internal.Udp;
using Reactor.Tests.Support;
using Reactor.Internal.Backends;

namespace Reactor.Tests.Udp;

/// <summary>
/// Socket errors injected below each backend's native layer (<see cref="SocketFaults"/>): the epoll socket's
/// recvmmsg/send/sendto/sendmmsg return -1 with the scripted errno, the portable socket's <see cref="Socket"/> calls
/// throw the <see cref="SocketException"/> .NET would. Everything above — the backend's mapping of the error, the port's
/// decision, the protocol's callbacks, the counters and the log — is the real code, over real loopback sockets, on both
/// backends and both IP families. Twisted's <c>test_udp_internals</c> cases are here per backend (reads that stop at
/// an "ignore" error, a refusal on an unconnected and on a connected port, an unknown error after good datagrams), plus
/// every error of the issue on the write side.
/// </summary>
[Trait("kind", "fault-injection")] public class UdpNativeFaultTests
{
    /// <summary>An errno neither backend names (EPROTO): it stands for "an error nobody expected".</summary>
    private const int Unknown = 71;

    private static readonly TimeSpan PeerTimeout = TimeSpan.FromSeconds(5);

    public static TheoryData<ReactorBackend, string, int> IgnoredReadErrors => Cases(Errno.EAGAIN, Errno.EINTR);

    public static TheoryData<ReactorBackend, string, int> UnexpectedReadErrors => Cases(Errno.ENOBUFS, Unknown);

    public static TheoryData<ReactorBackend, string, int> FullBufferWriteErrors => Cases(Errno.EAGAIN, Errno.ENOBUFS);

    public static TheoryData<ReactorBackend, string, int> TransientWriteErrors => Cases(Errno.EAGAIN, Errno.ENOBUFS, Errno.EINTR);

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
    [MemberData(nameof(IgnoredReadErrors))]
    public void An_EAGAIN_or_EINTR_read_ends_quietly_and_every_datagram_still_arrives_in_order(ReactorBackend backend, string loopback, int errno)
    {
        // Twisted's test_socketReadNormal: an "ignore" error stops the read with nothing logged; the next read goes on.
        using var world = new World(backend, loopback);
        var faults = world.Script();
        faults.Fail(SocketCall.Receive, errno, times: 3);
        world.PeerSends(10);

        world.RunUntil(() => world.Protocol.Received.Count == 10);

        world.ReceivedText().Should().Equal(Numbered(10));
        faults.Pending(SocketCall.Receive).Should().Be(0, "every scripted failure was met by a real read");
        world.Warnings.Should().BeEmpty();
        world.Counters.ReceiveErrors.Should().Be(0);
        world.Protocol.Refusals.Should().Be(0);
    }

    [Theory]
    [MemberData(nameof(UnexpectedReadErrors))]
    public void An_unexpected_read_error_is_logged_between_the_good_datagrams_and_the_port_reads_on(ReactorBackend backend, string loopback, int errno)
    {
        // Twisted's test_readUnknownError: the datagrams read before the error are delivered first. Twisted then lets
        // the error escape doRead, which closes the port; Reactor logs it (event 208), counts it and keeps reading.
        // 100 datagrams: the epoll socket's first recvmmsg takes a full batch of 64, so its second read meets the error.
        using var world = new World(backend, loopback);
        world.Script().Fail(SocketCall.Receive, errno, after: 1);
        var errorsLoggedBefore = new List<int>();
        world.Protocol.OnDatagram = (_, _, _) => errorsLoggedBefore.Add(world.Logs.WithEventId(208).Count());
        world.PeerSends(100);

        world.RunUntil(() => world.Protocol.Received.Count == 100);

        world.ReceivedText().Should().Equal(Numbered(100), "no datagram is lost to the error");
        errorsLoggedBefore[0].Should().Be(0, "the good datagrams read before the error are delivered before it is reported");
        errorsLoggedBefore[^1].Should().Be(1, "the error is reported once, and the port goes on reading");
        var logged = world.Logs.WithEventId(208).Should().ContainSingle().Subject;
        logged.Message.Should().Contain(Errno.ToSocketError(errno).ToString());
        world.Counters.ReceiveErrors.Should().Be(1);
        world.OpenAtStop.Should().BeTrue();
    }

    [Theory]
    [MemberData(nameof(Families.BackendsAndLoopbacks), MemberType = typeof(Families))]
    public void A_refusal_read_on_an_unconnected_port_ends_the_read_quietly_without_ConnectionRefused(ReactorBackend backend, string loopback)
    {
        // Twisted's test_readImmediateError.
        using var world = new World(backend, loopback);
        world.Script().Fail(SocketCall.Receive, Errno.ECONNREFUSED);
        world.PeerSends(5);

        world.RunUntil(() => world.Protocol.Received.Count == 5);

        world.ReceivedText().Should().Equal(Numbered(5));
        world.Protocol.Refusals.Should().Be(0);
        world.Warnings.Should().BeEmpty();
    }

    [Theory]
    [MemberData(nameof(Families.BackendsAndLoopbacks), MemberType = typeof(Families))]
    public void A_refusal_read_on_a_connected_port_calls_ConnectionRefused_once_and_the_port_reads_on(ReactorBackend backend, string loopback)
    {
        // Twisted's test_connectedReadImmediateError, with decision D2: the port stays open.
        using var world = new World(backend, loopback);
        world.Port.Connect(world.PeerAddress.Address.ToString(), world.PeerAddress.Port);
        world.Script().Fail(SocketCall.Receive, Errno.ECONNREFUSED);
        world.PeerSends(5);

        world.RunUntil(() => world.Protocol.Received.Count == 5);

        world.Protocol.Refusals.Should().Be(1);
        world.Protocol.Events.IndexOf("refused").Should().BeLessThan(world.Protocol.Events.IndexOf("datagram 0"), "the refusal was the first read");
        world.ReceivedText().Should().Equal(Numbered(5));
        world.OpenAtStop.Should().BeTrue();
    }

    [Theory]
    [MemberData(nameof(Families.BackendsAndLoopbacks), MemberType = typeof(Families))]
    public void An_EMSGSIZE_read_is_what_the_backends_platform_means_by_it(ReactorBackend backend, string loopback)
    {
        // Linux's recvmmsg never reports EMSGSIZE (it flags MSG_TRUNC), so the epoll socket treats it as unexpected:
        // logged, counted, the port reads on. The portable socket runs where Windows reports a datagram longer than the
        // buffer this way (the datagram is consumed): it counts a truncated drop and reads on.
        using var world = new World(backend, loopback);
        world.Script().Fail(SocketCall.Receive, Errno.EMSGSIZE);
        world.PeerSends(5);

        world.RunUntil(() => world.Protocol.Received.Count == 5);

        world.ReceivedText().Should().Equal(Numbered(5));
        if (backend == ReactorBackend.Epoll)
        {
            world.Counters.ReceiveErrors.Should().Be(1);
            world.Logs.WithEventId(208).Should().ContainSingle();
            world.Counters.DroppedTruncated.Should().Be(0);
        }
        else
        {
            world.Counters.DroppedTruncated.Should().Be(1);
            world.Logs.WithEventId(205).Should().ContainSingle();
            world.Counters.ReceiveErrors.Should().Be(0);
        }
    }

    // ---- Writes from outside a receive ------------------------------------------------------------------------------

    [Theory]
    [MemberData(nameof(FullBufferWriteErrors))]
    public void An_EAGAIN_or_ENOBUFS_write_is_queued_pauses_the_protocol_and_is_sent_in_order_when_writable(ReactorBackend backend, string loopback, int errno)
    {
        // Decision D8: a full send buffer (or interface queue) is transient. No exception, nothing dropped.
        using var world = new World(backend, loopback);
        var faults = world.Script();
        faults.Fail(SocketCall.Send, errno, times: 2);
        var queuedAfterWrites = -1;
        world.Reactor.CallWhenRunning(() =>
        {
            foreach (var text in Numbered(3))
            {
                world.Port.Write(Encoding.ASCII.GetBytes(text), world.PeerAddress);
            }

            queuedAfterWrites = world.PendingWrites;
        });

        world.RunUntil(() => world.Protocol.Events.Contains("resume"));

        queuedAfterWrites.Should().Be(3, "the first send failed, and later writes queue behind it to keep the order");
        world.PeerReceives(3).Should().Equal(Numbered(3));
        world.Protocol.Events.Should().Equal("start", "pause", "resume", "stop");
        faults.Pending(SocketCall.Send).Should().Be(0);
        world.Counters.DroppedSendError.Should().Be(0);
        world.Counters.DroppedQueueFull.Should().Be(0);
        world.Counters.DatagramsSent.Should().Be(3);
    }

    [Theory]
    [MemberData(nameof(Families.BackendsAndLoopbacks), MemberType = typeof(Families))]
    public void An_EINTR_write_is_retried_at_once(ReactorBackend backend, string loopback)
    {
        using var world = new World(backend, loopback);
        var faults = world.Script();
        faults.Fail(SocketCall.Send, Errno.EINTR, times: 2);
        var queued = -1;
        world.Reactor.CallWhenRunning(() =>
        {
            world.Port.Write("interrupted"u8, world.PeerAddress);
            queued = world.PendingWrites;
            world.Stop();
        });

        world.Reactor.RunWithTimeout();

        queued.Should().Be(0, "the write was retried inside Write, not queued");
        faults.Calls(SocketCall.Send).Should().Be(3);
        world.PeerReceives(1).Should().Equal("interrupted");
        world.Protocol.Events.Should().NotContain("pause");
        world.Counters.DroppedSendError.Should().Be(0);
    }

    [Theory]
    [MemberData(nameof(Families.BackendsAndLoopbacks), MemberType = typeof(Families))]
    public void An_EMSGSIZE_write_raises_MessageLength_and_the_port_writes_on(ReactorBackend backend, string loopback)
    {
        using var world = new World(backend, loopback);
        world.Script().Fail(SocketCall.Send, Errno.EMSGSIZE);
        Exception? thrown = null;
        world.Reactor.CallWhenRunning(() =>
        {
            thrown = Record.Exception(() => world.Port.Write("too long for the path"u8, world.PeerAddress));
            world.Port.Write("next"u8, world.PeerAddress);
            world.Stop();
        });

        world.Reactor.RunWithTimeout();

        thrown.Should().BeOfType<MessageLengthException>();
        world.PeerReceives(1).Should().Equal("next");
        world.Counters.DroppedSendError.Should().Be(0, "the caller was told; nothing was dropped behind its back");
    }

    [Theory]
    [MemberData(nameof(Families.BackendsAndLoopbacks), MemberType = typeof(Families))]
    public void An_ECONNREFUSED_write_on_a_connected_port_calls_ConnectionRefused_after_Write_returns(ReactorBackend backend, string loopback)
    {
        // Decision D3: never re-entrant inside Write. The port stays open and writes on.
        using var world = new World(backend, loopback);
        world.Port.Connect(world.PeerAddress.Address.ToString(), world.PeerAddress.Port);
        world.Script().Fail(SocketCall.Send, Errno.ECONNREFUSED);
        var insideWrite = false;
        var refusedInsideWrite = false;
        world.Protocol.OnRefused = () =>
        {
            refusedInsideWrite |= insideWrite;
            world.Port.Write("after"u8);
            world.Stop();
        };
        world.Reactor.CallWhenRunning(() =>
        {
            insideWrite = true;
            world.Port.Write("refused"u8);
            insideWrite = false;
        });

        world.Reactor.RunWithTimeout();

        world.Protocol.Refusals.Should().Be(1);
        refusedInsideWrite.Should().BeFalse();
        world.PeerReceives(1).Should().Equal("after");
        world.OpenAtStop.Should().BeTrue();
    }

    [Theory]
    [MemberData(nameof(Families.BackendsAndLoopbacks), MemberType = typeof(Families))]
    public void An_ECONNREFUSED_write_on_an_unconnected_port_is_swallowed(ReactorBackend backend, string loopback)
    {
        // Twisted's unconnected write: "maybe we should call connectionRefused? XXX" — it does not, nor does Reactor.
        using var world = new World(backend, loopback);
        world.Script().Fail(SocketCall.Send, Errno.ECONNREFUSED);
        world.Reactor.CallWhenRunning(() =>
        {
            world.Port.Write("refused"u8, world.PeerAddress);
            world.Port.Write("after"u8, world.PeerAddress);
            world.Reactor.CallLater(TimeSpan.FromMilliseconds(20), world.Stop);
        });

        world.Reactor.RunWithTimeout();

        world.Protocol.Refusals.Should().Be(0);
        world.PeerReceives(1).Should().Equal("after");
        world.Warnings.Should().BeEmpty();
    }

    [Theory]
    [MemberData(nameof(Families.BackendsAndLoopbacks), MemberType = typeof(Families))]
    public void An_unknown_write_error_drops_that_datagram_counts_and_logs_it_without_an_exception(ReactorBackend backend, string loopback)
    {
        using var world = new World(backend, loopback);
        world.Script().Fail(SocketCall.Send, Unknown);
        world.Reactor.CallWhenRunning(() =>
        {
            world.Port.Write("lost"u8, world.PeerAddress);
            world.Port.Write("after"u8, world.PeerAddress);
            world.Stop();
        });

        world.Reactor.RunWithTimeout();

        world.PeerReceives(1).Should().Equal("after");
        world.Counters.DroppedSendError.Should().Be(1);
        world.Logs.WithEventId(207).Should().ContainSingle().Which.Message.Should().Contain(nameof(SocketError.SocketError));
        world.OpenAtStop.Should().BeTrue();
    }

    // ---- Writes made inside DatagramReceived (the epoll socket coalesces them into one sendmmsg) --------------------

    [Theory]
    [MemberData(nameof(TransientWriteErrors))]
    public void Transient_errors_on_replies_lose_no_reply_and_keep_their_order(ReactorBackend backend, string loopback, int errno)
    {
        // Replies written during a receive batch: the epoll socket holds them and flushes once (send for one, sendmmsg
        // for several); EAGAIN/ENOBUFS make it wait for EPOLLOUT, EINTR retries. The portable socket sends each at once
        // and the port queues on EAGAIN/ENOBUFS.
        using var world = new World(backend, loopback, echo: true);
        var faults = world.Script();
        faults.Fail(SocketCall.Send, errno, times: 2);
        world.PeerSends(20, distinctSizes: true);

        world.RunUntil(() => world.Counters.DatagramsReceived == 20 && world.PendingWrites == 0 && faults.Pending(SocketCall.Send) == 0);

        world.PeerReceives(20).Should().Equal(Numbered(20, distinctSizes: true));
        world.Counters.DroppedSendError.Should().Be(0);
        world.Counters.DroppedQueueFull.Should().Be(0);
    }

    [Theory]
    [MemberData(nameof(Families.BackendsAndLoopbacks), MemberType = typeof(Families))]
    public void An_unknown_error_on_a_reply_drops_that_reply_only_counted_and_logged(ReactorBackend backend, string loopback)
    {
        // Distinct sizes keep the epoll socket from merging the replies into one GSO message, so the failed system call
        // carried exactly one datagram (a failed GSO message would drop its whole run, and count each).
        using var world = new World(backend, loopback, echo: true);
        var faults = world.Script();
        faults.Fail(SocketCall.Send, Unknown);
        world.PeerSends(20, distinctSizes: true);

        world.RunUntil(() => world.Counters.DatagramsReceived == 20 && faults.Pending(SocketCall.Send) == 0);

        var expected = Numbered(20, distinctSizes: true);
        var echoed = world.PeerReceives(19);
        echoed.Should().HaveCount(19).And.BeSubsetOf(expected);
        echoed.Select(text => Array.IndexOf(expected, text)).Should().BeInAscendingOrder("the replies that were sent keep their order");
        world.Counters.DroppedSendError.Should().Be(1);
        world.Logs.WithEventId(207).Should().ContainSingle();
        world.OpenAtStop.Should().BeTrue();
    }

    [Theory]
    [MemberData(nameof(Families.BackendsAndLoopbacks), MemberType = typeof(Families))]
    public void A_reply_the_kernel_refuses_when_the_batch_is_flushed_counts_as_dropped_and_never_as_sent(ReactorBackend backend, string loopback)
    {
        // The epoll socket holds a reply written inside DatagramReceived and sends it after the batch; the portable
        // socket sends it at once. Either way the one send fails, so nothing was sent and one datagram was dropped.
        using var world = new World(backend, loopback, echo: true);
        var faults = world.Script();
        faults.Fail(SocketCall.Send, Unknown);
        world.PeerSends(1);

        world.RunUntil(() => world.Counters.DatagramsReceived == 1 && faults.Pending(SocketCall.Send) == 0);

        world.Counters.DatagramsSent.Should().Be(0, "the kernel took nothing");
        world.Counters.BytesSent.Should().Be(0);
        world.Counters.DroppedSendError.Should().Be(1);
        world.Logs.WithEventId(207).Should().ContainSingle();
    }

    [Theory]
    [MemberData(nameof(Families.BackendsAndLoopbacks), MemberType = typeof(Families))]
    public void Replies_from_a_read_batch_count_once_each_when_the_kernel_takes_them(ReactorBackend backend, string loopback)
    {
        using var world = new World(backend, loopback, echo: true);
        var faults = world.Script();
        world.PeerSends(20, distinctSizes: true);

        world.RunUntil(() => world.Counters.DatagramsReceived == 20 && faults.Calls(SocketCall.Send) > 0);

        var expected = Numbered(20, distinctSizes: true);
        world.PeerReceives(20).Should().Equal(expected);
        world.Counters.DatagramsSent.Should().Be(20);
        world.Counters.BytesSent.Should().Be(expected.Sum(text => text.Length));
        world.Counters.DroppedSendError.Should().Be(0);
    }

    // ---- Helpers --------------------------------------------------------------------------------------------------

    private static string[] Numbered(int count, bool distinctSizes = false) =>
        [.. Enumerable.Range(0, count).Select(i => distinctSizes ? $"{i}:" + new string('x', i) : i.ToString(System.Globalization.CultureInfo.InvariantCulture))];

    /// <summary>A reactor with one port on loopback, a plain peer socket of the same family, and a log.</summary>
    private sealed class World : IDisposable
    {
        private readonly Socket _peer;

        public World(ReactorBackend backend, string loopback, bool echo = false)
        {
            Reactor = TestBackends.Create(backend, Logs);
            Protocol = new RecordingProtocol();
            if (echo)
            {
                Protocol.OnDatagram = (p, data, sender) => p.Transport!.Write(data, sender);
            }

            Port = Reactor.ListenUdp(0, Protocol, loopback);
            var address = IPAddress.Parse(loopback);
            _peer = new Socket(address.AddressFamily, SocketType.Dgram, ProtocolType.Udp) { ReceiveTimeout = (int)PeerTimeout.TotalMilliseconds };
            _peer.Bind(new IPEndPoint(address, 0));
            PeerAddress = (IPEndPoint)_peer.LocalEndPoint!;
        }

        public TestLoggerFactory Logs { get; } = new();

        public IReactor Reactor { get; }

        public RecordingProtocol Protocol { get; }

        public IUdpTransport Port { get; }

        public IPEndPoint PeerAddress { get; }

        public UdpPortCounters Counters => ((UdpPort)Port).Counters;

        public int PendingWrites => ((UdpPort)Port).PendingWriteCount;

        /// <summary>Whether the port was open when the test stopped the reactor (Run's shutdown closes it afterwards).</summary>
        public bool OpenAtStop { get; private set; }

        public void Stop()
        {
            OpenAtStop = !((UdpPort)Port).IsClosed;
            Reactor.Stop();
        }

        /// <summary>Warnings and errors logged so far.</summary>
        public IEnumerable<LogRecord> Warnings => Logs.Records.Where(r => r.Level >= Microsoft.Extensions.Logging.LogLevel.Warning);

        /// <summary>Attaches a fault script to the port's backend socket.</summary>
        public SocketFaults Script()
        {
            var faults = new SocketFaults();
            switch (((UdpPort)Port).Socket)
            {
                case EpollDatagramSocket epoll:
                    epoll.Faults = faults;
                    epoll.Segmentation = false; // one datagram per sendmmsg message, so one fault is one datagram
                    break;
                case PortableDatagramSocket portable:
                    portable.Faults = faults;
                    break;
                default:
                    throw new InvalidOperationException("not a backend socket");
            }

            return faults;
        }

        public void PeerSends(int count, bool distinctSizes = false)
        {
            foreach (var text in Numbered(count, distinctSizes))
            {
                _peer.SendTo(Encoding.ASCII.GetBytes(text), Port.GetHost());
            }
        }

        /// <summary>Reads <paramref name="count"/> datagrams at the peer (each read bounded by <see cref="PeerTimeout"/>).</summary>
        public string[] PeerReceives(int count)
        {
            var buffer = new byte[65536];
            var texts = new List<string>();
            for (var i = 0; i < count; i++)
            {
                EndPoint from = new IPEndPoint(PeerAddress.AddressFamily == AddressFamily.InterNetwork ? IPAddress.Any : IPAddress.IPv6Any, 0);
                var length = _peer.ReceiveFrom(buffer, ref from);
                texts.Add(Encoding.ASCII.GetString(buffer, 0, length));
            }

            _peer.Available.Should().Be(0, "no more datagrams than expected arrived");
            return [.. texts];
        }

        public string[] ReceivedText() => [.. Protocol.Received.Select(r => Encoding.ASCII.GetString(r.Data))];

        /// <summary>Runs the reactor until <paramref name="condition"/> holds (checked every millisecond), failing after 10 s.</summary>
        public void RunUntil(Func<bool> condition)
        {
            var check = new LoopingCall(Reactor, () =>
            {
                if (condition())
                {
                    Stop();
                }
            });
            Reactor.CallWhenRunning(() => check.Start(TimeSpan.FromMilliseconds(1)));
            Reactor.RunWithTimeout();
        }

        public void Dispose()
        {
            _peer.Dispose();
            (Reactor as IDisposable)?.Dispose();
        }
    }
}
