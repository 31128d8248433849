using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Reactor.Internal.Backends.Epoll;
using Reactor.Internal.Linux;
using Reactor.Tests.Support;
using static Reactor.Tests.Backends.Epoll.EpollSocketTestKit;

namespace Reactor.Tests.Backends.Epoll;

/// <summary>The epoll backend's datagram socket on loopback: binding, the recvmmsg loop, sending, options and closing.</summary>
public class EpollDatagramSocketTests
{
    public static TheoryData<AddressFamily> BothFamilies => EpollSocketTestKit.AddressFamilies;

    [LinuxTheory]
    [MemberData(nameof(BothFamilies))]
    public void Bind_to_port_zero_reports_the_kernel_chosen_port(AddressFamily family)
    {
        using var reactor = NewReactor();
        using var socket = Bound(reactor, family);

        var local = socket.GetLocalEndPoint();

        local.Address.Should().Be(Loopback(family));
        local.Port.Should().BeGreaterThan(0);
        socket.AddressFamily.Should().Be(family);
    }

    [LinuxTheory]
    [MemberData(nameof(BothFamilies))]
    public void Receive_delivers_every_datagram_in_order_with_its_bytes_and_sender(AddressFamily family)
    {
        using var reactor = NewReactor();
        using var socket = Bound(reactor, family);
        using var peer = Peer(family);
        var target = socket.GetLocalEndPoint();
        for (var i = 0; i < 100; i++)
        {
            peer.SendTo(Payload(i), target);
        }

        Fence(peer);
        var sink = new RecordingSink();
        ReceiveUntil(socket, sink, () => sink.Datagrams.Count >= 100);

        sink.Datagrams.Select(d => d.Data).Should().Equal(Enumerable.Range(0, 100).Select(i => Payload(i)), (a, b) => a.AsSpan().SequenceEqual(b));
        sink.Datagrams.Should().OnlyContain(d => d.Sender.Equals(peer.LocalEndPoint()));
        sink.Truncated.Should().BeEmpty();
    }

