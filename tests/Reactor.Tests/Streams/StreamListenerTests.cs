using System.Net;
using System.Net.Sockets;
using Reactor.Internal.Streams;
using Reactor.Tests.Support;
using Reactor.Tests.Tcp;

namespace Reactor.Tests.Streams;

/// <summary>
/// The accept loop over a scripted listening socket (twisted-tcp.md §9 H: Twisted's <c>test/test_tcp_internals.py</c>):
/// the adaptive batch (D23), every accept error class, and shedding waiting clients when out of descriptors (D22).
/// </summary>
public sealed class StreamListenerTests : IDisposable
{
    private readonly TestLoggerFactory _logs = new();
    private readonly IReactor _reactor;
    private readonly FakeSockets _fakes = new();
    private readonly FakeListenSocket _listen = new(AddressFamily.InterNetwork);
    private readonly RecordingServerFactory _factory = new();

    public StreamListenerTests()
    {
        _reactor = ReactorFactory.Create(new ReactorOptions { LoggerFactory = _logs, Tcp = { InitialAcceptsPerWake = 100, MaxAcceptsPerWake = 1000 } });
        _fakes.NewListen = _ => _listen;
        _reactor.Internal().Sockets = _fakes;
    }

    public void Dispose() => _reactor.Dispose();

    private StreamListener Listen()
    {
        var port = _reactor.ListenTcp(0, _factory, @interface: "127.0.0.1");
        return (StreamListener)port;
    }

    [Fact]
    public void The_port_binds_listens_with_the_backlog_and_watches_for_connections()
    {
        _reactor.ListenTcp(0, _factory, backlog: 7, @interface: "127.0.0.1");
        _listen.BoundTo.Should().Be(new IPEndPoint(IPAddress.Loopback, 0));
        _listen.Backlog.Should().Be(7);
        _listen.Accepting.Should().BeTrue();
    }

    [Fact]
    public void A_bind_or_listen_error_is_a_CannotListen_and_the_socket_is_closed()
    {
        _listen.ListenResult = SocketError.AddressAlreadyInUse;
        _reactor.Invoking(r => r.ListenTcp(8000, _factory, @interface: "127.0.0.1"))
            .Should().Throw<CannotListenException>().WithMessage("Couldn't listen on 127.0.0.1:8000: Address already in use.");
        _listen.Disposed.Should().BeTrue("Twisted #6108: a failed listen must not leave its socket behind");
        _factory.Events.Should().BeEmpty();
    }

    [Fact]
    public void Consecutive_batches_grow_by_twenty_while_every_accept_succeeds()
    {
        var listener = Listen();
        _listen.QueueConnections(250);

        _listen.RaiseAcceptable();
        _factory.Protocols.Should().HaveCount(100);
        listener.AcceptsPerWake.Should().Be(120);

        _listen.RaiseAcceptable();
        _factory.Protocols.Should().HaveCount(220);
        listener.AcceptsPerWake.Should().Be(140);
    }

    [Fact]
    public void A_batch_that_drains_the_queue_shrinks_to_what_it_found()
    {
        var listener = Listen();
        _listen.QueueConnections(7);
        _listen.RaiseAcceptable();
        _factory.Protocols.Should().HaveCount(7);
        listener.AcceptsPerWake.Should().Be(7);

        _listen.RaiseAcceptable();
        listener.AcceptsPerWake.Should().Be(1, "a spurious wake finds none, and the batch never drops below one");
    }

    [Fact]
    public void The_batch_never_grows_past_the_configured_maximum()
    {
        using var reactor = ReactorFactory.Create(new ReactorOptions { Tcp = { InitialAcceptsPerWake = 10, MaxAcceptsPerWake = 25 } });
        var listen = new FakeListenSocket(AddressFamily.InterNetwork);
        reactor.Internal().Sockets = new FakeSockets { NewListen = _ => listen };
        var listener = (StreamListener)reactor.ListenTcp(0, new RecordingServerFactory(), @interface: "127.0.0.1");
        listen.QueueConnections(100);
        listen.RaiseAcceptable();
        listen.RaiseAcceptable();
        listener.AcceptsPerWake.Should().Be(25);
    }

