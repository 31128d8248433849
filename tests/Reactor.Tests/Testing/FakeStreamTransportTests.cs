using System.Net;
using System.Net.Sockets;
using Reactor.Testing;
using Reactor.Tests.Support;

namespace Reactor.Tests.Testing;

/// <summary>
/// The fake stream transport plays the peer and the kernel for a protocol under test: each simulated event is checked
/// here, and <c>FakeStreamTransportSpecTests</c> runs the stream specification real TCP passes over it.
/// </summary>
public class FakeStreamTransportTests
{
    // ---- Attach, addresses, options -----------------------------------------------------------------------------

    [Fact]
    public void Attach_makes_the_connection_and_runs_ConnectionMade()
    {
        var protocol = new RecordingStreamProtocol();
        var transport = new FakeStreamTransport().Attach(protocol);

        protocol.Transport.Should().BeSameAs(transport);
        protocol.Connected.Should().BeTrue();
        transport.Protocol.Should().BeSameAs(protocol);
        protocol.Events.Should().Equal("made");
        transport.Disconnecting.Should().BeFalse();
        transport.Invoking(t => t.Attach(new RecordingStreamProtocol())).Should().Throw<InvalidOperationException>();
    }

    [Fact]
    public void The_addresses_are_Twisted_s_defaults_or_the_ones_given()
    {
        var defaults = new FakeStreamTransport();
        defaults.GetHost().Should().Be(new IPEndPoint(IPAddress.Parse("10.0.0.1"), 12345));
        defaults.GetPeer().Should().Be(new IPEndPoint(IPAddress.Parse("192.168.1.1"), 54321));

        var host = new IPEndPoint(IPAddress.IPv6Loopback, 8000);
        var peer = new IPEndPoint(IPAddress.Parse("2001:db8::1"), 40000);
        ITransport given = new FakeStreamTransport(host, peer);
        given.GetHost().Should().Be(host);
        given.GetPeer().Should().Be(peer);
    }

    [Fact]
    public void NoDelay_and_KeepAlive_are_recorded_and_refused_after_the_connection_closed()
    {
        var transport = new FakeStreamTransport().Attach(new RecordingStreamProtocol());
        (transport.NoDelay, transport.KeepAlive).Should().Be((true, false), "Reactor's defaults");
        transport.NoDelay = false;
        transport.KeepAlive = true;
        (transport.NoDelay, transport.KeepAlive).Should().Be((false, true));

        transport.ReceiveFin();
        transport.Invoking(t => t.NoDelay).Should().Throw<InvalidOperationException>();
        transport.Invoking(t => t.KeepAlive = false).Should().Throw<InvalidOperationException>();
    }

    [Fact]
    public void The_watermarks_are_checked_as_a_real_transport_checks_them()
    {
        var transport = new FakeStreamTransport();
        (transport.HighWatermark, transport.LowWatermark).Should().Be((64 * 1024, 16 * 1024));
        transport.Invoking(t => t.HighWatermark = 0).Should().Throw<ArgumentOutOfRangeException>();
        transport.Invoking(t => t.HighWatermark = 1000).Should().Throw<ArgumentOutOfRangeException>("below the low watermark");
        transport.Invoking(t => t.LowWatermark = -1).Should().Throw<ArgumentOutOfRangeException>();
        transport.Invoking(t => t.LowWatermark = 100_000).Should().Throw<ArgumentOutOfRangeException>("above the high watermark");
        transport.LowWatermark = 10;
        transport.HighWatermark = 20;
        (transport.HighWatermark, transport.LowWatermark).Should().Be((20, 10));
    }

    [Fact]
    public void The_peer_cannot_act_before_a_protocol_is_attached()
    {
        var transport = new FakeStreamTransport();
        transport.Invoking(t => t.Receive("x")).Should().Throw<InvalidOperationException>();
        transport.Invoking(t => t.ReceiveFin()).Should().Throw<InvalidOperationException>();
        transport.Invoking(t => t.ReceiveReset()).Should().Throw<InvalidOperationException>();
    }

