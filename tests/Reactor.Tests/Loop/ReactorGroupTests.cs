using System.Net;
using System.Net.Sockets;
using Reactor.Tests.Support;

namespace Reactor.Tests.Loop;

/// <summary>Several reactors sharing one UDP port with SO_REUSEPORT.</summary>
public class ReactorGroupTests
{
    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void Reactors_share_a_port_and_each_serves_its_senders_on_its_own_thread(ReactorBackend backend)
    {
        const int Senders = 24;
        using var group = ReactorGroup.Create(2, new ReactorOptions { Backend = backend });
        var protocols = new List<ThreadRecordingEcho>();
        var ports = group.ListenUdp(0, () =>
        {
            var protocol = new ThreadRecordingEcho();
            protocols.Add(protocol);
            return protocol;
        }, "127.0.0.1");
        ports.Should().HaveCount(2);
        ports.Select(p => p.GetHost()).Distinct().Should().ContainSingle("every reactor listens on the same address");

        var runner = new Thread(group.Run) { IsBackground = true };
        runner.Start();
        try
        {
            ReactorRunner.WaitUntil(() => group.Reactors.All(r => r.Running)).Should().BeTrue();
            var clients = Enumerable.Range(0, Senders).Select(_ =>
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp) { ReceiveTimeout = 10_000 };
                socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
                return socket;
            }).ToList();
            var buffer = new byte[16];
            foreach (var client in clients)
            {
                client.SendTo("ping"u8, ports[0].GetHost());
                client.Receive(buffer).Should().Be(4);
                client.Dispose();
            }
        }
        finally
        {
            group.Stop();
            runner.Join(ReactorRunner.DefaultTimeout).Should().BeTrue();
        }

        protocols.Sum(p => p.Count).Should().Be(Senders);
        protocols.Should().AllSatisfy(p => p.Count.Should().BeGreaterThan(0, "the kernel spreads 24 senders over both sockets"));
        protocols.Select(p => p.ThreadId).Distinct().Should().HaveCount(2, "each reactor runs on its own thread");
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void Reactors_share_a_TCP_port_with_SO_REUSEPORT_and_each_serves_the_connections_it_accepted(ReactorBackend backend)
    {
        const int Clients = 24;
        using var group = ReactorGroup.Create(2, new ReactorOptions { Backend = backend });
        var factories = new List<ThreadRecordingTcpFactory>();
        var ports = group.ListenTcp(0, () =>
        {
            var factory = new ThreadRecordingTcpFactory();
            factories.Add(factory);
            return factory;
        }, @interface: "127.0.0.1");
        ports.Should().HaveCount(2);
        ports.Select(p => p.GetHost()).Distinct().Should().ContainSingle("every reactor listens on the same address");

        var runner = new Thread(group.Run) { IsBackground = true };
        runner.Start();
        try
        {
            ReactorRunner.WaitUntil(() => group.Reactors.All(r => r.Running)).Should().BeTrue();
            for (var i = 0; i < Clients; i++)
            {
                using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveTimeout = 10_000 };
                client.Connect(ports[0].GetHost());
                client.Send("ping"u8);
                var buffer = new byte[4];
                var received = 0;
                while (received < 4)
                {
                    var n = client.Receive(buffer, received, 4 - received, SocketFlags.None);
                    n.Should().BePositive();
                    received += n;
                }
            }
        }
        finally
        {
            group.Stop();
            runner.Join(ReactorRunner.DefaultTimeout).Should().BeTrue();
        }

        factories.Sum(f => f.Connections).Should().Be(Clients);
        factories.Should().AllSatisfy(f => f.Connections.Should().BeGreaterThan(0, "the kernel spreads 24 connections over both sockets"));
        factories.Select(f => f.ThreadIds.Single()).Distinct().Should().HaveCount(2, "each connection lives on the reactor that accepted it");
    }

    [Fact]
    public void ListenTcp_on_a_port_held_without_SO_REUSEPORT_fails_and_leaves_nothing_listening()
    {
        using var taken = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        taken.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        taken.Listen();
        var port = ((IPEndPoint)taken.LocalEndPoint!).Port;
        using var group = ReactorGroup.Create(2);
        var factories = new List<ThreadRecordingTcpFactory>();

        FluentActions.Invoking(() => group.ListenTcp(port, () =>
        {
            var factory = new ThreadRecordingTcpFactory();
            factories.Add(factory);
            return factory;
        }, @interface: "127.0.0.1")).Should().Throw<CannotListenException>();

        factories.Should().ContainSingle("the first socket's bind failed, so no second factory was made");
    }

    /// <summary>Echoes, and records how many connections it built and on which threads.</summary>
    private sealed class ThreadRecordingTcpFactory : Factory
    {
        public int Connections { get; private set; }

        public HashSet<int> ThreadIds { get; } = [];

        public override Protocol? BuildProtocol(EndPoint address)
        {
            Connections++;
            ThreadIds.Add(Environment.CurrentManagedThreadId);
            return new TcpEcho();
        }

        private sealed class TcpEcho : Protocol
        {
            public override void DataReceived(ReadOnlySpan<byte> data) => Transport!.Write(data);
        }
    }

    [Fact]
    public void Run_twice_at_once_is_refused_and_Stop_on_a_group_that_never_ran_is_harmless()
    {
        using var group = ReactorGroup.Create(1);
        group.Stop();
        group.Reactors.Should().ContainSingle();
    }

    private sealed class ThreadRecordingEcho : DatagramProtocol
    {
        public int Count;
        public int ThreadId;

        public override void DatagramReceived(ReadOnlySpan<byte> datagram, IPEndPoint sender)
        {
            Count++;
            ThreadId = Environment.CurrentManagedThreadId;
            Transport!.Write(datagram, sender);
        }
    }
}