    [Theory]
    [InlineData(SocketError.AccessDenied)]
    [InlineData(SocketError.ConnectionAborted)]
    [InlineData(SocketError.ConnectionReset)]
    public void A_connection_that_failed_on_its_way_in_is_skipped_and_counts_against_the_batch(SocketError error)
    {
        Listen();
        _listen.QueueError(error);
        _listen.QueueConnections(2);

        _listen.RaiseAcceptable();
        _factory.Protocols.Should().HaveCount(2, "EPERM (a firewall) and ECONNABORTED (a client that gave up) cost only that connection");
        _listen.Accepting.Should().BeTrue();
        _reactor.Internal().Streams.Counters.AcceptsAborted.Should().Be(error == SocketError.AccessDenied ? 0 : 1,
            "a connection the client reset in the backlog is counted (accepts.dropped, reason aborted), so every connection is accounted for");
    }

    [Theory]
    [InlineData(SocketError.NoBufferSpaceAvailable)]
    [InlineData(SocketError.SocketError)]
    public void A_transient_accept_error_is_logged_ends_the_batch_and_pauses_accepting_briefly(SocketError error)
    {
        Listen();
        _listen.QueueError(error);
        _listen.QueueConnections(1);

        _listen.RaiseAcceptable();
        _factory.Protocols.Should().BeEmpty();
        _listen.Accepting.Should().BeFalse("a persistent condition must not make the loop spin");
        _logs.WithEventId(406).Should().ContainSingle().Which.Message.Should().Contain(error.ToString());

        _reactor.RunUntil(() => _listen.Accepting);
        _listen.RaiseAcceptable();
        _factory.Protocols.Should().HaveCount(1, "the port keeps serving");
    }

    [Fact]
    public void Out_of_descriptors_with_the_reserve_sheds_the_waiting_clients_and_keeps_accepting()
    {
        Listen();
        _listen.ShedResult = 3;
        _listen.QueueError(SocketError.TooManyOpenSockets);

        _listen.RaiseAcceptable();
        _listen.ShedCalls.Should().Be(1);
        _listen.Accepting.Should().BeTrue("the waiting clients were shed, so no readiness is left to spin on");
        _logs.WithEventId(407).Should().ContainSingle().Which.Message.Should().Contain("closed 3 waiting connection(s)");
        _reactor.Internal().Streams.Counters.AcceptsShed.Should().Be(3);

        _listen.QueueConnections(1);
        _listen.RaiseAcceptable();
        _factory.Protocols.Should().HaveCount(1);
    }

    [Fact]
    public void Out_of_descriptors_without_a_reserve_backs_off_instead_of_spinning()
    {
        Listen();
        _listen.QueueError(SocketError.TooManyOpenSockets);
        _listen.RaiseAcceptable();
        _listen.ShedCalls.Should().Be(1);
        _listen.Accepting.Should().BeFalse();
        _reactor.RunUntil(() => _listen.Accepting);
    }

    [Fact]
    public void Existing_connections_are_untouched_by_accept_errors()
    {
        Listen();
        var accepted = _listen.QueueConnections(2);
        _listen.RaiseAcceptable();
        _listen.QueueError(SocketError.TooManyOpenSockets);
        _listen.QueueError(SocketError.NoBufferSpaceAvailable);
        _listen.RaiseAcceptable();

        _factory.Protocols.Should().AllSatisfy(p => p.Connected.Should().BeTrue());
        accepted.Should().AllSatisfy(s => s.Disposed.Should().BeFalse());
        accepted.Should().AllSatisfy(s => s.Reading.Should().BeTrue());
    }

    [Fact]
    public void Rate_limited_accept_errors_log_the_first_ten_then_powers_of_two()
    {
        Listen();
        for (var i = 0; i < 40; i++)
        {
            _listen.QueueError(SocketError.NoBufferSpaceAvailable);
            _listen.RaiseAcceptable();
        }

        // 1..10, 16, 32.
        _logs.WithEventId(406).Should().HaveCount(12);
    }

    [Fact]
    public void Stopping_the_port_stops_accepting_at_once_and_closes_the_socket_on_a_later_iteration()
    {
        var listener = Listen();
        var stopped = ((IListeningPort)listener).StopListening();
        _listen.Accepting.Should().BeFalse();
        _listen.Disposed.Should().BeFalse();
        _reactor.RunUntil(() => stopped.Called);
        _listen.Disposed.Should().BeTrue();
    }
}