    // ---- Receiving ------------------------------------------------------------------------------------------------

    [Fact]
    public void Receive_delivers_bytes_and_text_in_order()
    {
        var protocol = new RecordingStreamProtocol();
        var transport = new FakeStreamTransport().Attach(protocol);

        transport.Receive("hel"u8);
        transport.Receive("lo, wörld");

        protocol.Received.Should().Equal("hello, wörld"u8.ToArray());
    }

    [Fact]
    public void Receive_delivers_at_most_64_KiB_per_call_as_a_real_transport_reads()
    {
        var calls = new List<int>();
        var protocol = new RecordingStreamProtocol { OnData = (_, data) => calls.Add(data.Length) };
        var transport = new FakeStreamTransport().Attach(protocol);

        transport.Receive(new byte[150_000]);

        calls.Should().Equal(65_536, 65_536, 150_000 - 131_072);
    }

    [Fact]
    public void A_paused_transport_holds_received_data_until_it_is_resumed_and_pumped()
    {
        var protocol = new RecordingStreamProtocol();
        var transport = new FakeStreamTransport().Attach(protocol);

        transport.PauseProducing();
        transport.Receive("held");
        (transport.Paused, transport.UnreadBytes).Should().Be((true, 4));
        protocol.Received.Should().BeEmpty();

        transport.ResumeProducing();
        protocol.Received.Should().BeEmpty("never from inside ResumeProducing: on the next turn of the loop");
        transport.Pump();
        protocol.Received.Should().Equal("held"u8.ToArray());
        transport.UnreadBytes.Should().Be(0);
    }

    [Fact]
    public void Pausing_inside_DataReceived_holds_the_rest_of_a_large_receive()
    {
        var protocol = new RecordingStreamProtocol { OnData = (p, _) => p.Transport!.PauseProducing() };
        var transport = new FakeStreamTransport().Attach(protocol);

        transport.Receive(new byte[100_000]);

        protocol.Received.Should().HaveCount(65_536);
        transport.UnreadBytes.Should().Be(100_000 - 65_536);
    }

    [Fact]
    public void A_protocol_that_resumes_from_a_callback_gets_the_held_data_when_the_callback_returns()
    {
        var protocol = new HalfCloseableRecordingProtocol();
        var transport = new FakeStreamTransport().Attach(protocol);
        transport.PauseProducing();
        transport.Receive("held");

        // The producer's callback runs inside a fake call; the resume it makes is served before that call returns.
        transport.FillSendBuffer();
        transport.RegisterProducer(new CountingPushProducer { OnResume = () => transport.ResumeProducing() }, streaming: true);
        transport.LowWatermark = 0;
        transport.HighWatermark = 1;
        transport.Write("xx"u8);
        transport.DrainSendBuffer();

        protocol.Received.Should().Equal("held"u8.ToArray());
    }

    [Fact]
    public void ReceiveFin_closes_a_protocol_that_is_not_half_closeable_cleanly()
    {
        var protocol = new RecordingStreamProtocol();
        var transport = new FakeStreamTransport().Attach(protocol);

        transport.ReceiveFin();

        protocol.Events.Should().Equal("made", "lost ConnectionDoneException");
        protocol.ConnectedDuringLost.Should().BeFalse();
        (transport.Closed, transport.Aborted, transport.EndOfStreamSent).Should().Be((true, false, true));
        transport.Invoking(t => t.Receive("more")).Should().Throw<InvalidOperationException>("the peer sent its FIN");
        transport.Invoking(t => t.ReceiveFin()).Should().Throw<InvalidOperationException>();
    }

