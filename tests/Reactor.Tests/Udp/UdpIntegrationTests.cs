using System.Net;
using System.Net.Sockets;
using System.Text;
using Reactor.Internal.Udp;
using Reactor.Tests.Support;

namespace Reactor.Tests.Udp;

/// <summary>
/// UDP over real loopback sockets, on every backend and both IP families: Twisted's test_udp.py (UDPTests,
/// ReactorShutdownInteractionTests) and internet/test/test_udp.py.
/// </summary>
public class UdpIntegrationTests
{
    private static byte[] Bytes(string text) => Encoding.ASCII.GetBytes(text);

    [Theory]
    [MemberData(nameof(Families.BackendsAndLoopbacks), MemberType = typeof(Families))]
    public void Start_and_stop_run_the_protocol_callbacks(ReactorBackend backend, string loopback)
    {
        var reactor = TestBackends.Create(backend);
        var protocol = new RecordingProtocol();
        reactor.CallWhenRunning(() =>
        {
            var port = reactor.ListenUdp(0, protocol, loopback);
            protocol.Starts.Should().Be(1);
            port.GetHost().Port.Should().BeGreaterThan(0);
            port.GetHost().Address.Should().Be(IPAddress.Parse(loopback));
            port.StopListening().AddCallback(_ =>
            {
                protocol.Stops.Should().Be(1);
                reactor.Stop();
            });
        });
        reactor.RunWithTimeout();
        protocol.Stops.Should().Be(1);
    }

    [Theory]
    [MemberData(nameof(Families.BackendsAndLoopbacks), MemberType = typeof(Families))]
    public void A_protocol_can_be_listened_again_after_stopping(ReactorBackend backend, string loopback)
    {
        var reactor = TestBackends.Create(backend);
        var protocol = new RecordingProtocol();
        reactor.CallWhenRunning(() => reactor.ListenUdp(0, protocol, loopback).StopListening().AddCallback(_ =>
            reactor.ListenUdp(0, protocol, loopback).StopListening().AddCallback(_ => reactor.Stop())));
        reactor.RunWithTimeout();
        protocol.Events.Should().Equal("start", "stop", "start", "stop");
    }

    [Theory]
    [MemberData(nameof(Families.BackendsAndLoopbacks), MemberType = typeof(Families))]
    public void Listening_twice_on_one_port_is_a_CannotListen(ReactorBackend backend, string loopback)
    {
        using var reactor = TestBackends.Create(backend);
        var protocol = new RecordingProtocol();
        var port = reactor.ListenUdp(0, protocol, loopback);
        port.GetHost().Should().Be(protocol.Transport!.GetHost());
        var error = reactor.Invoking(r => r.ListenUdp(port.GetHost().Port, new RecordingProtocol(), loopback))
            .Should().Throw<CannotListenException>().Which;
        error.SocketErrorCode.Should().Be(SocketError.AddressAlreadyInUse);
        error.Message.Should().Be($"Couldn't listen on {loopback}:{port.GetHost().Port}: Address already in use.");
    }

    [Theory]
    [MemberData(nameof(Families.BackendsAndLoopbacks), MemberType = typeof(Families))]
    public void A_connected_client_and_an_unconnected_server_exchange_datagrams(ReactorBackend backend, string loopback)
    {
        var reactor = TestBackends.Create(backend);
        var server = new RecordingProtocol();
        var client = new RecordingProtocol();
        reactor.CallWhenRunning(() =>
        {
            var serverPort = reactor.ListenUdp(0, server, loopback);
            var clientPort = reactor.ListenUdp(0, client, loopback);
            clientPort.Connect(loopback, serverPort.GetHost().Port);
            var connectedAddress = clientPort.GetPeer()!;
            server.OnDatagram = (p, data, sender) =>
            {
                if (p.Received.Count == 3)
                {
                    p.Transport!.Write(Bytes("hello"), sender);
                }
            };
            client.OnDatagram = (_, _, _) => reactor.Stop();
            clientPort.Write(Bytes("a"));
            clientPort.Write(Bytes("b"), null);
            clientPort.Write(Bytes("c"), connectedAddress);
        });
        reactor.RunWithTimeout();
        server.Received.Select(r => Encoding.ASCII.GetString(r.Data)).Should().Equal("a", "b", "c");
        server.Received.Select(r => r.Sender).Distinct().Should().ContainSingle();
        client.Received.Should().ContainSingle().Which.Data.Should().Equal(Bytes("hello"));
        client.Received[0].Sender.Address.Should().Be(IPAddress.Parse(loopback));
    }

