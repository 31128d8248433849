using System.Net;
using System.Net.Sockets;
using Reactor.Testing;
using Reactor.Tests.Support;

namespace Reactor.Tests.Testing;

/// <summary>The fake transport plays the network for a protocol under test, checking arguments as a real port does.</summary>
public class FakeDatagramTransportTests
{
    private static readonly IPEndPoint Peer = new(IPAddress.Parse("192.0.2.7"), 5000);

    [Fact]
    public void Attach_sets_the_transport_and_runs_StartProtocol()
    {
        var protocol = new RecordingProtocol();
        var transport = new FakeDatagramTransport().Attach(protocol);
        protocol.Transport.Should().BeSameAs(transport);
        transport.Protocol.Should().BeSameAs(protocol);
        protocol.Events.Should().Equal("start");
    }

    [Fact]
    public void A_protocol_listening_elsewhere_cannot_be_attached()
    {
        var protocol = new RecordingProtocol();
        new FakeDatagramTransport().Attach(protocol);
        var second = new FakeDatagramTransport();
        second.Invoking(t => t.Attach(protocol)).Should().Throw<InvalidOperationException>();
        second.Protocol.Should().BeNull();
    }

    [Fact]
    public void Receive_delivers_the_datagram_and_its_sender()
    {
        var protocol = new RecordingProtocol();
        var transport = new FakeDatagramTransport().Attach(protocol);
        transport.Receive("hello"u8, Peer).Should().BeTrue();
        protocol.Received.Should().ContainSingle();
        protocol.Received[0].Data.Should().Equal("hello"u8.ToArray());
        protocol.Received[0].Sender.Should().Be(Peer);
    }

    [Fact]
    public void Receive_drops_a_datagram_longer_than_maxPacketSize_as_a_real_port_does()
    {
        var protocol = new RecordingProtocol();
        var transport = new FakeDatagramTransport(maxPacketSize: 4).Attach(protocol);
        transport.Receive("hello"u8, Peer).Should().BeFalse();
        transport.Receive("four"u8, Peer).Should().BeTrue();
        transport.DroppedDatagrams.Should().Be(1);
        protocol.Received.Should().ContainSingle();
    }

    [Fact]
    public void Every_write_is_recorded_as_a_copy_with_its_destination()
    {
        var transport = new FakeDatagramTransport().Attach(new RecordingProtocol());
        var buffer = "one"u8.ToArray();
        transport.Write(buffer, Peer);
        buffer[0] = (byte)'X';
        transport.Write("two"u8, "198.51.100.1", 53);
        transport.WriteSequence(["th"u8.ToArray(), "ree"u8.ToArray()], Peer);
        transport.Written.Select(w => System.Text.Encoding.ASCII.GetString(w.Data)).Should().Equal("one", "two", "three");
        transport.Written.Select(w => w.Destination).Should().Equal(Peer, new IPEndPoint(IPAddress.Parse("198.51.100.1"), 53), Peer);
    }

    [Fact]
    public void An_echo_protocol_replies_to_the_sender()
    {
        var transport = new FakeDatagramTransport().Attach(new Echo());
        transport.Receive("ping"u8, Peer);
        var reply = transport.Written.Should().ContainSingle().Subject;
        reply.Data.Should().Equal("ping"u8.ToArray());
        reply.Destination.Should().Be(Peer);
    }

    [Fact]
    public void Writes_are_checked_as_a_real_port_checks_them()
    {
        var transport = new FakeDatagramTransport().Attach(new RecordingProtocol());
        transport.Invoking(t => t.Write("x"u8)).Should().Throw<InvalidOperationException>();
        transport.Invoking(t => t.Write("x"u8, new IPEndPoint(IPAddress.IPv6Loopback, 1))).Should().Throw<InvalidAddressException>();
        transport.Invoking(t => t.Write("x"u8, new IPEndPoint(IPAddress.Loopback, 0))).Should().Throw<ArgumentOutOfRangeException>();
        transport.Invoking(t => t.Write(new byte[65_508], Peer)).Should().Throw<MessageLengthException>();
        transport.Invoking(t => t.Write("x"u8, "example.com", 53)).Should().Throw<InvalidAddressException>();
        transport.Invoking(t => t.Write("x"u8, "<broadcast>", 53)).Should().Throw<SocketException>();
        transport.BroadcastAllowed = true;
        transport.Write("x"u8, "<broadcast>", 53);
        transport.Written.Should().ContainSingle().Which.Destination.Should().Be(new IPEndPoint(IPAddress.Broadcast, 53));
    }

