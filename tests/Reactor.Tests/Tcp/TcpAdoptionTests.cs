using System.Net;
using System.Net.Sockets;
using Reactor.Endpoints;
using Reactor.Tests.Endpoints;
using Reactor.Tests.Support;

namespace Reactor.Tests.Tcp;

/// <summary>
/// Adopted TCP sockets (Twisted's <c>IReactorSocket</c>: TCPFDPortTestsBuilder, AdoptedStreamServerEndpoint tests,
/// twisted-tcp.md §9 A and L): a listening descriptor serves as a port, a connected one as a connection; the reactor
/// works on a duplicate, so the caller's descriptor is its own; a descriptor of the wrong kind is refused.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public class TcpAdoptionTests
{
    private static Socket Listener(string loopback = "127.0.0.1")
    {
        var listener = new Socket(IPAddress.Parse(loopback).AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(Families.Loopback(loopback, 0));
        listener.Listen(10);
        return listener;
    }

    [LinuxTheory]
    [MemberData(nameof(TcpTestKit.BackendsAndLoopbacks), MemberType = typeof(TcpTestKit))]
    public void An_adopted_listening_socket_serves_connections_and_outlives_the_caller_s_descriptor(ReactorBackend backend, string loopback)
    {
        using var reactor = TestBackends.Create(backend);
        var listener = Listener(loopback);
        var address = (IPEndPoint)listener.LocalEndPoint!;
        var factory = new RecordingServerFactory { Configure = p => p.OnData = (q, data) => q.Transport!.Write(data) };

        var port = reactor.AdoptStreamPort((int)listener.Handle, address.AddressFamily, factory);
        listener.Dispose(); // the caller closes its descriptor; the reactor has its own

        port.Should().BeAssignableTo<ITcpPort>().Which.GetHost().Should().Be(address);
        factory.Events.Should().Equal("startFactory");
        using var client = TcpTestKit.RawClient(address);
        client.Send("adopted"u8);
        client.Shutdown(SocketShutdown.Send);
        var echoed = Task.Run(() => TcpTestKit.ReadToEnd(client));
        reactor.RunUntil(() => echoed.IsCompleted);
        echoed.Result.Should().Equal("adopted"u8.ToArray());
    }

    [LinuxTheory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void An_adopted_connection_gets_a_protocol_from_the_factory_for_its_peer(ReactorBackend backend)
    {
        using var reactor = TestBackends.Create(backend);
        using var listener = Listener();
        using var client = TcpTestKit.RawClient((IPEndPoint)listener.LocalEndPoint!);
        using var accepted = listener.Accept();
        var factory = new RecordingServerFactory();

        reactor.AdoptStreamConnection((int)accepted.Handle, AddressFamily.InterNetwork, factory);
        accepted.Dispose();

        var protocol = factory.Protocols.Should().ContainSingle().Subject;
        factory.Peers.Should().Equal(client.LocalEndPoint!);
        factory.Events.Should().BeEmpty("the factory is not started, as in Twisted");
        protocol.Tcp.GetPeer().Should().Be(client.LocalEndPoint);
        protocol.Tcp.NoDelay.Should().BeTrue("D31 applies to adopted connections too");
        client.Send("to the adopted side"u8);
        reactor.RunUntil(() => protocol.Received.Length == 19);
        protocol.Transport!.LoseConnection();
        reactor.RunUntil(() => protocol.Losses == 1);
    }

    [LinuxTheory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void A_descriptor_of_the_wrong_kind_is_refused_before_anything_starts(ReactorBackend backend)
    {
        using var reactor = TestBackends.Create(backend);
        using var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        udp.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        using var unlistened = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        using var listener = Listener();
        var factory = new RecordingServerFactory();

        reactor.Invoking(r => r.AdoptStreamPort((int)udp.Handle, AddressFamily.InterNetwork, factory))
            .Should().Throw<ArgumentException>().WithMessage("*is a IPv4 datagram socket, not the IPv4 stream socket asked for*");
        reactor.Invoking(r => r.AdoptStreamPort((int)unlistened.Handle, AddressFamily.InterNetwork, factory))
            .Should().Throw<ArgumentException>().WithMessage("*is not listening*");
        reactor.Invoking(r => r.AdoptStreamPort((int)listener.Handle, AddressFamily.InterNetworkV6, factory))
            .Should().Throw<ArgumentException>().WithMessage("*IPv4 stream socket, not the IPv6 stream socket*");
        reactor.Invoking(r => r.AdoptStreamConnection((int)listener.Handle, AddressFamily.InterNetwork, factory))
            .Should().Throw<ArgumentException>().WithMessage("*listening socket, not a connection*");
        reactor.Invoking(r => r.AdoptStreamPort(9999, AddressFamily.InterNetwork, factory))
            .Should().Throw<ArgumentException>().WithMessage("*not a socket this process can adopt*");
        reactor.Invoking(r => r.AdoptStreamPort((int)listener.Handle, AddressFamily.AppleTalk, factory)).Should().Throw<ArgumentException>();
        factory.Events.Should().BeEmpty();
    }

    [LinuxTheory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void AdoptedStreamServerEndpoint_adopts_once_then_closes_the_descriptor(ReactorBackend backend)
    {
        // Twisted's AdoptedStreamServerEndpoint tests: single use (AlreadyListened), the descriptor closed after adopting.
        using var reactor = TestBackends.Create(backend);
        using var listener = Listener();
        var address = listener.LocalEndPoint;

        // The endpoint closes the descriptor it is given: give it a duplicate, so the .NET socket keeps its own.
        var descriptor = Reactor.Internal.Linux.Interop.fcntl((int)listener.Handle, Reactor.Internal.Linux.Interop.F_DUPFD_CLOEXEC, 0);
        var endpoint = new AdoptedStreamServerEndpoint(reactor, descriptor, AddressFamily.InterNetwork);
        var socketBefore = Target(descriptor);

        var port = EndpointTestKit.ResultOf(endpoint.Listen(new RecordingServerFactory()));
        var again = endpoint.Listen(new RecordingServerFactory());

        // Closed: the number no longer names that socket (another test may have reused the number since).
        socketBefore.Should().StartWith("socket:");
        Target(descriptor).Should().NotBe(socketBefore, "the endpoint closed the descriptor once adopted");
        ((IPEndPoint)port.GetHost()).Should().Be(address);
        EndpointTestKit.FailureOf(again).Should().BeOfType<InvalidOperationException>().Which.Message.Should().Contain("adopted once");
    }

    /// <summary>What a descriptor of this process names (<c>socket:[inode]</c>), or <c>null</c> when it is closed.</summary>
    private static string? Target(int descriptor) => new FileInfo($"/proc/self/fd/{descriptor}").LinkTarget;
}