    [Theory]
    [MemberData(nameof(Families.BackendsAndLoopbacks), MemberType = typeof(Families))]
    public void A_connected_port_writing_to_a_closed_port_gets_ConnectionRefused_and_stays_open(ReactorBackend backend, string loopback)
    {
        var reactor = TestBackends.Create(backend);
        var client = new RecordingProtocol();
        var closedPort = FreePort(loopback);
        IUdpTransport? clientPort = null;
        LoopingCall? writer = null;
        var openAfterRefusal = false;
        client.OnRefused = () =>
        {
            if (writer!.Running)
            {
                writer.Stop();
            }

            // The port is still open and usable after the refusal.
            var echo = reactor.ListenUdp(0, new EchoProtocol(), loopback);
            var probe = new RecordingProtocol
            {
                OnDatagram = (_, _, _) =>
                {
                    openAfterRefusal = !((UdpPort)clientPort!).IsClosed;
                    reactor.Stop();
                },
            };
            var probePort = reactor.ListenUdp(0, probe, loopback);
            probePort.Write(Bytes("probe"), echo.GetHost());
            clientPort!.Write(Bytes("after refusal"));
        };
        reactor.CallWhenRunning(() =>
        {
            clientPort = reactor.ListenUdp(0, client, loopback);
            clientPort.Connect(loopback, closedPort);
            writer = new LoopingCall(reactor, () => clientPort.Write(Bytes("anyone?")));
            writer.Start(TimeSpan.FromMilliseconds(20));
        });
        reactor.RunWithTimeout();
        client.Refusals.Should().BeGreaterThanOrEqualTo(1);
        openAfterRefusal.Should().BeTrue("D2: the port stays open after ICMP port unreachable");
    }

    [Theory]
    [MemberData(nameof(Families.BackendsAndLoopbacks), MemberType = typeof(Families))]
    public void A_server_that_wrote_to_a_dead_port_still_receives(ReactorBackend backend, string loopback)
    {
        var reactor = TestBackends.Create(backend);
        var server = new RecordingProtocol { OnDatagram = (_, _, _) => reactor.Stop() };
        reactor.CallWhenRunning(() =>
        {
            var serverPort = reactor.ListenUdp(0, server, loopback);
            serverPort.Write(Bytes("to nobody"), Families.Loopback(loopback, FreePort(loopback)));
            reactor.CallLater(TimeSpan.FromMilliseconds(50), () =>
            {
                var client = reactor.ListenUdp(0, new RecordingProtocol(), loopback);
                client.Write(Bytes("hello server"), serverPort.GetHost());
            });
        });
        reactor.RunWithTimeout();
        server.Received.Should().ContainSingle().Which.Data.Should().Equal(Bytes("hello server"));
    }

