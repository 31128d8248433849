using System.Net;
using System.Net.Sockets;
using Reactor.Internal;
using Reactor.Internal.Backends.Portable;
using Reactor.Internal.Udp;
using Reactor.Tests.Support;

namespace Reactor.Tests.Backends.Portable;

/// <summary>
/// The portable backend's datagram socket against real loopback sockets: readiness from the peek probe, draining,
/// budgets, truncation, ICMP refusals, binding options, and that nothing reaches the handler after Dispose.
/// </summary>
public sealed class PortableDatagramSocketTests : IDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    private readonly IReactor _reactor = ReactorFactory.Create(new ReactorOptions { Backend = ReactorBackend.Portable });
    private readonly List<IDisposable> _owned = [];

    public void Dispose()
    {
        foreach (var owned in _owned)
        {
            owned.Dispose();
        }

        _reactor.Dispose();
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("::1")]
    public void Bind_to_port_zero_reports_the_assigned_endpoint(string address)
    {
        var socket = CreateSocket(IPAddress.Parse(address).AddressFamily);

        socket.Bind(new IPEndPoint(IPAddress.Parse(address), 0), reuse: false).Should().Be(SocketError.Success);

        var local = socket.GetLocalEndPoint();
        local.Address.Should().Be(IPAddress.Parse(address));
        local.Port.Should().BeGreaterThan(0);
        local.Should().NotBeSameAs(socket.GetLocalEndPoint(), "each call hands out a copy the caller may keep");
    }

    [Fact]
    public void OnReadable_runs_on_the_reactor_thread_when_a_datagram_arrives()
    {
        var socket = BoundSocket(IPAddress.Loopback);
        var peer = PeerSocket(IPAddress.Loopback);
        var recorder = new Recorder();
        recorder.WhenReadable = () =>
        {
            socket.Receive(recorder, 16, int.MaxValue, out _);
            _reactor.Stop();
        };
        _reactor.CallWhenRunning(() =>
        {
            socket.StartReading(recorder);
            peer.SendTo("ping"u8, socket.GetLocalEndPoint());
        });

        var reactorThread = Environment.CurrentManagedThreadId;
        _reactor.RunWithTimeout(Deadline);

        recorder.ReadableThreads.Should().NotBeEmpty().And.OnlyContain(id => id == reactorThread);
        recorder.Datagrams.Should().ContainSingle().Which.Data.Should().Equal("ping"u8.ToArray());
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("::1")]
    public void Receive_delivers_every_datagram_in_order_with_its_bytes_and_sender(string address)
    {
        var loopback = IPAddress.Parse(address);
        var socket = BoundSocket(loopback);
        var peer = PeerSocket(loopback);
        var recorder = ReadingRecorder(socket, maxDatagrams: 64);
        socket.StartReading(recorder);

        for (var i = 0; i < 20; i++)
        {
            peer.SendTo(new byte[] { (byte)i, (byte)(i * 3), 7 }, socket.GetLocalEndPoint());
        }

        IterateUntil(() => recorder.Datagrams.Count >= 20).Should().BeTrue();
        recorder.Datagrams.Select(d => d.Data[0]).Should().Equal(Enumerable.Range(0, 20).Select(i => (byte)i));
        recorder.Datagrams.Should().OnlyContain(d => d.Data.Length == 3 && d.Data[1] == (byte)(d.Data[0] * 3) && d.Data[2] == 7);
        recorder.Datagrams.Should().OnlyContain(d => d.Sender.Equals(peer.LocalEndPoint));
    }

    [Fact]
    public void The_peek_probe_leaves_the_datagram_for_Receive()
    {
        var socket = BoundSocket(IPAddress.Loopback);
        var peer = PeerSocket(IPAddress.Loopback);
        var recorder = new Recorder(); // Notices readability but does not read.
        socket.StartReading(recorder);
        peer.SendTo("still here"u8, socket.GetLocalEndPoint());

        IterateUntil(() => recorder.ReadableThreads.Count > 0).Should().BeTrue();
        socket.Receive(recorder, 16, int.MaxValue, out var error).Should().Be(1);

        error.Should().Be(SocketError.WouldBlock);
        recorder.Datagrams.Should().ContainSingle().Which.Data.Should().Equal("still here"u8.ToArray());
    }

    [Fact]
    public void Receiving_one_datagram_per_notification_loses_none()
    {
        // Each notification re-arms the probe with datagrams still queued: a probe that consumed would lose one each time.
        const int count = 50;
        var socket = BoundSocket(IPAddress.Loopback);
        var peer = PeerSocket(IPAddress.Loopback);
        var recorder = ReadingRecorder(socket, maxDatagrams: 1);
        socket.StartReading(recorder);

        for (var i = 0; i < count; i++)
        {
            peer.SendTo(BitConverter.GetBytes(i), socket.GetLocalEndPoint());
        }

        IterateUntil(() => recorder.Datagrams.Count >= count).Should().BeTrue();
        recorder.Datagrams.Select(d => BitConverter.ToInt32(d.Data)).Should().Equal(Enumerable.Range(0, count));
        socket.Receive(recorder, 16, int.MaxValue, out var error).Should().Be(0);
        error.Should().Be(SocketError.WouldBlock);
    }

    [Fact]
    public void The_same_sender_yields_the_same_IPEndPoint_instance()
    {
        var socket = BoundSocket(IPAddress.Loopback);
        var peer = PeerSocket(IPAddress.Loopback);
        var other = PeerSocket(IPAddress.Loopback);
        var recorder = new Recorder();
        // The cache is direct-mapped (256 slots): a second sender whose address hashes to the same slot evicts the first,
        // by design (one allocation when it comes back). So the repeat comes before the other sender, whose ephemeral
        // port may collide one time in 256.
        peer.SendTo("a"u8, socket.GetLocalEndPoint());
        peer.SendTo("b"u8, socket.GetLocalEndPoint());
        other.SendTo("c"u8, socket.GetLocalEndPoint());

        ReceiveUntil(socket, recorder, 3);

        recorder.Datagrams[1].Sender.Should().BeSameAs(recorder.Datagrams[0].Sender);
        recorder.Datagrams[2].Sender.Should().NotBeSameAs(recorder.Datagrams[0].Sender);
        recorder.Datagrams[2].Sender.Should().Be(other.LocalEndPoint);
    }

    [Fact]
    public void Receive_stops_at_the_datagram_budget_with_Success_and_leaves_the_rest()
    {
        var socket = BoundSocket(IPAddress.Loopback);
        var peer = PeerSocket(IPAddress.Loopback);
        var recorder = new Recorder();
        for (var i = 0; i < 5; i++)
        {
            peer.SendTo(new[] { (byte)i }, socket.GetLocalEndPoint());
        }

        var calls = ReceiveInCalls(socket, recorder, maxDatagrams: 2, maxBytes: int.MaxValue, total: 5);

        recorder.Datagrams.Select(d => d.Data[0]).Should().Equal(0, 1, 2, 3, 4);
        calls.Should().Contain((2, SocketError.Success));
        calls.Should().OnlyContain(call => call.Count == 2 ? call.Error == SocketError.Success : call.Error == SocketError.WouldBlock);
    }

    [Fact]
    public void Receive_stops_starting_reads_once_the_byte_budget_is_reached()
    {
        var socket = BoundSocket(IPAddress.Loopback);
        var peer = PeerSocket(IPAddress.Loopback);
        var recorder = new Recorder();
        for (var i = 0; i < 3; i++)
        {
            peer.SendTo(new byte[100], socket.GetLocalEndPoint());
        }

        var calls = ReceiveInCalls(socket, recorder, maxDatagrams: 10, maxBytes: 150, total: 3);

        // 100 bytes are under the budget, so a second read starts; 200 are over it, so no third.
        recorder.Datagrams.Should().HaveCount(3);
        calls.Should().Contain((2, SocketError.Success));
        calls.Should().OnlyContain(call => call.Count == 2 ? call.Error == SocketError.Success : call.Error == SocketError.WouldBlock);
    }

    [Fact]
    public void Zero_length_datagrams_are_delivered_and_count_against_the_datagram_budget_only()
    {
        var socket = BoundSocket(IPAddress.Loopback);
        var peer = PeerSocket(IPAddress.Loopback);
        var recorder = new Recorder();
        for (var i = 0; i < 4; i++)
        {
            peer.SendTo(ReadOnlySpan<byte>.Empty, socket.GetLocalEndPoint());
        }

        // Twisted: empty datagrams add nothing to the byte count, so a one-byte budget never throttles them.
        var calls = ReceiveInCalls(socket, recorder, maxDatagrams: 3, maxBytes: 1, total: 4);

        recorder.Datagrams.Should().HaveCount(4).And.OnlyContain(d => d.Data.Length == 0 && d.Sender.Equals(peer.LocalEndPoint));
        calls.Should().Contain((3, SocketError.Success));
        calls.Should().OnlyContain(call => call.Count == 3 ? call.Error == SocketError.Success : call.Error == SocketError.WouldBlock);
    }

    [Fact]
    public void Draining_a_known_sender_allocates_nothing()
    {
        var socket = BoundSocket(IPAddress.Loopback);
        var peer = PeerSocket(IPAddress.Loopback);
        var sink = new CountingSink();
        var destination = socket.GetLocalEndPoint();
        var datagram = new byte[64];

        // Warm up: the first datagram fills the sender cache and the receive buffer, and JIT-compiles the path.
        peer.SendTo(datagram, destination);
        ReactorRunner.WaitUntil(() => socket.Socket.Poll(0, SelectMode.SelectRead), Deadline).Should().BeTrue();
        socket.Receive(sink, 64, int.MaxValue, out _);
        for (var i = 0; i < 50; i++)
        {
            peer.SendTo(datagram, destination);
        }

        ReactorRunner.WaitUntil(() => socket.Socket.Poll(0, SelectMode.SelectRead), Deadline).Should().BeTrue();
        var before = GC.GetAllocatedBytesForCurrentThread();
        var received = 0;
        SocketError error;
        do
        {
            received += socket.Receive(sink, 64, int.MaxValue, out error);
        }
        while (received < 50 && error == SocketError.WouldBlock && socket.Socket.Poll(TimeSpan.FromSeconds(1), SelectMode.SelectRead));

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        received.Should().Be(50);
        error.Should().Be(SocketError.WouldBlock);
        allocated.Should().Be(0, "the SocketAddress, buffer and endpoint are reused, and a drained socket is not an exception");
    }

    [Fact]
    public void A_datagram_longer_than_the_receive_buffer_is_reported_as_truncated()
    {
        var socket = BoundSocket(IPAddress.Loopback);
        socket.ReceiveBufferSize = 100;
        var peer = PeerSocket(IPAddress.Loopback);
        var recorder = new Recorder();
        peer.SendTo(new byte[101], socket.GetLocalEndPoint());
        peer.SendTo(Enumerable.Repeat((byte)9, 100).ToArray(), socket.GetLocalEndPoint());
        peer.SendTo(new byte[5000], socket.GetLocalEndPoint());

        ReceiveUntil(socket, recorder, 3);

        recorder.Events.Should().Equal("truncated", "datagram", "truncated");
        recorder.Truncated.Should().OnlyContain(sender => sender.Equals(peer.LocalEndPoint));
        recorder.Datagrams.Should().ContainSingle().Which.Data.Should().HaveCount(100).And.OnlyContain(b => b == 9);
    }

    [Fact]
    public void Receive_on_a_drained_socket_returns_WouldBlock()
    {
        var socket = BoundSocket(IPAddress.Loopback);
        var recorder = new Recorder();

        socket.Receive(recorder, 16, int.MaxValue, out var error).Should().Be(0);

        error.Should().Be(SocketError.WouldBlock);
        recorder.Events.Should().BeEmpty();
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("::1")]
    public void A_connected_socket_sending_to_a_closed_port_becomes_readable_and_Receive_returns_ConnectionRefused(string address)
    {
        var loopback = IPAddress.Parse(address);
        var socket = BoundSocket(loopback);
        socket.Connect(ClosedPort(loopback)).Should().Be(SocketError.Success);
        var errors = new List<SocketError>();
        var recorder = new Recorder();
        recorder.WhenReadable = () =>
        {
            socket.Receive(recorder, 16, int.MaxValue, out var error);
            errors.Add(error);
        };
        socket.StartReading(recorder);

        // One write: Linux exempts loopback from per-peer ICMP rate limits, so the port-unreachable always comes back.
        // The probe's peek clears the socket error on Linux; the refusal must still reach this Receive.
        socket.Send("knock"u8, null).Should().Be(SocketError.Success);

        IterateUntil(() => errors.Count > 0).Should().BeTrue("the ICMP port-unreachable makes the socket readable");
        errors[0].Should().Be(SocketError.ConnectionRefused);
        recorder.Datagrams.Should().BeEmpty();
        socket.Receive(recorder, 16, int.MaxValue, out var after).Should().Be(0);
        after.Should().Be(SocketError.WouldBlock, "the refusal is reported once");
    }

    [Fact]
    public void A_refusal_that_arrives_while_reading_is_stopped_is_reported_when_reading_resumes()
    {
        var socket = BoundSocket(IPAddress.Loopback);
        socket.Connect(ClosedPort(IPAddress.Loopback)).Should().Be(SocketError.Success);
        var errors = new List<SocketError>();
        var recorder = new Recorder();
        recorder.WhenReadable = () =>
        {
            socket.Receive(recorder, 16, int.MaxValue, out var error);
            errors.Add(error);
        };
        socket.StartReading(recorder);
        socket.StopReading(); // The probe stays outstanding and takes the error.
        socket.Send("knock"u8, null).Should().Be(SocketError.Success);
        ReactorRunner.WaitUntil(() => socket.ProbeCompletions > 0, Deadline).Should().BeTrue();
        IterateFor(TimeSpan.FromMilliseconds(20));
        recorder.ReadableThreads.Should().BeEmpty();

        socket.StartReading(recorder);

        IterateUntil(() => errors.Count > 0).Should().BeTrue("the kept error must produce a notification");
        errors[0].Should().Be(SocketError.ConnectionRefused);
    }

    [Fact]
    public void A_dual_stack_socket_bound_to_the_IPv6_wildcard_talks_to_IPv4_loopback()
    {
        var socket = CreateSocket(AddressFamily.InterNetworkV6);
        socket.Bind(new IPEndPoint(IPAddress.IPv6Any, 0), reuse: false).Should().Be(SocketError.Success);
        var port = socket.GetLocalEndPoint().Port;
        var peer = PeerSocket(IPAddress.Loopback);
        var recorder = new Recorder();
        peer.SendTo("v4"u8, new IPEndPoint(IPAddress.Loopback, port));

        ReceiveUntil(socket, recorder, 1);

        var sender = recorder.Datagrams[0].Sender;
        sender.Address.IsIPv4MappedToIPv6.Should().BeTrue();
        sender.Address.MapToIPv4().Should().Be(IPAddress.Loopback);
        sender.Port.Should().Be(((IPEndPoint)peer.LocalEndPoint!).Port);

        // And back, to a plain IPv4 endpoint.
        socket.Send("back"u8, (IPEndPoint)peer.LocalEndPoint!).Should().Be(SocketError.Success);
        var buffer = new byte[16];
        peer.ReceiveTimeout = (int)Deadline.TotalMilliseconds;
        buffer.AsSpan(0, peer.Receive(buffer)).ToArray().Should().Equal("back"u8.ToArray());
    }

    [Fact]
    public void Broadcast_round_trips_and_permits_sending_to_the_loopback_broadcast_address()
    {
        var sender = BoundSocket(IPAddress.Loopback);
        sender.Broadcast.Should().BeFalse();
        sender.Broadcast = true;
        sender.Broadcast.Should().BeTrue();
        sender.Broadcast = false;
        sender.Broadcast.Should().BeFalse();

        if (!OperatingSystem.IsLinux())
        {
            return; // 127.255.255.255 is a broadcast route on Linux's lo only.
        }

        var broadcast = IPAddress.Parse("127.255.255.255");
        var receiver = BoundSocket(broadcast);
        var destination = new IPEndPoint(broadcast, receiver.GetLocalEndPoint().Port);
        sender.Send("all"u8, destination).Should().Be(SocketError.AccessDenied, "SO_BROADCAST is off");

        sender.Broadcast = true;
        sender.Send("all"u8, destination).Should().Be(SocketError.Success);

        var recorder = new Recorder();
        ReceiveUntil(receiver, recorder, 1);
        recorder.Datagrams[0].Data.Should().Equal("all"u8.ToArray());
    }

    [Fact]
    public void Binding_a_port_in_use_fails_without_reuse_and_succeeds_with_it()
    {
        var first = BoundSocket(IPAddress.Loopback);
        var taken = first.GetLocalEndPoint();
        CreateSocket(AddressFamily.InterNetwork).Bind(taken, reuse: false).Should().Be(SocketError.AddressAlreadyInUse);

        var shared = CreateSocket(AddressFamily.InterNetwork);
        shared.Bind(new IPEndPoint(IPAddress.Loopback, 0), reuse: true).Should().Be(SocketError.Success);
        var sharedPort = shared.GetLocalEndPoint();
        var second = CreateSocket(AddressFamily.InterNetwork);

        second.Bind(sharedPort, reuse: true).Should().Be(SocketError.Success);
        second.GetLocalEndPoint().Should().Be(sharedPort);
    }

    [Fact]
    public void Dispose_closes_the_descriptor_and_is_idempotent()
    {
        if (!OperatingSystem.IsLinux())
        {
            return; // Reads /proc.
        }

        var socket = BoundSocket(IPAddress.Loopback);
        socket.StartReading(new Recorder()); // A probe is outstanding: closing must abort it, not wait for it.
        var link = $"/proc/self/fd/{socket.Socket.Handle}";
        var target = Descriptors.LinkTarget(link);
        target.Should().StartWith("socket:[");

        socket.Dispose();
        socket.Dispose();

        ReactorRunner.WaitUntil(() => Descriptors.LinkTarget(link) != target, Deadline)
            .Should().BeTrue("the descriptor {0} ({1}) should be closed", link, target);
    }

    [Fact]
    public void No_handler_call_reaches_a_socket_disposed_after_its_notification_was_queued()
    {
        var socket = BoundSocket(IPAddress.Loopback);
        var peer = PeerSocket(IPAddress.Loopback);
        var recorder = ReadingRecorder(socket, maxDatagrams: 16);
        socket.StartReading(recorder);
        peer.SendTo("late"u8, socket.GetLocalEndPoint());
        ReactorRunner.WaitUntil(() => socket.ProbeCompletions > 0, Deadline).Should().BeTrue();

        socket.Dispose();
        socket.SetWantWritable(true);
        _reactor.GetDelayedCalls().Should().BeEmpty();
        IterateFor(TimeSpan.FromMilliseconds(100));

        recorder.ReadableThreads.Should().BeEmpty();
        recorder.WritableThreads.Should().BeEmpty();
    }

    [Fact]
    public void StopReading_suspends_notifications_and_StartReading_resumes_them_without_loss()
    {
        var socket = BoundSocket(IPAddress.Loopback);
        var peer = PeerSocket(IPAddress.Loopback);
        var recorder = ReadingRecorder(socket, maxDatagrams: 16);
        socket.StartReading(recorder);
        socket.StopReading();
        peer.SendTo("held"u8, socket.GetLocalEndPoint());
        ReactorRunner.WaitUntil(() => socket.ProbeCompletions > 0, Deadline).Should().BeTrue();

        IterateFor(TimeSpan.FromMilliseconds(50));
        recorder.ReadableThreads.Should().BeEmpty();

        socket.StartReading(recorder);
        IterateUntil(() => recorder.Datagrams.Count == 1).Should().BeTrue();
        recorder.Datagrams[0].Data.Should().Equal("held"u8.ToArray());
    }

    [Fact]
    public void SetWantWritable_calls_OnWritable_on_the_reactor_thread_until_no_longer_wanted()
    {
        var socket = BoundSocket(IPAddress.Loopback);
        var recorder = new Recorder();
        socket.StartReading(recorder);
        recorder.WhenWritable = () =>
        {
            if (recorder.WritableThreads.Count == 2)
            {
                socket.SetWantWritable(false);
            }
        };

        socket.SetWantWritable(true);

        IterateUntil(() => recorder.WritableThreads.Count >= 2).Should().BeTrue();
        IterateFor(TimeSpan.FromMilliseconds(30));
        recorder.WritableThreads.Should().HaveCount(2).And.OnlyContain(id => id == Environment.CurrentManagedThreadId);
    }

    [Fact]
    public void SetWantWritable_false_cancels_the_pending_notification()
    {
        var socket = BoundSocket(IPAddress.Loopback);
        var recorder = new Recorder();
        socket.StartReading(recorder);

        socket.SetWantWritable(true);
        socket.SetWantWritable(false);

        _reactor.GetDelayedCalls().Should().BeEmpty("the retry timer is cancelled, not left to fire");
        IterateFor(TimeSpan.FromMilliseconds(30));
        recorder.WritableThreads.Should().BeEmpty();
    }

    [Fact]
    public void SetBufferSizes_sets_positive_sizes_and_keeps_the_default_for_zero()
    {
        var socket = BoundSocket(IPAddress.Loopback);
        var defaultSend = socket.Socket.SendBufferSize;

        socket.SetBufferSizes(200_000, 0);

        socket.Socket.ReceiveBufferSize.Should().BeGreaterThanOrEqualTo(200_000); // Linux doubles the request.
        socket.Socket.SendBufferSize.Should().Be(defaultSend);
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("::1")]
    public void Send_reaches_the_destination_or_the_connected_peer(string address)
    {
        var loopback = IPAddress.Parse(address);
        var socket = BoundSocket(loopback);
        var peer = PeerSocket(loopback);
        peer.ReceiveTimeout = (int)Deadline.TotalMilliseconds;
        var destination = (IPEndPoint)peer.LocalEndPoint!;
        var buffer = new byte[16];

        socket.Send("one"u8, destination).Should().Be(SocketError.Success);
        socket.Send("two"u8, destination).Should().Be(SocketError.Success);
        socket.Connect(destination).Should().Be(SocketError.Success);
        socket.Send("three"u8, null).Should().Be(SocketError.Success);

        buffer.AsSpan(0, peer.Receive(buffer)).ToArray().Should().Equal("one"u8.ToArray());
        buffer.AsSpan(0, peer.Receive(buffer)).ToArray().Should().Equal("two"u8.ToArray());
        buffer.AsSpan(0, peer.Receive(buffer)).ToArray().Should().Equal("three"u8.ToArray());
    }

    [Fact]
    public void Send_to_an_IPv6_destination_from_an_IPv4_socket_returns_an_error()
    {
        var socket = BoundSocket(IPAddress.Loopback);

        socket.Send("x"u8, new IPEndPoint(IPAddress.IPv6Loopback, 9)).Should().Be(SocketError.AddressFamilyNotSupported);
    }

    /// <summary>
    /// Calls Receive directly (no notifications) whenever the socket polls readable, until <paramref name="total"/>
    /// datagrams arrived; returns what each call returned.
    /// </summary>
    private static List<(int Count, SocketError Error)> ReceiveInCalls(
        PortableDatagramSocket socket, Recorder recorder, int maxDatagrams, int maxBytes, int total)
    {
        var calls = new List<(int Count, SocketError Error)>();
        var deadline = DateTime.UtcNow + Deadline;
        while (recorder.Events.Count < total && DateTime.UtcNow < deadline)
        {
            if (socket.Socket.Poll(TimeSpan.FromMilliseconds(10), SelectMode.SelectRead))
            {
                var count = socket.Receive(recorder, maxDatagrams, maxBytes, out var error);
                calls.Add((count, error));
            }
        }

        recorder.Events.Should().HaveCount(total);
        return calls;
    }

    private PortableDatagramSocket CreateSocket(AddressFamily family)
    {
        var socket = (PortableDatagramSocket)((ReactorBase)_reactor).Sockets.CreateDatagramSocket(family);
        _owned.Add(socket);
        return socket;
    }

    private PortableDatagramSocket BoundSocket(IPAddress address)
    {
        var socket = CreateSocket(address.AddressFamily);
        socket.Bind(new IPEndPoint(address, 0), reuse: false).Should().Be(SocketError.Success);
        return socket;
    }

    private Socket PeerSocket(IPAddress address)
    {
        var peer = new Socket(address.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        _owned.Add(peer);
        peer.Bind(new IPEndPoint(address, 0));
        return peer;
    }

    /// <summary>A loopback port nobody listens on: bound, then closed.</summary>
    private static IPEndPoint ClosedPort(IPAddress address)
    {
        using var probe = new Socket(address.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        probe.Bind(new IPEndPoint(address, 0));
        return (IPEndPoint)probe.LocalEndPoint!;
    }

    private Recorder ReadingRecorder(PortableDatagramSocket socket, int maxDatagrams)
    {
        var recorder = new Recorder();
        recorder.WhenReadable = () => socket.Receive(recorder, maxDatagrams, int.MaxValue, out _);
        return recorder;
    }

    /// <summary>Reads through the reactor's notifications until <paramref name="count"/> datagrams arrived.</summary>
    private void ReceiveUntil(PortableDatagramSocket socket, Recorder recorder, int count)
    {
        recorder.WhenReadable = () => socket.Receive(recorder, 64, int.MaxValue, out _);
        socket.StartReading(recorder);
        IterateUntil(() => recorder.Events.Count >= count).Should().BeTrue("{0} datagrams were sent", count);
        socket.StopReading();
    }

    private bool IterateUntil(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + Deadline;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                return false;
            }

            _reactor.Iterate(TimeSpan.FromMilliseconds(10));
        }

        return true;
    }

    private void IterateFor(TimeSpan duration)
    {
        var until = DateTime.UtcNow + duration;
        while (DateTime.UtcNow < until)
        {
            _reactor.Iterate(TimeSpan.FromMilliseconds(5));
        }
    }

    private sealed class CountingSink : IDatagramSink
    {
        public int Datagrams { get; private set; }

        public void OnDatagram(ReadOnlySpan<byte> datagram, IPEndPoint sender) => Datagrams++;

        public void OnTruncated(IPEndPoint sender) => Datagrams++;
    }

    private sealed class Recorder : IDatagramSocketHandler, IDatagramSink
    {
        public List<(byte[] Data, IPEndPoint Sender)> Datagrams { get; } = [];

        public List<IPEndPoint> Truncated { get; } = [];

        public List<string> Events { get; } = [];

        public List<int> ReadableThreads { get; } = [];

        public List<int> WritableThreads { get; } = [];

        public Action? WhenReadable { get; set; }

        public Action? WhenWritable { get; set; }

        public void OnReadable()
        {
            ReadableThreads.Add(Environment.CurrentManagedThreadId);
            WhenReadable?.Invoke();
        }

        public void OnCoalescedSent(int datagrams, long bytes)
        {
        }

        public void OnSendFailed(SocketError error)
        {
        }

        public void OnWritable()
        {
            WritableThreads.Add(Environment.CurrentManagedThreadId);
            WhenWritable?.Invoke();
        }

        public void OnDatagram(ReadOnlySpan<byte> datagram, IPEndPoint sender)
        {
            Events.Add("datagram");
            Datagrams.Add((datagram.ToArray(), sender));
        }

        public void OnTruncated(IPEndPoint sender)
        {
            Events.Add("truncated");
            Truncated.Add(sender);
        }
    }
}
