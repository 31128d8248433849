using System.Net;
using System.Net.Sockets;
using System.Text;
using Reactor.Internal.Udp;
using Reactor.Tests.Support;

namespace Reactor.Tests.Udp;

/// <summary>
/// The UDP port's logic over a scripted socket: Twisted's test_udp_internals, plus everything the Project decisions
/// (D1–D8) pin down. Real sockets are covered by the integration tests.
/// </summary>
public class UdpPortTests
{
    private static readonly IPEndPoint Peer = new(IPAddress.Loopback, 5555);
    private static readonly IPEndPoint OtherPeer = new(IPAddress.Loopback, 6666);

    private readonly TestLoggerFactory _logs = new();
    private readonly IReactor _reactor;
    private readonly FakeSockets _fakes = new();

    public UdpPortTests()
    {
        _reactor = ReactorFactory.Create(new ReactorOptions { LoggerFactory = _logs, Udp = { MaxPendingWrites = 3, ReadBudgetDatagrams = 50, ReadBudgetBytes = 9000 } });
        _reactor.Internal().Sockets = _fakes;
    }

    private FakeDatagramSocket Socket => _fakes.Datagram[^1];

    private static byte[] Bytes(string text) => Encoding.ASCII.GetBytes(text);

    /// <summary>Lets calls scheduled with CallLater(0) run.</summary>
    private void Turn()
    {
        _reactor.Iterate(TimeSpan.Zero);
        _reactor.Iterate(TimeSpan.Zero);
    }

    [Fact]
    public void Listening_binds_starts_the_protocol_and_logs_like_Twisted()
    {
        var protocol = new RecordingProtocol { OnStart = p => p.Transport.Should().NotBeNull() };
        var port = _reactor.ListenUdp(0, protocol, "127.0.0.1");
        Socket.BoundTo.Should().Be(new IPEndPoint(IPAddress.Loopback, 40_000));
        port.GetHost().Should().Be(new IPEndPoint(IPAddress.Loopback, 40_000));
        protocol.Transport.Should().BeSameAs(port);
        protocol.Starts.Should().Be(1);
        Socket.Reading.Should().BeTrue();
        _logs.WithEventId(200).Should().ContainSingle().Which.Message.Should().Be("RecordingProtocol starting on 40000");
        port.ToString().Should().Contain("40000");
    }

    [Fact]
    public void The_log_prefix_is_the_protocols()
    {
        _reactor.ListenUdp(0, new CrazyProtocol());
        _logs.WithEventId(200).Single().Message.Should().Be("Crazy Protocol starting on 40000");
    }

    [Fact]
    public void Datagrams_are_delivered_in_order_with_their_sender()
    {
        var protocol = new RecordingProtocol();
        _reactor.ListenUdp(0, protocol);
        Socket.Enqueue(Bytes("a"), Peer);
        Socket.Enqueue(Bytes("b"), OtherPeer);
        Socket.Enqueue([], Peer);
        Socket.RaiseReadable();
        protocol.Received.Select(r => Encoding.ASCII.GetString(r.Data)).Should().Equal("a", "b", "");
        protocol.Received.Select(r => r.Sender).Should().Equal(Peer, OtherPeer, Peer);
    }

    [Fact]
    public void Reads_use_the_configured_budget_and_stop_quietly_when_drained()
    {
        var protocol = new RecordingProtocol();
        _reactor.ListenUdp(0, protocol);
        Socket.Enqueue(Bytes("a"), Peer);
        Socket.RaiseReadable();
        Socket.Enqueue(Bytes("b"), Peer);
        Socket.RaiseReadable();
        Socket.ReceiveCalls.Should().AllBeEquivalentTo((50, 9000));
        protocol.Received.Should().HaveCount(2);
        _logs.Records.Where(r => r.Level >= Microsoft.Extensions.Logging.LogLevel.Warning).Should().BeEmpty();
    }

    [Fact]
    public void An_exception_from_DatagramReceived_is_logged_and_the_next_datagram_is_delivered()
    {
        var protocol = new RecordingProtocol { OnDatagram = (_, data, _) => throw new InvalidOperationException("bad client") };
        var port = _reactor.ListenUdp(0, protocol);
        Socket.Enqueue(Bytes("1"), Peer);
        Socket.Enqueue(Bytes("2"), Peer);
        Socket.RaiseReadable();
        protocol.Received.Should().HaveCount(2);
        var errors = _logs.WithEventId(204).ToList();
        errors.Should().HaveCount(2);
        errors[0].Message.Should().Be("Unhandled Error in RecordingProtocol (UDP) DatagramReceived");
        errors[0].Exception!.Message.Should().Be("bad client");
        port.Write(Bytes("still usable"), Peer);
        Socket.Sent.Should().ContainSingle();
    }