    [Fact]
    public void ReceiveFin_tells_a_half_closeable_protocol_and_leaves_it_open_for_writing()
    {
        var protocol = new HalfCloseableRecordingProtocol { OnReadLost = p => p.Transport!.Write("bye"u8) };
        var transport = new FakeStreamTransport().Attach(protocol);

        transport.ReceiveFin();

        protocol.Events.Should().Equal("made", "read lost");
        transport.Disconnecting.Should().BeFalse();
        transport.TakeWrittenText().Should().Be("bye");
        protocol.Transport!.LoseConnection();
        transport.Pump();
        protocol.Events.Should().Equal("made", "read lost", "lost ConnectionDoneException");
    }

    [Fact]
    public void A_paused_transport_sees_the_FIN_after_the_held_data_once_resumed()
    {
        var protocol = new RecordingStreamProtocol { OnData = (p, d) => p.Events.Add($"data {d.Length}") };
        var transport = new FakeStreamTransport().Attach(protocol);
        transport.PauseProducing();

        transport.Receive("last");
        transport.ReceiveFin();
        protocol.Events.Should().Equal("made");

        transport.ResumeProducing();
        transport.Pump();
        protocol.Events.Should().Equal("made", "data 4", "lost ConnectionDoneException");
    }

    [Fact]
    public void ReceiveReset_loses_the_connection_with_the_error()
    {
        var protocol = new RecordingStreamProtocol();
        var transport = new FakeStreamTransport().Attach(protocol);

        transport.ReceiveReset();

        protocol.Events.Should().Equal("made", "lost ConnectionLostException");
        protocol.Lost[0].Exception.As<ConnectionLostException>().SocketErrorCode.Should().Be(SocketError.ConnectionReset);
        transport.Aborted.Should().BeFalse("the peer reset it; this side sent nothing");
        transport.Invoking(t => t.ReceiveReset()).Should().Throw<InvalidOperationException>();
    }

    [Fact]
    public void A_reset_after_a_FIN_loses_a_half_closed_connection_at_its_next_write()
    {
        var protocol = new HalfCloseableRecordingProtocol();
        var transport = new FakeStreamTransport().Attach(protocol);
        transport.ReceiveFin();

        transport.ReceiveReset(SocketError.ConnectionAborted);
        protocol.Lost.Should().BeEmpty("a half-closed transport no longer reads");
        protocol.Transport!.Write("x"u8);
        transport.Pump();

        protocol.Events.Should().Equal("made", "read lost", "lost ConnectionLostException");
        transport.Written.Should().BeEmpty();
    }

    [Fact]
    public void A_paused_transport_with_nothing_to_send_sees_a_reset_once_resumed()
    {
        var protocol = new RecordingStreamProtocol();
        var transport = new FakeStreamTransport().Attach(protocol);
        transport.PauseProducing();

        transport.ReceiveReset();
        protocol.Lost.Should().BeEmpty();

        transport.ResumeProducing();
        transport.Pump();
        protocol.Events.Should().Equal("made", "lost ConnectionLostException");
    }

    [Fact]
    public void A_paused_transport_with_data_waiting_to_be_sent_sees_a_reset_at_once()
    {
        var protocol = new RecordingStreamProtocol();
        var transport = new FakeStreamTransport().Attach(protocol);
        transport.PauseProducing();
        transport.FillSendBuffer();
        protocol.Transport!.Write("waiting"u8);

        transport.ReceiveReset();

        protocol.Events.Should().Equal("made", "lost ConnectionLostException");
        transport.BufferedBytes.Should().Be(0);
    }

    [Fact]
    public void Data_received_while_closing_is_discarded()
    {
        var protocol = new RecordingStreamProtocol();
        var transport = new FakeStreamTransport().Attach(protocol);
        transport.FillSendBuffer();
        protocol.Transport!.Write("pending"u8);
        protocol.Transport.LoseConnection();

        transport.Receive("ignored");

        protocol.Received.Should().BeEmpty();
        transport.UnreadBytes.Should().Be(0);
    }

    // ---- Writing --------------------------------------------------------------------------------------------------