    [Theory]
    [MemberData(nameof(Families.BackendsAndLoopbacks), MemberType = typeof(Families))]
    public void A_failing_DatagramReceived_is_logged_and_the_transport_stays_usable(ReactorBackend backend, string loopback)
    {
        var logs = new TestLoggerFactory();
        var reactor = TestBackends.Create(backend, logs);
        var server = new RecordingProtocol
        {
            OnDatagram = (p, data, sender) =>
            {
                if (data[0] == (byte)'!')
                {
                    throw new InvalidOperationException("bad client");
                }

                p.Transport!.Write(Bytes("ok"), sender);
            },
        };
        var client = new RecordingProtocol { OnDatagram = (_, _, _) => reactor.Stop() };
        reactor.CallWhenRunning(() =>
        {
            var serverPort = reactor.ListenUdp(0, server, loopback);
            var clientPort = reactor.ListenUdp(0, client, loopback);
            clientPort.Write(Bytes("!1"), serverPort.GetHost());
            clientPort.Write(Bytes("!2"), serverPort.GetHost());
            clientPort.Write(Bytes("fine"), serverPort.GetHost());
        });
        reactor.RunWithTimeout();
        logs.WithEventId(204).Should().HaveCount(2);
        client.Received.Should().ContainSingle();
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void Stopping_the_port_and_the_reactor_from_DatagramReceived_does_not_hang(ReactorBackend backend)
    {
        var reactor = TestBackends.Create(backend);
        var server = new RecordingProtocol
        {
            OnDatagram = (p, _, _) =>
            {
                p.Transport?.StopListening();
                if (reactor.Running)
                {
                    reactor.Stop();
                }
            },
        };
        reactor.CallWhenRunning(() =>
        {
            var serverPort = reactor.ListenUdp(0, server, "127.0.0.1");
            var client = reactor.ListenUdp(0, new RecordingProtocol(), "127.0.0.1");
            for (var i = 0; i < 5; i++)
            {
                client.Write(Bytes($"{i}"), serverPort.GetHost());
            }
        });
        reactor.RunWithTimeout();
        server.Stops.Should().Be(1);
        server.Received.Should().NotBeEmpty();
    }

    [Theory]
    [MemberData(nameof(Families.BackendsAndLoopbacks), MemberType = typeof(Families))]
    public void WriteSequence_arrives_as_one_datagram(ReactorBackend backend, string loopback)
    {
        var reactor = TestBackends.Create(backend);
        var server = new RecordingProtocol { OnDatagram = (_, _, _) => reactor.Stop() };
        reactor.CallWhenRunning(() =>
        {
            var serverPort = reactor.ListenUdp(0, server, loopback);
            var client = reactor.ListenUdp(0, new RecordingProtocol(), loopback);
            client.WriteSequence([Bytes("some"), Bytes("bytes"), Bytes("to"), Bytes("write")], serverPort.GetHost());
        });
        reactor.RunWithTimeout();
        server.Received.Single().Data.Should().Equal(Bytes("somebytestowrite"));
    }

    [Theory]
    [MemberData(nameof(Families.BackendsAndLoopbacks), MemberType = typeof(Families))]
    public void Datagrams_of_every_size_up_to_the_UDP_limit_echo_back_whole(ReactorBackend backend, string loopback)
    {
        var reactor = TestBackends.Create(backend);
        var max = loopback == "::1" ? UdpWriteRules.MaxIPv6Datagram : UdpWriteRules.MaxIPv4Datagram;
        int[] sizes = [0, 1, 1472, 8192, 8193, 65_000, max];
        var client = new RecordingProtocol();
        client.OnDatagram = (_, _, _) =>
        {
            if (client.Received.Count == sizes.Length)
            {
                reactor.Stop();
            }
        };
        reactor.CallWhenRunning(() =>
        {
            var echo = reactor.ListenUdp(0, new EchoProtocol(), loopback, maxPacketSize: 65_535);
            var clientPort = reactor.ListenUdp(0, client, loopback, maxPacketSize: 65_535);
            foreach (var size in sizes)
            {
                var payload = new byte[size];
                new Random(size).NextBytes(payload);
                clientPort.Write(payload, echo.GetHost());
            }
        });
        reactor.RunWithTimeout();
        client.Received.Select(r => r.Data.Length).Should().BeEquivalentTo(sizes);
        foreach (var (data, _) in client.Received)
        {
            var expected = new byte[data.Length];
            new Random(data.Length).NextBytes(expected);
            data.Should().Equal(expected);
        }
    }

    [Theory]
    [MemberData(nameof(Families.BackendsAndLoopbacks), MemberType = typeof(Families))]
    public void A_datagram_longer_than_maxPacketSize_is_dropped_and_counted_not_truncated(ReactorBackend backend, string loopback)
    {
        var logs = new TestLoggerFactory();
        var reactor = TestBackends.Create(backend, logs);
        var server = new RecordingProtocol { OnDatagram = (_, _, _) => reactor.Stop() };
        UdpPort? serverPort = null;
        reactor.CallWhenRunning(() =>
        {
            serverPort = (UdpPort)reactor.ListenUdp(0, server, loopback, maxPacketSize: 100);
            var client = reactor.ListenUdp(0, new RecordingProtocol(), loopback);
            client.Write(new byte[101], serverPort.GetHost());
            client.Write(new byte[10_000], serverPort.GetHost());
            client.Write(new byte[100], serverPort.GetHost());
        });
        reactor.RunWithTimeout();
        server.Received.Should().ContainSingle().Which.Data.Length.Should().Be(100);
        serverPort!.Counters.DroppedTruncated.Should().Be(2);
        logs.WithEventId(205).Should().NotBeEmpty();
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void A_dual_stack_port_receives_IPv4_senders_as_mapped_addresses(ReactorBackend backend)
    {
        var reactor = TestBackends.Create(backend);
        var server = new RecordingProtocol { OnDatagram = (_, _, _) => reactor.Stop() };
        reactor.CallWhenRunning(() =>
        {
            var serverPort = reactor.ListenUdp(0, server, "::");
            var client = reactor.ListenUdp(0, new RecordingProtocol(), "127.0.0.1");
            client.Write(Bytes("v4"), new IPEndPoint(IPAddress.Loopback, serverPort.GetHost().Port));
        });
        reactor.RunWithTimeout();
        server.Received.Single().Sender.Address.Should().Be(IPAddress.Parse("::ffff:127.0.0.1"));
    }

    [Theory]
    [MemberData(nameof(Families.BackendsAndLoopbacks), MemberType = typeof(Families))]
    public void The_same_peer_is_handed_over_as_the_same_endpoint_instance(ReactorBackend backend, string loopback)
    {
        var reactor = TestBackends.Create(backend);
        var server = new RecordingProtocol();
        server.OnDatagram = (_, _, _) =>
        {
            if (server.Received.Count == 20)
            {
                reactor.Stop();
            }
        };
        reactor.CallWhenRunning(() =>
        {
            var serverPort = reactor.ListenUdp(0, server, loopback);
            var client = reactor.ListenUdp(0, new RecordingProtocol(), loopback);
            for (var i = 0; i < 20; i++)
            {
                client.Write(Bytes("x"), serverPort.GetHost());
            }
        });
        reactor.RunWithTimeout();
        server.Received.Select(r => r.Sender).Distinct(ReferenceEqualityComparer.Instance).Should().ContainSingle();
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void BroadcastAllowed_round_trips(ReactorBackend backend)
    {
        using var reactor = TestBackends.Create(backend);
        var port = reactor.ListenUdp(0, new RecordingProtocol(), "127.0.0.1");
        port.BroadcastAllowed.Should().BeFalse();
        port.BroadcastAllowed = true;
        port.BroadcastAllowed.Should().BeTrue();
    }

    [Theory]
    [MemberData(nameof(Families.BackendsAndLoopbacks), MemberType = typeof(Families))]
    public void Reactor_shutdown_closes_real_ports(ReactorBackend backend, string loopback)
    {
        var reactor = TestBackends.Create(backend);
        var protocol = new RecordingProtocol();
        var port = 0;
        string? socketInode = null;
        reactor.CallWhenRunning(() =>
        {
            var transport = reactor.ListenUdp(0, protocol, loopback);
            port = transport.GetHost().Port;
            socketInode = SocketInode(((UdpPort)transport).Socket);
            if (socketInode is not null)
            {
                Descriptors.OpenSocketInodes().Should().Contain(socketInode, "the check below can see a socket that is still open");
            }

            reactor.Stop();
        });
        reactor.RunWithTimeout();
        protocol.Stops.Should().Be(1);

        if (socketInode is not null)
        {
            // The kernel socket itself is gone from the process (no descriptor refers to it any more). This, rather than
            // binding the port number again, is exact: a test running in parallel may take the freed ephemeral port.
            Descriptors.OpenSocketInodes().Should().NotContain(socketInode);
        }
        else
        {
            using var again = new Socket(IPAddress.Parse(loopback).AddressFamily, SocketType.Dgram, ProtocolType.Udp);
            again.Invoking(s => s.Bind(Families.Loopback(loopback, port))).Should().NotThrow();
        }
    }

    /// <summary>"socket:[inode]" for the backend socket's descriptor, where /proc/self/fd exists (Linux).</summary>
    private static string? SocketInode(Reactor.Internal.Udp.IDatagramSocket socket)
    {
        var fd = socket switch
        {
            Reactor.Internal.Backends.Epoll.EpollDatagramSocket epoll => epoll.FileDescriptor,
            Reactor.Internal.Backends.Portable.PortableDatagramSocket portable => (int)portable.Socket.Handle,
            _ => -1,
        };
        return fd >= 0 && Directory.Exists("/proc/self/fd") ? Descriptors.LinkTarget($"/proc/self/fd/{fd}") : null;
    }

    [Theory]
    [MemberData(nameof(Families.BackendsAndLoopbacks), MemberType = typeof(Families))]
    public void Ten_thousand_datagrams_all_arrive_in_order_from_a_plain_socket(ReactorBackend backend, string loopback)
    {
        const int Count = 10_000;
        var reactor = TestBackends.Create(backend, null);
        var received = new List<int>(Count);
        var server = new CountingProtocol(received, Count, reactor.Stop);
        reactor.CallWhenRunning(() =>
        {
            var serverPort = reactor.ListenUdp(0, server, loopback);
            reactor.CallInThread(() =>
            {
                using var sender = new Socket(serverPort.GetHost().AddressFamily, SocketType.Dgram, ProtocolType.Udp);
                var buffer = new byte[4];
                for (var i = 0; i < Count; i++)
                {
                    BitConverter.TryWriteBytes(buffer, i);
                    sender.SendTo(buffer, serverPort.GetHost());
                    if (i % 32 == 31)
                    {
                        // Keep at most ~64 datagrams in flight: loopback UDP drops when the receive buffer overflows.
                        SpinWait.SpinUntil(() => Volatile.Read(ref server.Count) > i - 64, 5000);
                    }
                }
            });
        });
        reactor.RunWithTimeout(TimeSpan.FromSeconds(30));
        received.Should().HaveCount(Count).And.BeInAscendingOrder();
    }

    /// <summary>A port number on <paramref name="loopback"/> that nothing listens on.</summary>
    private static int FreePort(string loopback)
    {
        using var probe = new Socket(IPAddress.Parse(loopback).AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        probe.Bind(Families.Loopback(loopback, 0));
        return ((IPEndPoint)probe.LocalEndPoint!).Port;
    }

    private sealed class EchoProtocol : DatagramProtocol
    {
        public override void DatagramReceived(ReadOnlySpan<byte> datagram, IPEndPoint sender) => Transport!.Write(datagram, sender);
    }

    private sealed class CountingProtocol(List<int> received, int expected, Action done) : DatagramProtocol
    {
        public int Count;

        public override void DatagramReceived(ReadOnlySpan<byte> datagram, IPEndPoint sender)
        {
            received.Add(BitConverter.ToInt32(datagram));
            if (Interlocked.Increment(ref Count) == expected)
            {
                done();
            }
        }
    }
}