    [Fact]
    public void A_refusal_read_on_an_unconnected_port_ends_the_read_without_ConnectionRefused()
    {
        var protocol = new RecordingProtocol();
        _reactor.ListenUdp(0, protocol);
        Socket.EnqueueError(SocketError.ConnectionRefused);
        Socket.Enqueue(Bytes("later"), Peer);
        Socket.RaiseReadable();
        protocol.Refusals.Should().Be(0);
        protocol.Received.Should().BeEmpty();
        Socket.RaiseReadable();
        protocol.Received.Should().ContainSingle();
    }

    [Fact]
    public void A_refusal_read_on_a_connected_port_calls_ConnectionRefused_once_and_the_port_stays_open()
    {
        var protocol = new RecordingProtocol();
        var port = _reactor.ListenUdp(0, protocol);
        port.Connect("127.0.0.1", 5555);
        Socket.EnqueueError(SocketError.ConnectionRefused);
        Socket.RaiseReadable();
        protocol.Refusals.Should().Be(1);
        Socket.Disposed.Should().BeFalse();
        Socket.Enqueue(Bytes("after"), Peer);
        Socket.RaiseReadable();
        protocol.Received.Should().ContainSingle();
    }

    [Fact]
    public void An_unknown_read_error_is_logged_after_the_good_datagrams_and_the_port_stays_open()
    {
        var protocol = new RecordingProtocol();
        _reactor.ListenUdp(0, protocol);
        Socket.Enqueue(Bytes("good"), Peer);
        Socket.EnqueueError(SocketError.NoBufferSpaceAvailable);
        Socket.RaiseReadable();
        protocol.Received.Should().ContainSingle();
        _logs.WithEventId(208).Should().ContainSingle().Which.Message.Should().Contain("NoBufferSpaceAvailable");
        Socket.Enqueue(Bytes("more"), Peer);
        Socket.RaiseReadable();
        protocol.Received.Should().HaveCount(2);
    }

    [Fact]
    public void A_datagram_longer_than_maxPacketSize_is_dropped_counted_and_logged_never_delivered_cut_short()
    {
        var protocol = new RecordingProtocol();
        var port = (UdpPort)_reactor.ListenUdp(0, protocol, maxPacketSize: 100);
        Socket.EnqueueTruncated(Peer);
        Socket.Enqueue(Bytes("fits"), Peer);
        Socket.RaiseReadable();
        protocol.Received.Should().ContainSingle();
        port.Counters.DroppedTruncated.Should().Be(1);
        _logs.WithEventId(205).Should().ContainSingle().Which.Message.Should().Contain("maxPacketSize 100");
    }

    [Fact]
    public void Writes_go_to_the_socket_with_their_destination()
    {
        var port = _reactor.ListenUdp(0, new RecordingProtocol());
        port.Write(Bytes("hello"), Peer);
        port.Write(Bytes("again"), "127.0.0.1", 6666);
        Socket.Sent.Select(s => (Encoding.ASCII.GetString(s.Data), s.Destination)).Should().Equal(("hello", Peer), ("again", OtherPeer));
    }

    [Fact]
    public void WriteSequence_sends_one_concatenated_datagram()
    {
        var port = _reactor.ListenUdp(0, new RecordingProtocol());
        port.WriteSequence([Bytes("some"), Bytes("bytes"), Bytes("to"), Bytes("write")], Peer);
        Socket.Sent.Should().ContainSingle().Which.Data.Should().Equal(Bytes("somebytestowrite"));
    }

    [Fact]
    public void Write_without_a_destination_on_an_unconnected_port_is_an_InvalidOperationException()
    {
        var port = _reactor.ListenUdp(0, new RecordingProtocol());
        port.Invoking(p => p.Write(Bytes("x"))).Should().Throw<InvalidOperationException>();
    }