    [Fact]
    public void A_connected_transport_writes_to_its_peer_and_hears_only_from_it()
    {
        var protocol = new RecordingProtocol();
        var transport = new FakeDatagramTransport().Attach(protocol);
        transport.Connect("192.0.2.7", 5000);
        transport.GetPeer().Should().Be(Peer);
        transport.Write("hi"u8);
        transport.Written.Should().ContainSingle().Which.Destination.Should().Be(Peer);
        transport.Invoking(t => t.Write("x"u8, new IPEndPoint(IPAddress.Loopback, 1))).Should().Throw<InvalidAddressException>();
        transport.Invoking(t => t.Connect("192.0.2.8", 1)).Should().Throw<InvalidOperationException>();
        transport.Receive("stranger"u8, new IPEndPoint(IPAddress.Loopback, 9)).Should().BeFalse();
        transport.Receive("peer"u8, Peer).Should().BeTrue();
        protocol.Received.Should().ContainSingle();
    }

    [Fact]
    public void RefuseConnection_calls_ConnectionRefused_only_on_a_connected_transport()
    {
        var protocol = new RecordingProtocol();
        var transport = new FakeDatagramTransport().Attach(protocol);
        transport.RefuseConnection().Should().BeFalse();
        protocol.Refusals.Should().Be(0);
        transport.Connect("192.0.2.7", 5000);
        transport.RefuseConnection().Should().BeTrue();
        protocol.Refusals.Should().Be(1);
    }

    [Fact]
    public void PauseWriting_and_ResumeWriting_reach_the_protocol_once_each()
    {
        var protocol = new RecordingProtocol();
        var transport = new FakeDatagramTransport().Attach(protocol);
        transport.PauseWriting();
        transport.PauseWriting();
        transport.WritingPaused.Should().BeTrue();
        transport.ResumeWriting();
        transport.ResumeWriting();
        protocol.Events.Should().Equal("start", "pause", "resume");
    }

    [Fact]
    public void StopListening_runs_StopProtocol_at_once_and_returns_the_same_fired_Deferred()
    {
        var protocol = new RecordingProtocol();
        var transport = new FakeDatagramTransport().Attach(protocol);
        var first = transport.StopListening();
        first.Called.Should().BeTrue();
        transport.StopListening().Should().BeSameAs(first);
        protocol.Events.Should().Equal("start", "stop");
        protocol.TransportDuringStop.Should().BeNull();
        transport.Closed.Should().BeTrue();
        transport.Invoking(t => t.Write("x"u8, Peer)).Should().Throw<InvalidOperationException>();
        transport.Invoking(t => t.Receive("x"u8, Peer)).Should().Throw<InvalidOperationException>();
    }

    [Fact]
    public void A_stopped_protocol_can_listen_again_and_starts_again()
    {
        var protocol = new RecordingProtocol();
        new FakeDatagramTransport().Attach(protocol).StopListening();
        new FakeDatagramTransport().Attach(protocol);
        protocol.Events.Should().Equal("start", "stop", "start");
    }

    [Fact]
    public void Joins_and_leaves_are_tracked_and_checked()
    {
        var transport = new FakeDatagramTransport().Attach(new RecordingProtocol());
        transport.JoinGroup("228.0.0.5").Called.Should().BeTrue();
        transport.JoinSourceGroup("232.1.1.1", "192.0.2.7", "lo");
        transport.Groups.Should().Equal(new MulticastMembership("228.0.0.5", "", null), new MulticastMembership("232.1.1.1", "lo", "192.0.2.7"));

        Failure? failure = null;
        transport.JoinGroup("228.0.0.5").AddErrback(f => { failure = f; return null!; });
        failure!.Exception.Should().BeOfType<MulticastJoinException>();
        transport.JoinGroup("192.0.2.1").AddErrback(f => { failure = f; return null!; });
        failure!.Exception.Message.Should().Contain("not a multicast address");

        transport.LeaveGroup("228.0.0.5").Called.Should().BeTrue();
        transport.LeaveSourceGroup("232.1.1.1", "192.0.2.7", "lo");
        transport.Groups.Should().BeEmpty();
        transport.LeaveGroup("228.0.0.5").AddErrback(f => { failure = f; return null!; });
        failure!.Exception.Should().BeOfType<MulticastJoinException>();
    }

    [Fact]
    public void Ttl_loopback_and_outgoing_interface_are_recorded()
    {
        var transport = new FakeDatagramTransport(new IPEndPoint(IPAddress.IPv6Any, 9999));
        transport.Ttl.Should().Be(1);
        transport.LoopbackMode.Should().BeTrue();
        transport.OutgoingInterface.Should().Be("::");
        transport.Ttl = 32;
        transport.LoopbackMode = false;
        transport.SetOutgoingInterface("eth0").Called.Should().BeTrue();
        (transport.Ttl, transport.LoopbackMode, transport.OutgoingInterface).Should().Be((32, false, "eth0"));
        transport.Invoking(t => t.Ttl = 256).Should().Throw<ArgumentOutOfRangeException>();
    }

    private sealed class Echo : DatagramProtocol
    {
        public override void DatagramReceived(ReadOnlySpan<byte> datagram, IPEndPoint sender) => Transport!.Write(datagram, sender);
    }
}