    [LinuxTheory]
    [MemberData(nameof(BothFamilies))]
    public void A_known_sender_costs_no_allocation_and_is_the_same_endpoint_instance(AddressFamily family)
    {
        using var reactor = NewReactor();
        using var socket = Bound(reactor, family);
        socket.SetBufferSizes(1 << 20, 0);
        using var peer = Peer(family);
        var target = socket.GetLocalEndPoint();
        var payload = new byte[32];
        var sink = new CountingSink();
        for (var i = 0; i < 64; i++)
        {
            peer.SendTo(payload, target);
        }

        Fence(peer);
        ReceiveUntil(socket, sink, () => sink.Count >= 64);
        var firstSender = sink.Sender;
        sink.Count = 0;

        for (var i = 0; i < 200; i++)
        {
            peer.SendTo(payload, target);
        }

        Fence(peer);
        var deadline = Stopwatch.GetTimestamp() + (10 * Stopwatch.Frequency);
        var before = GC.GetAllocatedBytesForCurrentThread();
        while (sink.Count < 200 && Stopwatch.GetTimestamp() < deadline)
        {
            socket.Receive(sink, 1000, int.MaxValue, out _);
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        sink.Count.Should().Be(200);
        allocated.Should().Be(0, "receiving from a cached sender allocates nothing");
        sink.SameSenderInstance.Should().BeTrue();
        sink.Sender.Should().BeSameAs(firstSender);
        socket.Senders.Misses.Should().Be(1);
    }

    [LinuxFact]
    public void The_datagram_budget_stops_reading_and_leaves_the_rest_for_the_next_call()
    {
        using var reactor = NewReactor();
        using var socket = Bound(reactor, AddressFamily.InterNetwork);
        using var peer = Peer(AddressFamily.InterNetwork);
        for (var i = 0; i < 10; i++)
        {
            peer.SendTo(Payload(i), socket.GetLocalEndPoint());
        }

        Fence(peer);
        var sink = new RecordingSink();

        socket.Receive(sink, maxDatagrams: 4, maxBytes: int.MaxValue, out var first).Should().Be(4);
        first.Should().Be(SocketError.Success);
        socket.Receive(sink, maxDatagrams: 4, maxBytes: int.MaxValue, out var second).Should().Be(4);
        second.Should().Be(SocketError.Success);
        socket.Receive(sink, maxDatagrams: 4, maxBytes: int.MaxValue, out var third).Should().Be(2);
        third.Should().Be(SocketError.WouldBlock);
        sink.Datagrams.Select(d => d.Data[0]).Should().Equal(Enumerable.Range(0, 10).Select(i => (byte)i));
    }

    [LinuxFact]
    public void The_byte_budget_is_overshot_by_less_than_one_datagram_and_the_rest_stays_readable()
    {
        using var reactor = NewReactor();
        using var socket = Bound(reactor, AddressFamily.InterNetwork);
        socket.ReceiveBufferSize = 100;
        using var peer = Peer(AddressFamily.InterNetwork);
        for (var i = 0; i < 10; i++)
        {
            peer.SendTo(Payload(i, 100), socket.GetLocalEndPoint());
        }

        Fence(peer);
        var sink = new RecordingSink();

        // As Twisted: 100, 200, 300 ≥ 250 → stop after the third.
        socket.Receive(sink, maxDatagrams: 1000, maxBytes: 250, out var first).Should().Be(3);
        first.Should().Be(SocketError.Success);
        socket.Receive(sink, maxDatagrams: 1000, maxBytes: int.MaxValue, out var rest).Should().Be(7);
        rest.Should().Be(SocketError.WouldBlock);
        sink.Datagrams.Select(d => d.Data[0]).Should().Equal(Enumerable.Range(0, 10).Select(i => (byte)i));
    }

    [LinuxFact]
    public void Zero_length_datagrams_are_delivered_and_count_toward_the_datagram_budget()
    {
        using var reactor = NewReactor();
        using var socket = Bound(reactor, AddressFamily.InterNetwork);
        using var peer = Peer(AddressFamily.InterNetwork);
        for (var i = 0; i < 5; i++)
        {
            peer.SendTo([], socket.GetLocalEndPoint());
        }

        Fence(peer);
        var sink = new RecordingSink();

        socket.Receive(sink, maxDatagrams: 2, maxBytes: 1, out var first).Should().Be(2);
        first.Should().Be(SocketError.Success);
        socket.Receive(sink, maxDatagrams: 100, maxBytes: 1, out var rest).Should().Be(3);
        rest.Should().Be(SocketError.WouldBlock);
        sink.Datagrams.Should().HaveCount(5).And.OnlyContain(d => d.Data.Length == 0 && d.Sender.Equals(peer.LocalEndPoint()));
    }

    [LinuxTheory]
    [MemberData(nameof(BothFamilies))]
    public void A_datagram_longer_than_the_receive_buffer_is_reported_truncated_not_delivered(AddressFamily family)
    {
        using var reactor = NewReactor();
        using var socket = Bound(reactor, family);
        socket.ReceiveBufferSize = 64;
        using var peer = Peer(family);
        var target = socket.GetLocalEndPoint();
        peer.SendTo(Payload(1, 65), target);
        peer.SendTo(Payload(2, 64), target);
        peer.SendTo(Payload(3, 1000), target);
        Fence(peer);
        var sink = new RecordingSink();

        socket.Receive(sink, 100, int.MaxValue, out var error).Should().Be(3);

        error.Should().Be(SocketError.WouldBlock);
        sink.Truncated.Should().Equal(peer.LocalEndPoint(), peer.LocalEndPoint());
        sink.Datagrams.Should().ContainSingle().Which.Data.Should().Equal(Payload(2, 64));
    }

    [LinuxFact]
    public void Changing_the_receive_buffer_size_takes_effect_at_the_next_receive()
    {
        using var reactor = NewReactor();
        using var socket = Bound(reactor, AddressFamily.InterNetwork);
        using var peer = Peer(AddressFamily.InterNetwork);
        var sink = new RecordingSink();
        socket.ReceiveBufferSize = 16;
        socket.Receive(sink, 10, int.MaxValue, out _).Should().Be(0);

        socket.ReceiveBufferSize = 2000;
        peer.SendTo(Payload(7, 1500), socket.GetLocalEndPoint());
        Fence(peer);

        socket.Receive(sink, 10, int.MaxValue, out _).Should().Be(1);
        sink.Truncated.Should().BeEmpty();
        sink.Datagrams.Should().ContainSingle().Which.Data.Should().Equal(Payload(7, 1500));
    }

    [LinuxTheory]
    [MemberData(nameof(BothFamilies))]
    public void An_empty_socket_reports_WouldBlock(AddressFamily family)
    {
        using var reactor = NewReactor();
        using var socket = Bound(reactor, family);

        socket.Receive(new RecordingSink(), 10, int.MaxValue, out var error).Should().Be(0);

        error.Should().Be(SocketError.WouldBlock);
        socket.LastErrno.Should().Be(Errno.EAGAIN);
    }

    [LinuxFact]
    public void Disposing_inside_the_sink_still_hands_over_the_batch_already_read_then_stops()
    {
        using var reactor = NewReactor();
        var socket = Bound(reactor, AddressFamily.InterNetwork);
        using var peer = Peer(AddressFamily.InterNetwork);
        for (var i = 0; i < 5; i++)
        {
            peer.SendTo(Payload(i), socket.GetLocalEndPoint());
        }

        Fence(peer);
        var sink = new RecordingSink();
        sink.OnEach = socket.Dispose;

        socket.Receive(sink, 100, int.MaxValue, out var error).Should().Be(5);

        error.Should().Be(SocketError.OperationAborted);
        sink.Datagrams.Select(d => d.Data[0]).Should().Equal(0, 1, 2, 3, 4);
        socket.FileDescriptor.Should().Be(-1);
    }

    [LinuxTheory]
    [MemberData(nameof(BothFamilies))]
    public void A_connected_socket_sends_without_an_address_and_hears_only_its_peer(AddressFamily family)
    {
        using var reactor = NewReactor();
        using var socket = Bound(reactor, family);
        using var peer = Peer(family);
        using var stranger = Peer(family);
        socket.Connect(peer.LocalEndPoint()).Should().Be(SocketError.Success);

        socket.Send("hello"u8, null).Should().Be(SocketError.Success);
        var buffer = new byte[16];
        EndPoint from = new IPEndPoint(Loopback(family), 0);
        peer.ReceiveFrom(buffer, ref from).Should().Be(5);
        buffer[..5].Should().Equal("hello"u8.ToArray());
        from.Should().Be(socket.GetLocalEndPoint());

        stranger.SendTo([1], socket.GetLocalEndPoint());
        peer.SendTo([2], socket.GetLocalEndPoint());
        Fence(peer);
        var sink = new RecordingSink();
        ReceiveUntil(socket, sink, () => sink.Datagrams.Count >= 1);
        socket.Receive(sink, 10, int.MaxValue, out _);
        sink.Datagrams.Should().ContainSingle().Which.Data.Should().Equal(2);
    }

    [LinuxTheory]
    [MemberData(nameof(BothFamilies))]
    public void A_connected_socket_reports_ConnectionRefused_from_a_later_receive(AddressFamily family)
    {
        using var reactor = NewReactor();
        using var socket = Bound(reactor, family);
        socket.Connect(ClosedPort(family)).Should().Be(SocketError.Success);
        var sink = new RecordingSink();
        var seen = SocketError.Success;

        // Linux may rate-limit the ICMP answer, so write again now and then until one comes back.
        var deadline = Stopwatch.GetTimestamp() + (10 * Stopwatch.Frequency);
        for (var attempt = 0; seen != SocketError.ConnectionRefused && Stopwatch.GetTimestamp() < deadline; attempt++)
        {
            if (attempt % 200 == 0)
            {
                socket.Send([1, 2, 3], null).Should().BeOneOf(SocketError.Success, SocketError.ConnectionRefused);
            }

            socket.Receive(sink, 10, int.MaxValue, out seen);
            seen.Should().BeOneOf(SocketError.WouldBlock, SocketError.ConnectionRefused);
            Thread.Yield();
        }

        seen.Should().Be(SocketError.ConnectionRefused);
        socket.LastErrno.Should().Be(Errno.ECONNREFUSED);
        sink.Datagrams.Should().BeEmpty();
        socket.Receive(sink, 10, int.MaxValue, out var after).Should().Be(0);
        after.Should().Be(SocketError.WouldBlock, "reading the error clears it and the socket stays usable");
    }

    [LinuxFact]
    public void Sending_to_an_IPv6_address_from_an_IPv4_socket_returns_an_error()
    {
        using var reactor = NewReactor();
        using var socket = Bound(reactor, AddressFamily.InterNetwork);

        var error = socket.Send([1], new IPEndPoint(IPAddress.IPv6Loopback, 9));

        error.Should().Be(SocketError.AddressFamilyNotSupported);
        socket.LastErrno.Should().Be(Errno.EAFNOSUPPORT);
    }

    [LinuxFact]
    public void Sending_from_an_unconnected_socket_without_an_address_returns_DestinationAddressRequired()
    {
        using var reactor = NewReactor();
        using var socket = Bound(reactor, AddressFamily.InterNetwork);

        socket.Send([1], null).Should().Be(SocketError.DestinationAddressRequired);
    }

    [LinuxFact]
    public void The_IPv6_wildcard_is_dual_stack_and_sees_IPv4_senders_as_mapped_addresses()
    {
        using var reactor = NewReactor();
        using var socket = Open(reactor, AddressFamily.InterNetworkV6);
        socket.Bind(new IPEndPoint(IPAddress.IPv6Any, 0), reuse: false).Should().Be(SocketError.Success);
        Interop.GetSocketOption(socket.FileDescriptor, Interop.IPPROTO_IPV6, Interop.IPV6_V6ONLY, out var v6Only).Should().Be(0);
        v6Only.Should().Be(0);
        using var peer = Peer(AddressFamily.InterNetwork);

        peer.SendTo([42], new IPEndPoint(IPAddress.Loopback, socket.GetLocalEndPoint().Port));
        var sink = new RecordingSink();
        ReceiveUntil(socket, sink, () => sink.Datagrams.Count >= 1);

        var sender = sink.Datagrams.Single().Sender;
        sender.Address.Should().Be(IPAddress.Parse("::ffff:127.0.0.1"));
        sender.Port.Should().Be(peer.LocalEndPoint().Port);
        sink.Datagrams.Single().Data.Should().Equal(42);
    }

    [LinuxTheory]
    [MemberData(nameof(BothFamilies))]
    public void Broadcast_round_trips_through_SO_BROADCAST(AddressFamily family)
    {
        using var reactor = NewReactor();
        using var socket = Open(reactor, family);

        socket.Broadcast.Should().BeFalse();
        socket.Broadcast = true;
        socket.Broadcast.Should().BeTrue();
        socket.Broadcast = false;
        socket.Broadcast.Should().BeFalse();
    }

    [LinuxFact]
    public void Buffer_sizes_reach_the_kernel_and_zero_keeps_the_default()
    {
        using var reactor = NewReactor();
        using var socket = Open(reactor, AddressFamily.InterNetwork);
        Interop.GetSocketOption(socket.FileDescriptor, Interop.SOL_SOCKET, Interop.SO_SNDBUF, out var defaultSend);

        socket.SetBufferSizes(receiveBufferSize: 65536, sendBufferSize: 0);

        // Linux doubles the requested size for its bookkeeping.
        Interop.GetSocketOption(socket.FileDescriptor, Interop.SOL_SOCKET, Interop.SO_RCVBUF, out var receive);
        Interop.GetSocketOption(socket.FileDescriptor, Interop.SOL_SOCKET, Interop.SO_SNDBUF, out var send);
        receive.Should().Be(2 * 65536);
        send.Should().Be(defaultSend);
    }

    [LinuxTheory]
    [MemberData(nameof(BothFamilies))]
    public void A_second_bind_to_a_used_port_fails_unless_both_ask_for_reuse(AddressFamily family)
    {
        using var reactor = NewReactor();
        using var first = Bound(reactor, family);
        using var second = Open(reactor, family);

        second.Bind(first.GetLocalEndPoint(), reuse: false).Should().Be(SocketError.AddressAlreadyInUse);
        second.LastErrno.Should().Be(Errno.EADDRINUSE);
        Marshal.GetPInvokeErrorMessage(second.LastErrno).Should().Contain("in use");

        using var sharedA = Open(reactor, family);
        using var sharedB = Open(reactor, family);
        sharedA.Bind(new IPEndPoint(Loopback(family), 0), reuse: true).Should().Be(SocketError.Success);
        sharedB.Bind(sharedA.GetLocalEndPoint(), reuse: true).Should().Be(SocketError.Success);
        sharedB.GetLocalEndPoint().Should().Be(sharedA.GetLocalEndPoint());
    }

    [LinuxFact]
    public void Dispose_closes_the_descriptor_and_is_idempotent()
    {
        using var reactor = NewReactor();
        var socket = Bound(reactor, AddressFamily.InterNetwork);
        socket.StartReading(new NullHandler());
        var fd = socket.FileDescriptor;
        var before = new FileInfo($"/proc/self/fd/{fd}").LinkTarget;
        before.Should().StartWith("socket:[");

        socket.Dispose();
        socket.Dispose();

        // Another test may reuse the number at once; a new socket never has the same inode.
        new FileInfo($"/proc/self/fd/{fd}").LinkTarget.Should().NotBe(before);
        socket.FileDescriptor.Should().Be(-1);
        var send = () => socket.Send([1], new IPEndPoint(IPAddress.Loopback, 9));
        send.Should().Throw<ObjectDisposedException>();
        reactor.Iterate(TimeSpan.Zero);
    }

    [LinuxFact]
    public void Opening_a_socket_of_another_family_is_rejected()
    {
        using var reactor = NewReactor();

        var open = () => Open(reactor, AddressFamily.Unix);

        open.Should().Throw<ArgumentOutOfRangeException>();
    }

    private static byte[] Payload(int index) => Payload(index, 1 + (index % 50));

    private static byte[] Payload(int index, int length)
    {
        var bytes = new byte[length];
        for (var i = 0; i < length; i++)
        {
            bytes[i] = (byte)(index + i);
        }

        return bytes;
    }

    private sealed class NullHandler : Reactor.Internal.Udp.IDatagramSocketHandler
    {
        public void OnReadable()
        {
        }

        public void OnCoalescedSent(int datagrams, long bytes)
        {
        }

        public void OnSendFailed(SocketError error)
        {
        }

        public void OnWritable()
        {
        }
    }
}