    [Theory]
    [InlineData("example.invalid")]
    [InlineData("localhost")]
    [InlineData("127.1")]
    public void Writing_to_a_hostname_raises_InvalidAddress(string host)
    {
        var port = _reactor.ListenUdp(0, new RecordingProtocol());
        port.Invoking(p => p.Write(Bytes("x"), host, 1)).Should().Throw<InvalidAddressException>()
            .Which.Reason.Should().Be("Write only accepts IP addresses, not hostnames.");
        Socket.Sent.Should().BeEmpty();
    }

    [Fact]
    public void Writing_IPv6_on_an_IPv4_port_and_IPv4_on_an_IPv6_port_raise_InvalidAddress()
    {
        var v4 = _reactor.ListenUdp(0, new RecordingProtocol(), "127.0.0.1");
        v4.Invoking(p => p.Write(Bytes("x"), "::1", 1)).Should().Throw<InvalidAddressException>()
            .Which.Reason.Should().Be("an IPv4 port cannot write to an IPv6 address.");
        var v6 = _reactor.ListenUdp(0, new RecordingProtocol(), "::1");
        v6.Invoking(p => p.Write(Bytes("x"), "127.0.0.1", 1)).Should().Throw<InvalidAddressException>()
            .Which.Reason.Should().Be("an IPv6 port cannot write to an IPv4 or broadcast address.");
        v6.Invoking(p => p.Write(Bytes("x"), "<broadcast>", 1)).Should().Throw<InvalidAddressException>();
    }

    [Fact]
    public void The_broadcast_alias_sends_to_255_255_255_255_on_IPv4()
    {
        var port = _reactor.ListenUdp(0, new RecordingProtocol());
        port.Write(Bytes("test"), "<broadcast>", 1234);
        Socket.Sent.Single().Destination.Should().Be(new IPEndPoint(IPAddress.Broadcast, 1234));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(65_536)]
    public void Writing_to_an_out_of_range_port_is_rejected(int badPort)
    {
        var port = _reactor.ListenUdp(0, new RecordingProtocol());
        port.Invoking(p => p.Write(Bytes("x"), "127.0.0.1", badPort)).Should().Throw<ArgumentOutOfRangeException>();
        Socket.Sent.Should().BeEmpty();
    }

    [Theory]
    [InlineData("127.0.0.1", 65_507, true)]
    [InlineData("127.0.0.1", 65_508, false)]
    [InlineData("::1", 65_527, true)]
    [InlineData("::1", 65_528, false)]
    public void Datagrams_over_the_UDP_limit_raise_MessageLength_before_anything_is_sent(string @interface, int length, bool fits)
    {
        var port = _reactor.ListenUdp(0, new RecordingProtocol(), @interface);
        var destination = new IPEndPoint(IPAddress.Parse(@interface), 9);
        var write = () => port.Write(new byte[length], destination);
        if (fits)
        {
            write.Should().NotThrow();
            Socket.Sent.Should().ContainSingle();
        }
        else
        {
            var thrown = write.Should().Throw<MessageLengthException>().Which;
            thrown.Length.Should().Be(length);
            thrown.Limit.Should().Be(length - 1, "that is UDP's limit for the family");
            Socket.Sent.Should().BeEmpty();
        }
    }

    [Fact]
    public void WriteSequence_totalling_too_much_raises_MessageLength()
    {
        var port = _reactor.ListenUdp(0, new RecordingProtocol());
        port.Invoking(p => p.WriteSequence([new byte[40_000], new byte[40_000]], Peer)).Should().Throw<MessageLengthException>();
        Socket.Sent.Should().BeEmpty();
    }

    [Fact]
    public void A_full_send_buffer_queues_pauses_the_protocol_and_flushes_in_order_when_writable()
    {
        var protocol = new RecordingProtocol();
        var port = _reactor.ListenUdp(0, protocol);
        Socket.NextSendResults(SocketError.WouldBlock);
        port.Write(Bytes("1"), Peer);
        port.Write(Bytes("2"), Peer);
        Socket.Sent.Should().BeEmpty();
        Socket.WantWritable.Should().BeTrue();
        protocol.Events.Should().Equal("start", "pause");

        Socket.RaiseWritable();
        Socket.Sent.Select(s => Encoding.ASCII.GetString(s.Data)).Should().Equal("1", "2");
        Socket.WantWritable.Should().BeFalse();
        protocol.Events.Should().Equal("start", "pause", "resume");
    }