    [Fact]
    public void Every_write_is_recorded_as_a_copy_in_order()
    {
        var transport = new FakeStreamTransport().Attach(new RecordingStreamProtocol());
        var buffer = "one "u8.ToArray();
        transport.Write(buffer);
        buffer[0] = (byte)'X';
        transport.Write([]);
        transport.WriteSequence(["two"u8.ToArray(), " three"u8.ToArray()]);

        transport.WrittenText.Should().Be("one two three");
        transport.Written.Should().Equal("one two three"u8.ToArray());
        transport.TakeWritten().Should().Equal("one two three"u8.ToArray());
        transport.Written.Should().BeEmpty();
        transport.Write("four"u8);
        transport.TakeWrittenText().Should().Be("four");
        transport.WrittenText.Should().BeEmpty();
        transport.WritesDropped.Should().Be(0);
        transport.Invoking(t => t.WriteSequence(null!)).Should().Throw<ArgumentNullException>();
    }

    [Fact]
    public void Small_writes_inside_a_callback_are_gathered_until_it_returns_as_a_real_dispatch_s_are()
    {
        var protocol = new RecordingStreamProtocol();
        var seen = new List<string>();
        protocol.OnData = (p, d) =>
        {
            p.Transport!.Write(d);
            seen.Add($"{p.Transport.BufferedBytes} buffered, written '{((FakeStreamTransport)p.Transport).WrittenText}'");
        };
        var transport = new FakeStreamTransport().Attach(protocol);

        transport.Receive("echo");
        seen.Should().Equal("4 buffered, written ''");
        (transport.WrittenText, transport.BufferedBytes).Should().Be(("echo", 0L));

        protocol.OnData = (p, _) =>
        {
            p.Transport!.Write("never sent"u8);
            p.Transport.AbortConnection();
        };
        transport.Receive("abort");
        transport.TakeWrittenText().Should().Be("echo");
        protocol.Events.Should().Equal("made", "lost ConnectionAbortedException");
    }

    [Fact]
    public void A_write_of_16_KiB_or_more_inside_a_callback_goes_out_at_once_when_nothing_is_queued()
    {
        var protocol = new RecordingStreamProtocol();
        long? buffered = null;
        protocol.OnData = (p, _) =>
        {
            p.Transport!.Write(new byte[16 * 1024]);
            buffered = p.Transport.BufferedBytes;
        };
        var transport = new FakeStreamTransport().Attach(protocol);

        transport.Receive("go");

        buffered.Should().Be(0);
        transport.Written.Should().HaveCount(16 * 1024);
    }

    [Fact]
    public void While_the_send_buffer_is_full_writes_wait_in_the_transport_and_drain_in_order()
    {
        var transport = new FakeStreamTransport().Attach(new RecordingStreamProtocol());
        transport.Write("sent "u8);
        transport.FillSendBuffer();
        transport.Write("wait"u8);
        transport.Write("ing"u8);

        (transport.SendBufferFull, transport.BufferedBytes, transport.WrittenText).Should().Be((true, 7L, "sent "));
        transport.DrainSendBuffer(3);
        (transport.SendBufferFull, transport.BufferedBytes, transport.WrittenText).Should().Be((true, 4L, "sent wai"));
        transport.DrainSendBuffer();
        (transport.SendBufferFull, transport.BufferedBytes, transport.WrittenText).Should().Be((false, 0L, "sent waiting"));
        transport.Write("!"u8);
        transport.WrittenText.Should().Be("sent waiting!");
        transport.Invoking(t => t.DrainSendBuffer(-1)).Should().Throw<ArgumentOutOfRangeException>();
    }

    // ---- Closing --------------------------------------------------------------------------------------------------

    [Fact]
    public void LoseConnection_inside_a_callback_completes_when_the_callback_returns()
    {
        var protocol = new RecordingStreamProtocol();
        protocol.OnData = (p, _) =>
        {
            p.Transport!.Write("bye"u8);
            p.Transport.LoseConnection();
            p.Events.Add("after LoseConnection");
        };
        var transport = new FakeStreamTransport().Attach(protocol);

        transport.Receive("QUIT");

        protocol.Events.Should().Equal("made", "after LoseConnection", "lost ConnectionDoneException");
        (transport.Closed, transport.EndOfStreamSent, transport.WrittenText).Should().Be((true, true, "bye"));
    }

