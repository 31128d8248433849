using System.Net;
using System.Net.Sockets;
using Reactor.Internal.Udp;
using Reactor.Tests.Support;
using static Reactor.Tests.Backends.Epoll.EpollSocketTestKit;

namespace Reactor.Tests.Backends.Epoll;

/// <summary>How the epoll datagram socket turns epoll readiness into handler calls.</summary>
public class EpollDatagramSocketReadinessTests
{
    [LinuxFact]
    public void StartReading_reports_a_waiting_datagram_and_StopReading_silences_it()
    {
        using var reactor = NewReactor();
        using var socket = Bound(reactor, AddressFamily.InterNetwork);
        using var peer = Peer(AddressFamily.InterNetwork);
        var handler = new RecordingHandler();
        socket.StartReading(handler);

        peer.SendTo([1], socket.GetLocalEndPoint());
        reactor.IterateUntil(() => handler.Readable > 0).Should().BeTrue();
        handler.Writable.Should().Be(0, "nobody asked for writability");

        socket.StopReading();
        handler.Readable = 0;
        peer.SendTo([2], socket.GetLocalEndPoint());
        Fence(peer);
        for (var i = 0; i < 3; i++)
        {
            reactor.Iterate(TimeSpan.FromMilliseconds(10));
        }

        handler.Readable.Should().Be(0);

        socket.StartReading(handler);
        reactor.IterateUntil(() => handler.Readable > 0).Should().BeTrue("level-triggered: the queued datagrams are still there");
        var sink = new RecordingSink();
        socket.Receive(sink, 10, int.MaxValue, out _).Should().Be(2);
    }

    [LinuxFact]
    public void SetWantWritable_asks_for_OnWritable_until_turned_off()
    {
        using var reactor = NewReactor();
        using var socket = Bound(reactor, AddressFamily.InterNetwork);
        var handler = new RecordingHandler();
        socket.StartReading(handler);
        socket.StopReading();

        socket.SetWantWritable(true);
        reactor.IterateUntil(() => handler.Writable > 0).Should().BeTrue();
        handler.Readable.Should().Be(0);

        socket.SetWantWritable(false);
        handler.Writable = 0;
        for (var i = 0; i < 3; i++)
        {
            reactor.Iterate(TimeSpan.FromMilliseconds(10));
        }

        handler.Writable.Should().Be(0);
    }

    [LinuxFact]
    public void SetWantWritable_before_any_handler_is_named_is_an_error()
    {
        using var reactor = NewReactor();
        using var socket = Bound(reactor, AddressFamily.InterNetwork);

        var act = () => socket.SetWantWritable(true);

        act.Should().Throw<InvalidOperationException>();
    }

    [LinuxTheory]
    [MemberData(nameof(EpollDatagramSocketTests.BothFamilies), MemberType = typeof(EpollDatagramSocketTests))]
    public void An_ICMP_error_on_a_connected_socket_wakes_the_reader_and_reads_as_ConnectionRefused(AddressFamily family)
    {
        using var reactor = NewReactor();
        using var socket = Bound(reactor, family);
        socket.Connect(ClosedPort(family)).Should().Be(SocketError.Success);
        var errors = new List<SocketError>();
        var sink = new RecordingSink();
        var handler = new RecordingHandler
        {
            WhenReadable = () =>
            {
                socket.Receive(sink, 10, int.MaxValue, out var error);
                errors.Add(error);
            },
        };
        socket.StartReading(handler);

        for (var round = 0; round < 50 && !errors.Contains(SocketError.ConnectionRefused); round++)
        {
            socket.Send([1], null);
            reactor.Iterate(TimeSpan.FromMilliseconds(20));
        }

        errors.Should().Contain(SocketError.ConnectionRefused);
        sink.Datagrams.Should().BeEmpty();
    }

    [LinuxFact]
    public void A_handler_that_disposes_the_socket_while_reading_gets_no_OnWritable_afterwards()
    {
        using var reactor = NewReactor();
        var socket = Bound(reactor, AddressFamily.InterNetwork);
        using var peer = Peer(AddressFamily.InterNetwork);
        var writableAfterDispose = false;
        var handler = new RecordingHandler { WhenReadable = socket.Dispose };
        handler.WhenWritable = () => writableAfterDispose |= socket.FileDescriptor == -1;
        peer.SendTo([1], socket.GetLocalEndPoint());
        Fence(peer);

        socket.StartReading(handler);
        socket.SetWantWritable(true);
        reactor.IterateUntil(() => handler.Readable > 0).Should().BeTrue();
        for (var i = 0; i < 3; i++)
        {
            reactor.Iterate(TimeSpan.FromMilliseconds(5));
        }

        writableAfterDispose.Should().BeFalse();
        handler.Readable.Should().Be(1, "a disposed socket is unregistered from epoll");
    }

    [LinuxFact]
    public void Readiness_changes_from_another_thread_are_refused()
    {
        using var reactor = NewReactor();
        using var socket = Bound(reactor, AddressFamily.InterNetwork);
        Exception? error = null;

        var thread = new Thread(() => error = Record.Exception(() => socket.StartReading(new RecordingHandler())));
        thread.Start();
        thread.Join(Deadline).Should().BeTrue();

        error.Should().BeOfType<InvalidOperationException>();
    }

    private sealed class RecordingHandler : IDatagramSocketHandler
    {
        public int Readable { get; set; }

        public int Writable { get; set; }

        public Action? WhenReadable { get; set; }

        public Action? WhenWritable { get; set; }

        public void OnReadable()
        {
            Readable++;
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
            Writable++;
            WhenWritable?.Invoke();
        }
    }
}