    [Fact]
    public void Writes_past_the_queue_bound_are_dropped_counted_and_logged_without_an_exception()
    {
        var port = (UdpPort)_reactor.ListenUdp(0, new RecordingProtocol());
        Socket.NextSendResults(SocketError.WouldBlock);
        for (var i = 0; i < 5; i++)
        {
            port.Write(Bytes(i.ToString(System.Globalization.CultureInfo.InvariantCulture)), Peer);
        }

        port.Counters.DroppedQueueFull.Should().Be(2);
        _logs.WithEventId(206).Should().HaveCount(2);
        Socket.RaiseWritable();
        Socket.Sent.Select(s => Encoding.ASCII.GetString(s.Data)).Should().Equal("0", "1", "2");
    }

    [Fact]
    public void A_transient_send_error_drops_and_counts_without_an_exception()
    {
        var port = (UdpPort)_reactor.ListenUdp(0, new RecordingProtocol());
        Socket.NextSendResults(SocketError.NetworkUnreachable);
        port.Write(Bytes("x"), Peer);
        port.Counters.DroppedSendError.Should().Be(1);
        _logs.WithEventId(207).Should().ContainSingle();
    }

    [Fact]
    public void A_send_the_OS_rejects_as_invalid_raises_SocketException()
    {
        var port = _reactor.ListenUdp(0, new RecordingProtocol());
        Socket.NextSendResults(SocketError.AccessDenied);
        port.Invoking(p => p.Write(Bytes("x"), "<broadcast>", 9)).Should().Throw<SocketException>()
            .Which.SocketErrorCode.Should().Be(SocketError.AccessDenied);
        Socket.NextSendResults(SocketError.MessageSize);
        var tooLong = port.Invoking(p => p.Write(Bytes("xyz"), Peer)).Should().Throw<MessageLengthException>().Which;
        tooLong.Length.Should().Be(3);
        tooLong.Limit.Should().BeNull("the OS refused the size without saying its limit");
    }

    [Fact]
    public void A_queued_datagram_the_OS_refuses_later_is_dropped_and_counted_because_no_caller_is_left_to_tell()
    {
        var port = (UdpPort)_reactor.ListenUdp(0, new RecordingProtocol());
        Socket.NextSendResults(SocketError.WouldBlock);
        port.Write(Bytes("too long for the path"), Peer);
        Socket.NextSendResults(SocketError.MessageSize);

        Socket.Invoking(s => s.RaiseWritable()).Should().NotThrow();

        port.PendingWriteCount.Should().Be(0);
        port.Counters.DroppedSendError.Should().Be(1);
        _logs.WithEventId(207).Should().ContainSingle();
    }

    [Fact]
    public void A_held_datagram_refused_by_an_ICMP_error_calls_ConnectionRefused_later_on_a_connected_port()
    {
        var protocol = new RecordingProtocol();
        var port = (UdpPort)_reactor.ListenUdp(0, protocol);
        port.Connect("127.0.0.1", 5555);
        Socket.NextSendResults(SocketError.IOPending);
        port.Write(Bytes("held"));

        Socket.Handler!.OnSendFailed(SocketError.ConnectionRefused);

        protocol.Refusals.Should().Be(0, "D3: told after the current callback, as from Write");
        Turn();
        protocol.Refusals.Should().Be(1);
        port.Counters.DroppedSendError.Should().Be(0, "a refusal is not a drop");
    }

    [Fact]
    public void A_read_that_ends_because_the_socket_closed_under_it_is_not_a_read_error()
    {
        var port = (UdpPort)_reactor.ListenUdp(0, new RecordingProtocol());
        Socket.EnqueueError(SocketError.OperationAborted);

        Socket.RaiseReadable();

        port.Counters.ReceiveErrors.Should().Be(0);
        _logs.WithEventId(208).Should().BeEmpty();
    }

    [Fact]
    public void The_replies_to_a_read_batch_are_flushed_once_after_the_whole_batch_was_dispatched()
    {
        var protocol = new RecordingProtocol { OnDatagram = (p, data, sender) => p.Transport!.Write(data, sender) };
        _reactor.ListenUdp(0, protocol);
        Socket.NextSendResults(SocketError.IOPending, SocketError.IOPending);
        Socket.Enqueue(Bytes("1"), Peer);
        Socket.Enqueue(Bytes("2"), OtherPeer);

        Socket.RaiseReadable();

        Socket.Calls.Should().Equal("Receive", "Send", "Send", "FlushCoalesced");
        Socket.Sent.Select(s => (Encoding.ASCII.GetString(s.Data), s.Destination)).Should().Equal(("1", Peer), ("2", OtherPeer));
    }

