using System.Net.Sockets;
using System.Text;
using Reactor.Tests.Support;
using Reactor.Tests.Tcp;

namespace Reactor.Tests.Unix;

/// <summary>Records what a <see cref="UnixDatagramProtocol"/> is told.</summary>
public sealed class RecordingUnixDatagramProtocol : UnixDatagramProtocol
{
    public List<(string Text, string? Sender)> Received { get; } = [];

    public List<string> Events { get; } = [];

    public Action<RecordingUnixDatagramProtocol, string, UnixDomainSocketEndPoint?>? OnDatagram { get; set; }

    public override void StartProtocol() => Events.Add("start");

    public override void StopProtocol() => Events.Add("stop");

    public override void ConnectionRefused() => Events.Add("refused");

    public override void DatagramReceived(ReadOnlySpan<byte> datagram, UnixDomainSocketEndPoint? sender)
    {
        var text = Encoding.UTF8.GetString(datagram);
        Received.Add((text, sender?.ToString()));
        OnDatagram?.Invoke(this, text, sender);
    }
}

/// <summary>
/// UNIX datagram sockets (Twisted's <c>IReactorUNIXDatagram</c>, twisted-tcp.md §7; decision D67): listening and
/// connected ports, abstract names, unbound senders, the socket file's mode and stale file rule (D64), D7's drop of a
/// datagram past maxPacketSize, on every backend.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public class UnixDatagramTests
{
    [LinuxTheory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void Two_listening_ports_exchange_datagrams_and_see_each_other_s_paths(ReactorBackend backend)
    {
        using var directory = new SocketDirectory();
        using var reactor = TestBackends.Create(backend);
        var a = new RecordingUnixDatagramProtocol();
        var b = new RecordingUnixDatagramProtocol { OnDatagram = (p, text, sender) => p.Transport!.Write(Encoding.UTF8.GetBytes("re: " + text), sender!) };
        var portA = reactor.ListenUnixDatagram(directory.Socket("a.sock"), a);
        reactor.ListenUnixDatagram(directory.Socket("b.sock"), b);

        portA.GetHost().ToString().Should().Be(directory.Socket("a.sock"));
        portA.GetPeer().Should().BeNull();
        portA.Write("one"u8, directory.Socket("b.sock"));
        portA.Write("two"u8, directory.Socket("b.sock"));
        reactor.RunUntil(() => a.Received.Count == 2);

        b.Received.Should().Equal(("one", directory.Socket("a.sock")), ("two", directory.Socket("a.sock")));
        a.Received.Should().Equal(("re: one", directory.Socket("b.sock")), ("re: two", directory.Socket("b.sock")));
        a.Events.Should().Equal("start");
    }

    [LinuxTheory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void An_unbound_connected_client_sends_and_gets_no_reply_address_but_a_bound_one_is_answered(ReactorBackend backend)
    {
        using var directory = new SocketDirectory();
        using var reactor = TestBackends.Create(backend);
        var server = new RecordingUnixDatagramProtocol
        {
            OnDatagram = (p, text, sender) =>
            {
                if (sender is not null)
                {
                    p.Transport!.Write(Encoding.UTF8.GetBytes("re: " + text), sender);
                }
            },
        };
        var path = directory.Socket("server.sock");
        reactor.ListenUnixDatagram(path, server);
        var unbound = new RecordingUnixDatagramProtocol();
        var bound = new RecordingUnixDatagramProtocol();

        var unboundPort = reactor.ConnectUnixDatagram(path, unbound);
        var boundPort = reactor.ConnectUnixDatagram(path, bound, bindAddress: directory.Socket("client.sock"));
        unboundPort.GetPeer()!.ToString().Should().Be(path);
        unboundPort.Write("anonymous"u8);
        boundPort.Write("named"u8);
        reactor.RunUntil(() => bound.Received.Count == 1 && server.Received.Count == 2);

        server.Received.Should().Equal(("anonymous", null), ("named", directory.Socket("client.sock")));
        bound.Received.Should().Equal(("re: named", path));
        unbound.Received.Should().BeEmpty();
    }

    [LinuxTheory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void Abstract_names_listen_connect_and_are_shown_as_at_names_without_a_file(ReactorBackend backend)
    {
        using var reactor = TestBackends.Create(backend);
        var serverName = UnixTestKit.AbstractName();
        var clientName = UnixTestKit.AbstractName();
        var server = new RecordingUnixDatagramProtocol { OnDatagram = (p, text, sender) => p.Transport!.Write("pong"u8, sender!) };
        var client = new RecordingUnixDatagramProtocol();
        reactor.ListenUnixDatagram(serverName, server).GetHost().ToString().Should().Be(serverName);

        var port = reactor.ConnectUnixDatagram(serverName, client, bindAddress: clientName);
        port.Write("ping"u8);
        reactor.RunUntil(() => client.Received.Count == 1);

        server.Received.Should().Equal(("ping", clientName));
        client.Received.Should().Equal(("pong", serverName));
        File.Exists(serverName).Should().BeFalse();
    }

    [LinuxTheory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void A_datagram_longer_than_maxPacketSize_is_dropped_and_counted_never_delivered_cut_short(ReactorBackend backend)
    {
        using var directory = new SocketDirectory();
        var logs = new TestLoggerFactory();
        using var reactor = TestBackends.Create(backend, logs);
        var server = new RecordingUnixDatagramProtocol();
        var port = reactor.ListenUnixDatagram(directory.Socket(), server, maxPacketSize: 8);
        var client = reactor.ConnectUnixDatagram(directory.Socket(), new RecordingUnixDatagramProtocol());

        client.Write("12345678"u8);
        client.Write("123456789"u8);
        client.Write("after"u8);
        reactor.RunUntil(() => server.Received.Count == 2);

        server.Received.Select(r => r.Text).Should().Equal("12345678", "after");
        port.DroppedDatagrams.Should().Be(1);
        logs.WithEventId(212).Should().ContainSingle().Which.Message.Should().Contain("maxPacketSize 8");
    }

    [LinuxTheory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void Drops_are_all_counted_but_logged_only_the_first_ten_then_at_powers_of_two(ReactorBackend backend)
    {
        using var directory = new SocketDirectory();
        var logs = new TestLoggerFactory();
        using var reactor = TestBackends.Create(backend, logs);
        var server = new RecordingUnixDatagramProtocol();
        var port = reactor.ListenUnixDatagram(directory.Socket(), server, maxPacketSize: 4);
        var client = reactor.ConnectUnixDatagram(directory.Socket(), new RecordingUnixDatagramProtocol());

        for (var i = 0; i < 40; i++)
        {
            client.Write("too long"u8);
            reactor.RunUntil(() => port.DroppedDatagrams == i + 1);
        }

        // 1..10, 16, 32.
        logs.WithEventId(212).Should().HaveCount(12);
        logs.WithEventId(212).Last().Message.Should().Contain("(32 dropped so far)");
        server.Received.Should().BeEmpty();
    }

    [LinuxTheory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void The_socket_file_gets_its_mode_a_stale_one_is_replaced_and_stopping_removes_it(ReactorBackend backend)
    {
        using var directory = new SocketDirectory();
        using var reactor = TestBackends.Create(backend);
        var path = directory.Socket();
        var mode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using (var dead = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified))
        {
            dead.Bind(new UnixDomainSocketEndPoint(path)); // closing leaves the file: nobody receives on it any more
        }

        var protocol = new RecordingUnixDatagramProtocol();
        var port = reactor.ListenUnixDatagram(path, protocol, mode: mode);
        File.GetUnixFileMode(path).Should().Be(mode);
        var act = () => reactor.ListenUnixDatagram(path, new RecordingUnixDatagramProtocol());
        act.Should().Throw<CannotListenException>("someone receives on the path").Which.SocketErrorCode.Should().Be(SocketError.AddressAlreadyInUse);

        var stopped = false;
        port.StopListening().AddCallback(_ => stopped = true);
        reactor.RunUntil(() => stopped);
        File.Exists(path).Should().BeFalse("Twisted's DatagramPort.connectionLost unlinks the path");
        protocol.Events.Should().Equal("start", "stop");
    }

    [LinuxTheory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void A_connected_port_whose_peer_has_gone_is_told_ConnectionRefused_and_connecting_to_nobody_throws(ReactorBackend backend)
    {
        using var directory = new SocketDirectory();
        using var reactor = TestBackends.Create(backend);
        var path = directory.Socket();
        var server = reactor.ListenUnixDatagram(path, new RecordingUnixDatagramProtocol());
        var client = new RecordingUnixDatagramProtocol();
        var port = reactor.ConnectUnixDatagram(path, client);
        var stopped = false;
        server.StopListening().AddCallback(_ => stopped = true);
        reactor.RunUntil(() => stopped);

        port.Write("anyone?"u8);

        client.Events.Should().Equal("start", "refused");
        var act = () => reactor.ConnectUnixDatagram(directory.Socket("nobody.sock"), new RecordingUnixDatagramProtocol());
        act.Should().Throw<ConnectException>();
    }

    [LinuxTheory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void A_protocol_cannot_be_on_two_ports_and_writes_after_stopping_throw(ReactorBackend backend)
    {
        using var directory = new SocketDirectory();
        using var reactor = TestBackends.Create(backend);
        var protocol = new RecordingUnixDatagramProtocol();
        var port = reactor.ListenUnixDatagram(directory.Socket("a.sock"), protocol);

        var twice = () => reactor.ListenUnixDatagram(directory.Socket("b.sock"), protocol);
        twice.Should().Throw<InvalidOperationException>();
        File.Exists(directory.Socket("b.sock")).Should().BeFalse("nothing is bound for a refused protocol");
        var unconnected = () => port.Write("where to?"u8);
        unconnected.Should().Throw<InvalidOperationException>().WithMessage("*not connected*");
        port.StopListening();
        var late = () => port.Write("late"u8, directory.Socket("a.sock"));
        late.Should().Throw<InvalidOperationException>().WithMessage("*closed*");
    }

    [RequiresProgramTheory("socat", "socat")]
    [Trait("kind", "interop")]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void Socat_sends_to_a_Reactor_port_and_receives_from_one(ReactorBackend backend)
    {
        using var directory = new SocketDirectory();
        using var reactor = TestBackends.Create(backend);
        var path = directory.Socket("reactor.sock");
        var server = new RecordingUnixDatagramProtocol();
        var port = reactor.ListenUnixDatagram(path, server);

        using (var sender = SampleProcess.Start("socat", ["-u", "-", $"UNIX-SENDTO:{path}"], standardInput: "from socat"))
        {
            reactor.RunUntil(() => server.Received.Count == 1);
            sender.WaitForExit(TimeSpan.FromSeconds(20)).Should().Be(0);
        }

        server.Received[0].Text.Should().Be("from socat");

        var socatPath = directory.Socket("socat.sock");
        using var receiver = SampleProcess.Start("socat", ["-u", "-T", "10", $"UNIX-RECVFROM:{socatPath}", "-"]);
        ReactorRunner.WaitUntil(() => File.Exists(socatPath), TimeSpan.FromSeconds(20)).Should().BeTrue("socat binds its path");
        port.Write("to socat"u8, socatPath);
        receiver.WaitForExit(TimeSpan.FromSeconds(20)).Should().Be(0);
        receiver.Stdout.Should().Contain("to socat");
    }

    [Fact]
    public void MemoryReactor_records_both_calls_starts_the_protocols_and_records_their_writes()
    {
        var reactor = new Reactor.Testing.MemoryReactor();
        var server = new RecordingUnixDatagramProtocol();
        var client = new RecordingUnixDatagramProtocol();

        reactor.ListenUnixDatagram("/run/x.sock", server, maxPacketSize: 4, mode: UnixFileMode.UserRead);
        var port = reactor.ConnectUnixDatagram("@peer", client, bindAddress: "/tmp/me.sock");
        port.Write("hi"u8);
        server.Transport!.Write("yo"u8, "@peer");
        reactor.UnixDatagramPorts[0].Port.Deliver("four"u8, "@peer");
        reactor.UnixDatagramPorts[0].Port.Deliver("five!"u8, null);

        reactor.UnixDatagramPorts.Select(c => (c.Path, c.Connected, c.BindAddress, c.MaxPacketSize)).Should().Equal(
            ("/run/x.sock", false, null, 4), ("@peer", true, "/tmp/me.sock", 8192));
        reactor.UnixDatagramPorts[0].Mode.Should().Be(UnixFileMode.UserRead);
        port.GetPeer()!.ToString().Should().Be("@peer");
        reactor.UnixDatagramPorts[1].Port.Written.Select(w => (Encoding.UTF8.GetString(w.Datagram), w.Destination)).Should().Equal(("hi", (string?)null));
        reactor.UnixDatagramPorts[0].Port.Written.Select(w => w.Destination).Should().Equal("@peer");
        server.Received.Should().Equal(("four", "@peer"));
        reactor.UnixDatagramPorts[0].Port.DroppedDatagrams.Should().Be(1);
        client.Events.Should().Equal("start");
    }
}
