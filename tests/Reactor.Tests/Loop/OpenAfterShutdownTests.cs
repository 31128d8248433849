using System.Net;
using System.Net.Sockets;
using Reactor.Tests.Support;

namespace Reactor.Tests.Loop;

/// <summary>
/// Decision D40: ListenUdp, ListenMulticast, ListenTcp and ConnectTcp on a reactor that has shut down (stopped after running, disposed, or
/// crashed and then disposed) throw <see cref="ObjectDisposedException"/> before anything happens — no socket, no bound
/// port, no StartProtocol — the same on both backends. Counts the process's sockets, so it runs alone.
/// </summary>
[Collection(DescriptorCountingCollection.Name)]
public class OpenAfterShutdownTests
{
    public enum Ending
    {
        StoppedAfterRun,
        Disposed,
        CrashedThenDisposed,
    }

    public static TheoryData<ReactorBackend, Ending, bool> Cases
    {
        get
        {
            var data = new TheoryData<ReactorBackend, Ending, bool>();
            foreach (ReactorBackend backend in TestBackends.All)
            {
                foreach (var ending in Enum.GetValues<Ending>())
                {
                    data.Add(backend, ending, false);
                    data.Add(backend, ending, true);
                }
            }

            return data;
        }
    }

    [LinuxTheory]
    [MemberData(nameof(Cases))]
    public void Listening_on_a_reactor_that_has_shut_down_throws_ObjectDisposedException_and_leaves_no_socket_and_no_bound_port(
        ReactorBackend backend, Ending ending, bool multicast)
    {
        var reactor = EndedReactor(backend, ending);
        var port = FreeLoopbackPort();
        var protocol = new RecordingProtocol();
        var socketsBefore = Descriptors.OpenSocketInodes().Length;

        Action listen = multicast
            ? () => reactor.ListenMulticast(port, protocol, "127.0.0.1")
            : () => reactor.ListenUdp(port, protocol, "127.0.0.1");

        listen.Should().Throw<ObjectDisposedException>().WithMessage("*has shut down*");
        protocol.Starts.Should().Be(0, "the protocol must not be started on a port that cannot be served");
        protocol.Transport.Should().BeNull();
        Descriptors.OpenSocketInodes().Length.Should().Be(socketsBefore, "no socket may be created, let alone leaked");
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp) { ExclusiveAddressUse = true };
        probe.Invoking(s => s.Bind(new IPEndPoint(IPAddress.Loopback, port))).Should().NotThrow("the port must still be free");
        reactor.Dispose();
    }

    [LinuxTheory]
    [MemberData(nameof(Cases))]
    public void ListenTcp_and_ConnectTcp_on_a_reactor_that_has_shut_down_throw_ObjectDisposedException_and_start_nothing(
        ReactorBackend backend, Ending ending, bool connect)
    {
        var reactor = EndedReactor(backend, ending);
        var socketsBefore = Descriptors.OpenSocketInodes().Length;
        var server = new Reactor.Tests.Tcp.RecordingServerFactory();
        var client = new Reactor.Tests.Tcp.RecordingClientFactory();

        Action open = connect
            ? () => reactor.ConnectTcp("127.0.0.1", 9, client)
            : () => reactor.ListenTcp(0, server, @interface: "127.0.0.1");

        open.Should().Throw<ObjectDisposedException>().WithMessage("*has shut down*");
        server.Events.Should().BeEmpty("the factory must not start");
        client.Events.Should().BeEmpty("the factory must not start, and no attempt may begin");
        Descriptors.OpenSocketInodes().Length.Should().Be(socketsBefore, "no socket may be created");
        reactor.Dispose();
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void A_crashed_reactor_that_was_not_disposed_can_still_listen_and_run_again(ReactorBackend backend)
    {
        using var reactor = TestBackends.Create(backend);
        reactor.CallWhenRunning(reactor.Crash);
        reactor.RunWithTimeout();

        var protocol = new RecordingProtocol();
        var port = reactor.ListenUdp(0, protocol, "127.0.0.1");
        protocol.Starts.Should().Be(1);
        reactor.CallWhenRunning(reactor.Stop);
        reactor.RunWithTimeout();
        protocol.Stops.Should().Be(1, "the second run's shutdown closes the port");
        _ = port;
    }

    [LinuxTheory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void A_disposed_ReactorGroup_refuses_to_listen_in_the_same_way(ReactorBackend backend)
    {
        var group = ReactorGroup.Create(2, new ReactorOptions { Backend = backend, LoggerFactory = Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance });
        group.Dispose();
        var socketsBefore = Descriptors.OpenSocketInodes().Length;
        group.Invoking(g => g.ListenUdp(0, () => new RecordingProtocol(), "127.0.0.1")).Should().Throw<ObjectDisposedException>();
        Descriptors.OpenSocketInodes().Length.Should().Be(socketsBefore);
    }

    private static IReactor EndedReactor(ReactorBackend backend, Ending ending)
    {
        var reactor = TestBackends.Create(backend);
        switch (ending)
        {
            case Ending.StoppedAfterRun:
                reactor.CallWhenRunning(reactor.Stop);
                reactor.RunWithTimeout();
                break;
            case Ending.Disposed:
                reactor.Dispose();
                break;
            case Ending.CrashedThenDisposed:
                reactor.CallWhenRunning(reactor.Crash);
                reactor.RunWithTimeout();
                reactor.Dispose();
                break;
        }

        return reactor;
    }

    private static int FreeLoopbackPort()
    {
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)probe.LocalEndPoint!).Port;
    }
}