    [Fact]
    public void LoseConnection_made_outside_a_callback_completes_on_the_next_Pump()
    {
        var protocol = new RecordingStreamProtocol();
        var transport = new FakeStreamTransport().Attach(protocol);

        protocol.Transport!.LoseConnection();
        transport.Disconnecting.Should().BeTrue();
        transport.Closed.Should().BeFalse();
        protocol.Connected.Should().BeTrue();

        transport.Pump();
        protocol.Events.Should().Equal("made", "lost ConnectionDoneException");
        transport.Pump();
        protocol.Lost.Should().ContainSingle();
    }

    [Fact]
    public void LoseConnection_waits_for_the_buffered_data_to_drain()
    {
        var protocol = new RecordingStreamProtocol();
        var transport = new FakeStreamTransport().Attach(protocol);
        transport.FillSendBuffer();
        protocol.Transport!.Write("everything"u8);

        protocol.Transport.LoseConnection();
        transport.Pump();
        protocol.Lost.Should().BeEmpty();
        transport.DrainSendBuffer(5);
        protocol.Lost.Should().BeEmpty();

        transport.DrainSendBuffer();
        transport.WrittenText.Should().Be("everything");
        protocol.Events.Should().Equal("made", "lost ConnectionDoneException");
    }

    [Fact]
    public void AbortConnection_discards_the_buffer_and_resets()
    {
        var protocol = new RecordingStreamProtocol();
        var transport = new FakeStreamTransport().Attach(protocol);
        transport.Write("sent"u8);
        transport.FillSendBuffer();
        transport.Write("discarded"u8);

        protocol.Transport!.AbortConnection();
        protocol.Transport.AbortConnection();
        transport.Pump();

        protocol.Events.Should().Equal("made", "lost ConnectionAbortedException");
        (transport.Aborted, transport.EndOfStreamSent, transport.BufferedBytes, transport.WrittenText).Should().Be((true, false, 0L, "sent"));
    }

    [Fact]
    public void AbortConnection_after_a_LoseConnection_that_waits_wins()
    {
        var protocol = new RecordingStreamProtocol();
        var transport = new FakeStreamTransport().Attach(protocol);
        transport.FillSendBuffer();
        transport.Write("waiting"u8);
        transport.LoseConnection();

        transport.AbortConnection();
        transport.Pump();

        protocol.Events.Should().Equal("made", "lost ConnectionAbortedException");
    }

    [Fact]
    public void Writes_after_LoseConnection_or_AbortConnection_are_dropped_and_counted()
    {
        var lost = new FakeStreamTransport().Attach(new RecordingStreamProtocol());
        lost.LoseConnection();
        lost.Write("dropped"u8);
        lost.Write([]);
        lost.Pump();
        lost.Write("after close"u8);
        (lost.WritesDropped, lost.WrittenText).Should().Be((2, ""));

        var aborted = new FakeStreamTransport().Attach(new RecordingStreamProtocol());
        aborted.AbortConnection();
        aborted.WriteSequence(["a"u8.ToArray(), "b"u8.ToArray()]);
        aborted.WritesDropped.Should().Be(2);
    }

    [Fact]
    public void LoseWriteConnection_half_closes_after_the_buffer_drains()
    {
        var protocol = new HalfCloseableRecordingProtocol();
        var transport = new FakeStreamTransport().Attach(protocol);
        transport.FillSendBuffer();
        protocol.Tcp.Write("last words"u8);

        protocol.Tcp.LoseWriteConnection();
        protocol.Tcp.Write("dropped"u8);
        transport.Pump();
        (transport.EndOfStreamSent, transport.WritesDropped).Should().Be((false, 1));

        transport.DrainSendBuffer();
        protocol.Events.Should().Equal("made", "write lost");
        (transport.EndOfStreamSent, transport.Disconnecting, transport.WrittenText).Should().Be((true, false, "last words"));

        transport.Receive("still reading");
        protocol.Received.Should().Equal("still reading"u8.ToArray());
        transport.ReceiveFin();
        protocol.Events.Should().Equal("made", "write lost", "lost ConnectionDoneException");
    }