    [Fact]
    public void A_datagram_the_socket_holds_counts_as_sent_only_when_the_socket_reports_the_kernel_took_it()
    {
        var port = (UdpPort)_reactor.ListenUdp(0, new RecordingProtocol());
        Socket.NextSendResults(SocketError.IOPending, SocketError.IOPending);
        port.Write(Bytes("held"), Peer);
        port.Write(Bytes("also held"), Peer);
        port.Counters.DatagramsSent.Should().Be(0, "the socket only accepted them");
        port.PendingWriteCount.Should().Be(0, "the socket holds them, not the port's queue");

        Socket.FlushCoalesced();

        port.Counters.DatagramsSent.Should().Be(2);
        port.Counters.BytesSent.Should().Be(13);
        port.Counters.DroppedSendError.Should().Be(0);
    }

    [Fact]
    public void A_held_datagram_the_kernel_refuses_later_is_counted_dropped_and_logged_and_never_sent()
    {
        var port = (UdpPort)_reactor.ListenUdp(0, new RecordingProtocol());
        Socket.NextSendResults(SocketError.IOPending);
        port.Write(Bytes("held"), Peer);

        Socket.Handler!.OnSendFailed(SocketError.NetworkUnreachable);

        port.Counters.DatagramsSent.Should().Be(0);
        port.Counters.DroppedSendError.Should().Be(1);
        _logs.WithEventId(207).Should().ContainSingle().Which.Message.Should().Contain(nameof(SocketError.NetworkUnreachable));
    }

    [Fact]
    public void A_refusal_surfacing_on_a_connected_write_calls_ConnectionRefused_later_never_inside_Write()
    {
        var protocol = new RecordingProtocol();
        var port = _reactor.ListenUdp(0, protocol);
        port.Connect("127.0.0.1", 5555);
        Socket.NextSendResults(SocketError.ConnectionRefused, SocketError.ConnectionRefused);
        port.Write(Bytes("1"));
        port.Write(Bytes("2"));
        protocol.Refusals.Should().Be(0, "D3: never re-entrant from inside Write");
        Turn();
        protocol.Refusals.Should().Be(1);
    }

    [Fact]
    public void A_refusal_on_an_unconnected_write_is_swallowed()
    {
        var protocol = new RecordingProtocol();
        var port = _reactor.ListenUdp(0, protocol);
        Socket.NextSendResults(SocketError.ConnectionRefused);
        port.Write(Bytes("1"), Peer);
        Turn();
        protocol.Refusals.Should().Be(0);
    }

    [Fact]
    public void A_connected_port_writes_without_an_address_or_to_its_peer_but_not_elsewhere()
    {
        var port = _reactor.ListenUdp(0, new RecordingProtocol());
        port.Connect("127.0.0.1", 5555);
        port.GetPeer().Should().Be(Peer);
        port.Write(Bytes("a"));
        port.Write(Bytes("b"), new IPEndPoint(IPAddress.Loopback, 5555));
        port.Invoking(p => p.Write(Bytes("c"), OtherPeer)).Should().Throw<InvalidAddressException>();
        Socket.Sent.Select(s => s.Destination).Should().HaveCount(2).And.OnlyContain(d => d == null);
    }

    [Fact]
    public void Connect_twice_is_an_error_and_hostnames_are_refused()
    {
        var port = _reactor.ListenUdp(0, new RecordingProtocol());
        port.Invoking(p => p.Connect("localhost", 80)).Should().Throw<InvalidAddressException>();
        port.Connect("127.0.0.1", 80);
        port.Invoking(p => p.Connect("127.0.0.1", 81)).Should().Throw<InvalidOperationException>()
            .WithMessage("The port is already connected*");
    }

    [Fact]
    public void A_failed_connect_leaves_the_port_unconnected()
    {
        var port = _reactor.ListenUdp(0, new RecordingProtocol());
        Socket.ConnectResult = SocketError.NetworkUnreachable;
        port.Invoking(p => p.Connect("127.0.0.1", 80)).Should().Throw<SocketException>();
        port.GetPeer().Should().BeNull();
        Socket.ConnectResult = SocketError.Success;
        port.Connect("127.0.0.1", 80);
        port.GetPeer().Should().Be(new IPEndPoint(IPAddress.Loopback, 80));
    }

