using System.Net;
using System.Net.NetworkInformation;
using System.Text;
using Reactor.Testing;
using Reactor.Tests.Support;

namespace Reactor.Tests.Udp;

/// <summary>
/// Multicast over real sockets, joined and sent on loopback (127.0.0.1 / <c>lo</c>) or, for IPv6, on a veth pair: Twisted's
/// <c>MulticastTests</c> (test_udp.py) plus what decision D11 adds. Each body runs inside a private network namespace
/// when the machine allows it, so group traffic cannot leave the machine whatever happens; otherwise IPv4 bodies run on
/// 127.0.0.1 in the host's namespace (with the outgoing interface set explicitly) and IPv6 ones are skipped.
/// </summary>
public class MulticastTests
{
    private const string Group = "225.0.0.250";

    private static byte[] Bytes(string text) => Encoding.ASCII.GetBytes(text);

    private static string Text(byte[] data) => Encoding.ASCII.GetString(data);

    /// <summary>Runs an IPv4 body isolated when possible.</summary>
    private static void OnLoopback(Action body)
    {
        if (PrivateNetwork.UnavailableReason is null)
        {
            PrivateNetwork.Run(body);
        }
        else
        {
            body();
        }
    }

    private static int LoopbackIndex() =>
        NetworkInterface.GetAllNetworkInterfaces().Single(n => n.Name == "lo").GetIPProperties().GetIPv4Properties().Index;

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void Ttl_defaults_to_1_and_can_be_changed_within_0_to_255(ReactorBackend backend) => OnLoopback(() =>
    {
        using var reactor = TestBackends.Create(backend);
        var port = reactor.ListenMulticast(0, new RecordingProtocol());
        port.Ttl.Should().Be(1);
        port.Ttl = 2;
        port.Ttl.Should().Be(2);
        port.Invoking(p => p.Ttl = 256).Should().Throw<ArgumentOutOfRangeException>();
        port.Invoking(p => p.Ttl = -1).Should().Throw<ArgumentOutOfRangeException>();
    });

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void The_outgoing_interface_defaults_to_any_and_a_literal_sets_it_at_once(ReactorBackend backend) => OnLoopback(() =>
    {
        using var reactor = TestBackends.Create(backend);
        var port = reactor.ListenMulticast(0, new RecordingProtocol());
        port.OutgoingInterface.Should().Be("0.0.0.0");
        var set = port.SetOutgoingInterface("127.0.0.1");
        set.Called.Should().BeTrue("a literal gives an already-fired Deferred");
        port.OutgoingInterface.Should().Be("127.0.0.1");
    });