    [Fact]
    public void LoseWriteConnection_after_the_peer_s_FIN_closes_the_connection()
    {
        var protocol = new HalfCloseableRecordingProtocol { OnReadLost = p => p.Tcp.LoseWriteConnection() };
        var transport = new FakeStreamTransport().Attach(protocol);

        transport.ReceiveFin();

        protocol.Events.Should().Equal("made", "read lost", "lost ConnectionDoneException");
    }

    // ---- Producers ------------------------------------------------------------------------------------------------

    [Fact]
    public void RegisterProducer_checks_its_arguments_as_a_real_transport_does()
    {
        var transport = new FakeStreamTransport().Attach(new RecordingStreamProtocol());
        transport.Invoking(t => t.RegisterProducer(new CountingPullProducer(), streaming: true)).Should().Throw<ArgumentException>();
        transport.Invoking(t => t.RegisterProducer(new CountingPushProducer(), streaming: false)).Should().Throw<ArgumentException>();

        var producer = new CountingPushProducer();
        transport.RegisterProducer(producer, streaming: true);
        transport.Producer.Should().BeSameAs(producer);
        transport.ProducerStreaming.Should().BeTrue();
        transport.Invoking(t => t.RegisterProducer(new CountingPushProducer(), streaming: true)).Should().Throw<InvalidOperationException>();
        transport.UnregisterProducer();
        transport.UnregisterProducer();
        transport.Producer.Should().BeNull();
        transport.ProducerStreaming.Should().BeFalse();
    }

    [Fact]
    public void A_streaming_producer_is_paused_once_above_the_high_watermark_and_resumed_once_at_the_low()
    {
        var transport = new FakeStreamTransport().Attach(new RecordingStreamProtocol());
        transport.LowWatermark = 4;
        transport.HighWatermark = 10;
        var producer = new CountingPushProducer();
        transport.RegisterProducer(producer, streaming: true);
        transport.FillSendBuffer();

        transport.Write(new byte[10]);
        producer.Pauses.Should().Be(0, "10 bytes are not above the high watermark");
        transport.Write(new byte[1]);
        transport.Write(new byte[5]);
        (producer.Pauses, transport.ProducerPaused).Should().Be((1, true));

        transport.DrainSendBuffer(11);
        producer.Resumes.Should().Be(0, "5 bytes are above the low watermark");
        transport.DrainSendBuffer(1);
        (producer.Resumes, transport.ProducerPaused).Should().Be((1, false));
        transport.DrainSendBuffer();
        producer.Resumes.Should().Be(1);
        (producer.Pauses, producer.Stops).Should().Be((1, 0));
    }

    [Fact]
    public void A_pull_producer_is_asked_at_registration_then_whenever_the_buffer_has_drained()
    {
        var transport = new FakeStreamTransport().Attach(new RecordingStreamProtocol());
        var producer = new CountingPullProducer { OnResume = p => transport.Write(new byte[100]) };

        transport.RegisterProducer(producer, streaming: false);
        producer.Resumes.Should().Be(1);
        transport.Pump();
        producer.Resumes.Should().Be(2, "each turn of the loop with nothing buffered asks for one more chunk");

        transport.FillSendBuffer();
        transport.Pump();
        producer.Resumes.Should().Be(3);
        transport.Pump();
        transport.DrainSendBuffer(50);
        producer.Resumes.Should().Be(3, "its chunk is still buffered");
        transport.DrainSendBuffer();
        producer.Resumes.Should().Be(4);
        transport.Written.Should().HaveCount(400);
    }