    [Fact]
    public void Connecting_a_wildcard_port_updates_GetHost_to_the_chosen_local_address()
    {
        var port = _reactor.ListenUdp(0, new RecordingProtocol());
        port.GetHost().Address.Should().Be(IPAddress.Any);
        port.Connect("127.0.0.1", 80);
        port.GetHost().Address.Should().Be(IPAddress.Loopback);
    }

    [Fact]
    public void Connecting_across_families_is_an_InvalidAddress()
    {
        var port = _reactor.ListenUdp(0, new RecordingProtocol(), "::1");
        port.Invoking(p => p.Connect("127.0.0.1", 80)).Should().Throw<InvalidAddressException>();
    }

    [Fact]
    public void StopListening_closes_on_a_later_iteration_stops_the_protocol_once_and_fires_one_deferred()
    {
        var protocol = new RecordingProtocol();
        var port = _reactor.ListenUdp(0, protocol);
        var first = port.StopListening();
        var second = port.StopListening();
        second.Should().BeSameAs(first);
        protocol.Stops.Should().Be(0, "StopProtocol never runs inside StopListening");
        first.Called.Should().BeFalse();
        Socket.Reading.Should().BeFalse();

        Turn();
        protocol.Stops.Should().Be(1);
        protocol.TransportDuringStop.Should().BeNull();
        first.Called.Should().BeTrue();
        Socket.Disposed.Should().BeTrue();
        port.StopListening().Should().BeSameAs(first);
        _logs.WithEventId(201).Should().ContainSingle().Which.Message.Should().Be("(UDP Port 40000 Closed)");
        port.Invoking(p => p.Write(Bytes("late"), Peer)).Should().Throw<InvalidOperationException>();
        port.Invoking(p => p.Connect("127.0.0.1", 1)).Should().Throw<InvalidOperationException>();
    }

    [Fact]
    public void StopListening_inside_StartProtocol_stops_the_protocol_later()
    {
        var protocol = new RecordingProtocol { OnStart = p => p.Transport!.StopListening() };
        _reactor.ListenUdp(0, protocol);
        protocol.Stops.Should().Be(0);
        Socket.Reading.Should().BeFalse();
        Turn();
        protocol.Events.Should().Equal("start", "stop");
    }

    [Fact]
    public void StopListening_inside_DatagramReceived_still_delivers_the_rest_of_the_batch()
    {
        var protocol = new RecordingProtocol { OnDatagram = (p, _, _) => p.Transport?.StopListening() };
        _reactor.ListenUdp(0, protocol);
        for (var i = 0; i < 5; i++)
        {
            Socket.Enqueue(Bytes(i.ToString(System.Globalization.CultureInfo.InvariantCulture)), Peer);
        }

        Socket.RaiseReadable();
        protocol.Received.Should().HaveCount(5);
        Turn();
        protocol.Stops.Should().Be(1);
    }

    [Fact]
    public void A_protocol_can_listen_again_after_its_port_stopped()
    {
        var protocol = new RecordingProtocol();
        var port = _reactor.ListenUdp(0, protocol);
        port.StopListening();
        Turn();
        _reactor.ListenUdp(0, protocol);
        protocol.Events.Should().Equal("start", "stop", "start");
    }

    [Fact]
    public void A_protocol_cannot_listen_on_two_ports_at_once_and_no_socket_is_opened_for_the_second()
    {
        var protocol = new RecordingProtocol();
        _reactor.ListenUdp(0, protocol);
        _reactor.Invoking(r => r.ListenUdp(0, protocol)).Should().Throw<InvalidOperationException>();
        _fakes.Datagram.Should().ContainSingle();
    }

    [Fact]
    public void A_bind_error_is_a_CannotListen_with_the_address_and_OS_error_and_the_socket_is_closed()
    {
        _fakes.NewDatagram = family => new FakeDatagramSocket(family) { BindResult = SocketError.AddressAlreadyInUse };
        var error = _reactor.Invoking(r => r.ListenUdp(9999, new RecordingProtocol())).Should().Throw<CannotListenException>().Which;
        error.Message.Should().Be("Couldn't listen on any:9999: Address already in use.");
        error.Port.Should().Be(9999);
        error.SocketErrorCode.Should().Be(SocketError.AddressAlreadyInUse);
        Socket.Disposed.Should().BeTrue();
    }