    [PrivateNetworkTheory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void Loopback_mode_delivers_a_ports_own_group_datagrams_until_turned_off(ReactorBackend backend) => PrivateNetwork.Run(() =>
    {
        // On a real link (the veth v0), not lo: over lo every datagram comes back in whatever the loopback mode.
        var reactor = TestBackends.Create(backend);
        var server = new RecordingProtocol();
        reactor.CallWhenRunning(() =>
        {
            var port = reactor.ListenMulticast(0, server);
            port.LoopbackMode.Should().BeTrue();
            port.JoinGroup(Group, PrivateNetwork.IPv4Address);
            port.SetOutgoingInterface(PrivateNetwork.IPv4Address);
            var group = new IPEndPoint(IPAddress.Parse(Group), port.GetHost().Port);
            server.OnDatagram = (_, data, _) =>
            {
                switch (Text(data))
                {
                    case "looped":
                        port.LoopbackMode = false;
                        port.LoopbackMode.Should().BeFalse();
                        port.Write(Bytes("not looped"), group);
                        var fence = reactor.ListenUdp(0, new RecordingProtocol(), "127.0.0.1");
                        fence.Write(Bytes("fence"), new IPEndPoint(IPAddress.Loopback, port.GetHost().Port));
                        break;
                    case "fence":
                        reactor.Stop();
                        break;
                }
            };
            port.Write(Bytes("looped"), group);
        });
        reactor.RunWithTimeout();
        server.Received.Select(r => Text(r.Data)).Should().Equal("looped", "fence");
    });

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void Join_leave_join_leave_all_succeed_on_two_ports(ReactorBackend backend) => OnLoopback(() =>
    {
        using var reactor = TestBackends.Create(backend);
        foreach (var port in new[] { reactor.ListenMulticast(0, new RecordingProtocol()), reactor.ListenMulticast(0, new RecordingProtocol()) })
        {
            // An explicit interface: joining "any" on a host without a private namespace would send IGMP out of eth0.
            foreach (var step in new[] { port.JoinGroup(Group, "127.0.0.1"), port.LeaveGroup(Group, "127.0.0.1"), port.JoinGroup(Group, "127.0.0.1"), port.LeaveGroup(Group, "127.0.0.1") })
            {
                step.Called.Should().BeTrue();
                step.Invoking(d => d.AsTask().GetAwaiter().GetResult()).Should().NotThrow();
            }
        }
    });

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void Joining_a_unicast_address_fails_with_MulticastJoin(ReactorBackend backend) => OnLoopback(() =>
    {
        using var reactor = TestBackends.Create(backend);
        var port = reactor.ListenMulticast(0, new RecordingProtocol());
        var join = port.JoinGroup("127.0.0.1");
        join.Called.Should().BeTrue();
        var error = join.Invoking(d => d.AsTask().GetAwaiter().GetResult()).Should().Throw<MulticastJoinException>().Which;
        error.Group.Should().Be("127.0.0.1");
        error.Interface.Should().Be("");
        error.SocketErrorCode.Should().Be(System.Net.Sockets.SocketError.InvalidArgument);
        error.Message.Should().Be("Couldn't join multicast group 127.0.0.1 on interface any: not a multicast address.");
    });

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void Joining_twice_and_leaving_a_group_never_joined_fail_with_the_OS_error(ReactorBackend backend) => OnLoopback(() =>
    {
        using var reactor = TestBackends.Create(backend);
        var port = reactor.ListenMulticast(0, new RecordingProtocol());
        port.JoinGroup(Group, "127.0.0.1").AsTask().IsCompletedSuccessfully.Should().BeTrue();
        port.Invoking(p => p.JoinGroup(Group, "127.0.0.1").AsTask().GetAwaiter().GetResult())
            .Should().Throw<MulticastJoinException>().Which.SocketErrorCode.Should().Be(System.Net.Sockets.SocketError.AddressAlreadyInUse);
        port.Invoking(p => p.LeaveGroup("225.0.0.251", "127.0.0.1").AsTask().GetAwaiter().GetResult())
            .Should().Throw<MulticastJoinException>().Which.SocketErrorCode.Should().Be(System.Net.Sockets.SocketError.AddressNotAvailable);
    });

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void A_datagram_to_the_group_reaches_the_joined_server(ReactorBackend backend) => OnLoopback(() =>
    {
        var reactor = TestBackends.Create(backend);
        var server = new RecordingProtocol { OnDatagram = (_, _, _) => reactor.Stop() };
        reactor.CallWhenRunning(() =>
        {
            var serverPort = reactor.ListenMulticast(0, server);
            var client = reactor.ListenMulticast(0, new RecordingProtocol());
            client.Connect("127.0.0.1", serverPort.GetHost().Port);
            serverPort.JoinGroup(Group, "127.0.0.1");
            var sender = reactor.ListenMulticast(0, new RecordingProtocol());
            sender.SetOutgoingInterface("127.0.0.1");
            sender.Write(Bytes("hello world"), new IPEndPoint(IPAddress.Parse(Group), serverPort.GetHost().Port));
        });
        reactor.RunWithTimeout();
        server.Received.Single().Data.Should().Equal(Bytes("hello world"));
        server.Received.Single().Sender.Address.Should().Be(IPAddress.Loopback);
    });

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void Two_ports_sharing_a_number_with_listenMultiple_both_receive_one_group_datagram(ReactorBackend backend) => OnLoopback(() =>
    {
        var reactor = TestBackends.Create(backend);
        var first = new RecordingProtocol();
        var second = new RecordingProtocol();
        void StopWhenBoth(RecordingProtocol p, byte[] d, IPEndPoint s)
        {
            if (first.Received.Count == 1 && second.Received.Count == 1)
            {
                reactor.Stop();
            }
        }

        first.OnDatagram = StopWhenBoth;
        second.OnDatagram = StopWhenBoth;
        reactor.CallWhenRunning(() =>
        {
            var a = reactor.ListenMulticast(0, first, listenMultiple: true);
            var b = reactor.ListenMulticast(a.GetHost().Port, second, listenMultiple: true);
            a.JoinGroup(Group, "127.0.0.1");
            b.JoinGroup(Group, "127.0.0.1");
            var sender = reactor.ListenMulticast(0, new RecordingProtocol());
            sender.SetOutgoingInterface("127.0.0.1");
            sender.Write(Bytes("to both"), new IPEndPoint(IPAddress.Parse(Group), a.GetHost().Port));
        });
        reactor.RunWithTimeout();
        first.Received.Single().Data.Should().Equal(Bytes("to both"));
        second.Received.Single().Data.Should().Equal(Bytes("to both"));
    });

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void Without_listenMultiple_a_second_port_on_the_same_number_is_a_CannotListen(ReactorBackend backend) => OnLoopback(() =>
    {
        using var reactor = TestBackends.Create(backend);
        var port = reactor.ListenMulticast(0, new RecordingProtocol());
        reactor.Invoking(r => r.ListenMulticast(port.GetHost().Port, new RecordingProtocol())).Should().Throw<CannotListenException>();
    });

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void A_wildcard_port_receives_only_the_groups_it_joined(ReactorBackend backend) => OnLoopback(() =>
    {
        var reactor = TestBackends.Create(backend);
        var first = new RecordingProtocol();
        var second = new RecordingProtocol();
        IMulticastTransport? sender = null;
        IPEndPoint? groupOne = null;
        IPEndPoint? groupTwo = null;
        void Progress(RecordingProtocol p, byte[] d, IPEndPoint s)
        {
            var seen = first.Received.Count + second.Received.Count;
            if (seen == 2 && Text(first.Received[^1].Data) == "one" && Text(second.Received[^1].Data) == "two")
            {
                sender!.Write(Bytes("three"), groupOne!);
                sender.Write(Bytes("four"), groupTwo!);
            }
            else if (first.Received.Any(r => Text(r.Data) == "three") && second.Received.Any(r => Text(r.Data) == "four"))
            {
                reactor.Stop();
            }
        }

        first.OnDatagram = Progress;
        second.OnDatagram = Progress;
        reactor.CallWhenRunning(() =>
        {
            var a = reactor.ListenMulticast(0, first, listenMultiple: true);
            var b = reactor.ListenMulticast(a.GetHost().Port, second, listenMultiple: true);
            a.JoinGroup("225.0.0.1", "127.0.0.1");
            b.JoinGroup("225.0.0.2", "127.0.0.1");
            groupOne = new IPEndPoint(IPAddress.Parse("225.0.0.1"), a.GetHost().Port);
            groupTwo = new IPEndPoint(IPAddress.Parse("225.0.0.2"), a.GetHost().Port);
            sender = reactor.ListenMulticast(0, new RecordingProtocol());
            sender.SetOutgoingInterface("127.0.0.1");
            sender.Write(Bytes("one"), groupOne);
            sender.Write(Bytes("two"), groupTwo);
        });
        reactor.RunWithTimeout();
        first.Received.Select(r => Text(r.Data)).Should().Equal("one", "three");
        second.Received.Select(r => Text(r.Data)).Should().Equal("two", "four");
    });

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void The_interface_can_be_named_by_address_name_or_index(ReactorBackend backend) => OnLoopback(() =>
    {
        using var reactor = TestBackends.Create(backend);
        var port = reactor.ListenMulticast(0, new RecordingProtocol());
        var index = LoopbackIndex().ToString(System.Globalization.CultureInfo.InvariantCulture);
        foreach (var @interface in new[] { "127.0.0.1", "lo", index })
        {
            port.JoinGroup(Group, @interface).AsTask().IsCompletedSuccessfully.Should().BeTrue($"joining on '{@interface}'");
            port.LeaveGroup(Group, @interface).AsTask().IsCompletedSuccessfully.Should().BeTrue($"leaving on '{@interface}'");
            port.SetOutgoingInterface(@interface).AsTask().IsCompletedSuccessfully.Should().BeTrue();
        }

        port.OutgoingInterface.Should().Be(index);
    });

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void An_interface_that_does_not_exist_is_a_clear_failure_and_never_a_DNS_lookup(ReactorBackend backend) => OnLoopback(() =>
    {
        using var reactor = TestBackends.Create(backend);
        var resolver = new FakeResolver();
        reactor.InstallResolver(resolver);
        var port = reactor.ListenMulticast(0, new RecordingProtocol());
        port.Invoking(p => p.JoinGroup(Group, "nosuchif0").AsTask().GetAwaiter().GetResult())
            .Should().Throw<MulticastJoinException>().WithMessage("*nosuchif0*no such network interface*");
        port.Invoking(p => p.SetOutgoingInterface("nosuchif0").AsTask().GetAwaiter().GetResult())
            .Should().Throw<InvalidAddressException>();
        resolver.Lookups.Should().BeEmpty();
    });

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void Hostnames_are_resolved_before_joining(ReactorBackend backend) => OnLoopback(() =>
    {
        using var reactor = TestBackends.Create(backend);
        var resolver = new FakeResolver { HoldLookups = true };
        resolver.Add("group.example.test", IPAddress.Parse(Group));
        reactor.InstallResolver(resolver);
        var port = reactor.ListenMulticast(0, new RecordingProtocol());
        var join = port.JoinGroup("group.example.test", "127.0.0.1");
        join.Called.Should().BeFalse("the name is still being resolved");
        resolver.Complete("group.example.test");
        join.Called.Should().BeTrue();
        join.AsTask().IsCompletedSuccessfully.Should().BeTrue();
        port.Invoking(p => p.JoinGroup(Group, "127.0.0.1").AsTask().GetAwaiter().GetResult())
            .Should().Throw<MulticastJoinException>("the resolved group was really joined");
    });

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void A_source_specific_join_accepts_its_source_only(ReactorBackend backend) => OnLoopback(() =>
    {
        var reactor = TestBackends.Create(backend);
        var server = new RecordingProtocol();
        server.OnDatagram = (_, data, _) =>
        {
            if (Text(data) == "fence")
            {
                reactor.Stop();
            }
        };
        reactor.CallWhenRunning(() =>
        {
            var port = reactor.ListenMulticast(0, server);
            port.JoinSourceGroup("232.1.2.3", "127.0.0.1", "127.0.0.1").AsTask().IsCompletedSuccessfully.Should().BeTrue();
            var group = new IPEndPoint(IPAddress.Parse("232.1.2.3"), port.GetHost().Port);
            var stranger = reactor.ListenMulticast(0, new RecordingProtocol(), "127.0.0.2");
            stranger.SetOutgoingInterface("127.0.0.1");
            var trusted = reactor.ListenMulticast(0, new RecordingProtocol(), "127.0.0.1");
            trusted.SetOutgoingInterface("127.0.0.1");
            stranger.Write(Bytes("from a stranger"), group);
            trusted.Write(Bytes("from the source"), group);
            trusted.Write(Bytes("fence"), group);
        });
        reactor.RunWithTimeout();
        server.Received.Select(r => Text(r.Data)).Should().Equal("from the source", "fence");
    });

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void Families_must_match_and_closed_ports_refuse(ReactorBackend backend) => OnLoopback(() =>
    {
        using var reactor = TestBackends.Create(backend);
        var v4 = reactor.ListenMulticast(0, new RecordingProtocol());
        v4.Invoking(p => p.JoinGroup("ff05::1:3").AsTask().GetAwaiter().GetResult())
            .Should().Throw<MulticastJoinException>().Which.SocketErrorCode.Should().Be(System.Net.Sockets.SocketError.AddressFamilyNotSupported);
        v4.StopListening();
        reactor.Iterate(TimeSpan.Zero);
        reactor.Iterate(TimeSpan.Zero);
        v4.Invoking(p => p.JoinGroup(Group)).Should().Throw<InvalidOperationException>();
        v4.Invoking(p => p.Ttl).Should().Throw<InvalidOperationException>();
    });

    [PrivateNetworkTheory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void IPv6_groups_work_joined_by_interface_name_or_index(ReactorBackend backend) => PrivateNetwork.Run(() =>
    {
        var reactor = TestBackends.Create(backend);
        var index = NetworkInterface.GetAllNetworkInterfaces().Single(n => n.Name == PrivateNetwork.IPv6Interface).GetIPProperties().GetIPv6Properties().Index;
        var byName = new RecordingProtocol();
        var byIndex = new RecordingProtocol();
        void StopWhenBoth(RecordingProtocol p, byte[] d, IPEndPoint s)
        {
            if (byName.Received.Count == 1 && byIndex.Received.Count == 1)
            {
                reactor.Stop();
            }
        }

        byName.OnDatagram = StopWhenBoth;
        byIndex.OnDatagram = StopWhenBoth;
        reactor.CallWhenRunning(() =>
        {
            var a = reactor.ListenMulticast(0, byName, "::", listenMultiple: true);
            var b = reactor.ListenMulticast(a.GetHost().Port, byIndex, "::", listenMultiple: true);
            a.JoinGroup("ff05::1:3", PrivateNetwork.IPv6Interface).AsTask().IsCompletedSuccessfully.Should().BeTrue();
            b.JoinGroup("ff05::1:3", index.ToString(System.Globalization.CultureInfo.InvariantCulture)).AsTask().IsCompletedSuccessfully.Should().BeTrue();
            var sender = reactor.ListenMulticast(0, new RecordingProtocol(), "::");
            sender.Ttl.Should().Be(1);
            sender.SetOutgoingInterface(PrivateNetwork.IPv6Interface).AsTask().IsCompletedSuccessfully.Should().BeTrue();
            sender.Write(Bytes("hello v6"), new IPEndPoint(IPAddress.Parse("ff05::1:3"), a.GetHost().Port));
        });
        reactor.RunWithTimeout();
        byName.Received.Single().Data.Should().Equal(Bytes("hello v6"));
        byIndex.Received.Single().Data.Should().Equal(Bytes("hello v6"));
    });

    [PrivateNetworkTheory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void An_IPv6_source_specific_join_accepts_its_source_only(ReactorBackend backend) => PrivateNetwork.Run(() =>
    {
        var reactor = TestBackends.Create(backend);
        var server = new RecordingProtocol();
        server.OnDatagram = (_, data, _) =>
        {
            if (Text(data) == "fence")
            {
                reactor.Stop();
            }
        };
        reactor.CallWhenRunning(() =>
        {
            var port = reactor.ListenMulticast(0, server, "::");
            port.JoinSourceGroup("ff35::1:3", PrivateNetwork.IPv6Address, PrivateNetwork.IPv6Interface).AsTask().IsCompletedSuccessfully.Should().BeTrue();
            var group = new IPEndPoint(IPAddress.Parse("ff35::1:3"), port.GetHost().Port);
            var stranger = reactor.ListenMulticast(0, new RecordingProtocol(), PrivateNetwork.OtherIPv6Address);
            stranger.SetOutgoingInterface(PrivateNetwork.IPv6Interface);
            var trusted = reactor.ListenMulticast(0, new RecordingProtocol(), PrivateNetwork.IPv6Address);
            trusted.SetOutgoingInterface(PrivateNetwork.IPv6Interface);
            stranger.Write(Bytes("from a stranger"), group);
            trusted.Write(Bytes("from the source"), group);
            trusted.Write(Bytes("fence"), group);
        });
        reactor.RunWithTimeout();
        server.Received.Select(r => Text(r.Data)).Should().Equal("from the source", "fence");
        server.Received[0].Sender.Address.Should().Be(IPAddress.Parse(PrivateNetwork.IPv6Address));
    });
}