    [Fact]
    public void LoseConnection_waits_for_a_registered_producer_to_unregister()
    {
        var protocol = new RecordingStreamProtocol();
        var transport = new FakeStreamTransport().Attach(protocol);
        var producer = new CountingPushProducer();
        transport.RegisterProducer(producer, streaming: true);

        transport.LoseConnection();
        transport.Pump();
        protocol.Lost.Should().BeEmpty();

        transport.UnregisterProducer();
        transport.Pump();
        protocol.Events.Should().Equal("made", "lost ConnectionDoneException");
        producer.Stops.Should().Be(0, "it unregistered before the close");
    }

    [Fact]
    public void A_producer_still_registered_when_the_connection_ends_is_stopped_first()
    {
        var protocol = new RecordingStreamProtocol();
        var transport = new FakeStreamTransport().Attach(protocol);
        var producer = new CountingPushProducer();
        transport.RegisterProducer(producer, streaming: true);
        protocol.OnLost = (p, _) => p.Events.Add($"stops {producer.Stops}");

        transport.ReceiveReset();

        producer.Stops.Should().Be(1);
        protocol.Events.Should().Equal("made", "lost ConnectionLostException", "stops 1");
        transport.Producer.Should().BeNull();
    }

    [Fact]
    public void A_producer_registered_after_the_connection_ended_is_stopped_at_once()
    {
        var transport = new FakeStreamTransport().Attach(new RecordingStreamProtocol());
        transport.ReceiveFin();
        var producer = new CountingPullProducer();

        transport.RegisterProducer(producer, streaming: false);

        (producer.Stops, producer.Resumes).Should().Be((1, 0));
        transport.Producer.Should().BeNull();
    }

    [Fact]
    public void StopProducing_on_the_transport_is_LoseConnection()
    {
        var protocol = new RecordingStreamProtocol();
        var transport = new FakeStreamTransport().Attach(protocol);

        transport.StopProducing();
        transport.Pump();

        protocol.Events.Should().Equal("made", "lost ConnectionDoneException");
    }

    // ---- Exceptions from the protocol -----------------------------------------------------------------------------

    [Fact]
    public void An_exception_from_DataReceived_closes_the_connection_with_it_as_the_reason()
    {
        var boom = new InvalidOperationException("boom");
        var protocol = new RecordingStreamProtocol { OnData = (_, _) => throw boom };
        var transport = new FakeStreamTransport().Attach(protocol);

        transport.Receive("x");

        protocol.Lost.Should().ContainSingle().Which.Exception.Should().BeSameAs(boom);
        transport.CallbackErrors.Should().Equal(boom);
        (transport.Closed, transport.Aborted).Should().Be((true, false));
    }

    [Fact]
    public void An_exception_from_ConnectionMade_aborts_the_connection_with_it_as_the_reason()
    {
        var boom = new InvalidOperationException("boom");
        var protocol = new RecordingStreamProtocol { OnMade = _ => throw boom };

        var transport = new FakeStreamTransport().Attach(protocol);

        protocol.Lost.Should().ContainSingle().Which.Exception.Should().BeSameAs(boom);
        (transport.Closed, transport.Aborted).Should().Be((true, true));
    }

    [Fact]
    public void An_exception_from_a_producer_closes_the_connection_and_one_from_ConnectionLost_is_only_kept()
    {
        var boom = new InvalidOperationException("producer");
        var late = new InvalidOperationException("lost");
        var protocol = new RecordingStreamProtocol { OnLost = (_, _) => throw late };
        var transport = new FakeStreamTransport().Attach(protocol);

        transport.RegisterProducer(new CountingPullProducer { OnResume = _ => throw boom }, streaming: false);
        transport.Pump();

        protocol.Lost.Should().ContainSingle().Which.Exception.Should().BeSameAs(boom);
        transport.CallbackErrors.Should().Equal(boom, late);
        transport.Producer.Should().BeNull();
    }
}