    [Fact]
    public void Running_out_of_descriptors_is_a_CannotListen()
    {
        _fakes.NewDatagram = _ => throw new SocketException((int)SocketError.TooManyOpenSockets);
        _reactor.Invoking(r => r.ListenUdp(0, new RecordingProtocol(), "127.0.0.1")).Should().Throw<CannotListenException>()
            .Which.Message.Should().StartWith("Couldn't listen on 127.0.0.1:0: ");
    }

    [Fact]
    public void Bad_listen_arguments_are_rejected_before_any_socket_exists()
    {
        _reactor.Invoking(r => r.ListenUdp(0, new RecordingProtocol(), "example.com")).Should().Throw<InvalidAddressException>();
        _reactor.Invoking(r => r.ListenUdp(-1, new RecordingProtocol())).Should().Throw<ArgumentOutOfRangeException>();
        _reactor.Invoking(r => r.ListenUdp(65_536, new RecordingProtocol())).Should().Throw<ArgumentOutOfRangeException>();
        _reactor.Invoking(r => r.ListenUdp(0, new RecordingProtocol(), maxPacketSize: -1)).Should().Throw<ArgumentOutOfRangeException>();
        _reactor.Invoking(r => r.ListenUdp(0, null!)).Should().Throw<ArgumentNullException>();
        _reactor.Invoking(r => r.ListenUdp(0, new RecordingProtocol(), null!)).Should().Throw<ArgumentNullException>();
        _fakes.Datagram.Should().BeEmpty();
    }

    [Fact]
    public void Transport_methods_throw_from_another_thread()
    {
        var port = _reactor.ListenUdp(0, new RecordingProtocol());
        var errors = new List<Exception?>();
        var thread = new Thread(() =>
        {
            errors.Add(Record.Exception(() => port.Write(Bytes("x"), Peer)));
            errors.Add(Record.Exception(() => port.StopListening()));
            errors.Add(Record.Exception(() => port.Connect("127.0.0.1", 1)));
            errors.Add(Record.Exception(() => port.BroadcastAllowed = true));
        });
        thread.Start();
        thread.Join(ReactorRunner.DefaultTimeout).Should().BeTrue();
        errors.Should().AllSatisfy(e => e.Should().BeOfType<InvalidOperationException>());
        Socket.Sent.Should().BeEmpty();
    }

    [Fact]
    public void BroadcastAllowed_reads_and_sets_SO_BROADCAST()
    {
        var port = _reactor.ListenUdp(0, new RecordingProtocol());
        port.BroadcastAllowed.Should().BeFalse();
        port.BroadcastAllowed = true;
        port.BroadcastAllowed.Should().BeTrue();
        Socket.Broadcast.Should().BeTrue();
    }

    [Fact]
    public void Queued_writes_are_flushed_at_close_when_possible_and_otherwise_dropped_and_logged()
    {
        var port = (UdpPort)_reactor.ListenUdp(0, new RecordingProtocol());
        Socket.NextSendResults(SocketError.WouldBlock, SocketError.WouldBlock);
        port.Write(Bytes("stuck"), Peer);
        port.StopListening();
        Turn();
        _logs.WithEventId(209).Should().ContainSingle();
        port.Counters.DroppedQueueFull.Should().Be(1);
    }

    [Fact]
    public void Reactor_shutdown_closes_every_open_port_and_fires_pending_StopListening_deferreds()
    {
        var first = new RecordingProtocol();
        var second = new RecordingProtocol();
        var events = new List<string>();
        _reactor.ListenUdp(0, first);
        var secondPort = _reactor.ListenUdp(0, second);
        _reactor.AddSystemEventTrigger(SystemEventPhase.During, SystemEvents.Shutdown, () => events.Add($"during: {first.Stops}+{second.Stops} stopped"));
        _reactor.CallWhenRunning(() =>
        {
            secondPort.StopListening().AddCallback(_ => events.Add("second stopped"));
            _reactor.Stop();
        });
        _reactor.RunWithTimeout();
        first.Stops.Should().Be(1);
        second.Stops.Should().Be(1);
        events.Should().Equal("second stopped", "during: 1+1 stopped");
        _fakes.Datagram.Should().AllSatisfy(s => s.Disposed.Should().BeTrue());
    }

    private sealed class CrazyProtocol : DatagramProtocol
    {
        public override string LogPrefix => "Crazy Protocol";
    }
}
