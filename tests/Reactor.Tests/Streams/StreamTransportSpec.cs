using Reactor.Tests.Support;

namespace Reactor.Tests.Streams;

/// <summary>
/// What every stream transport must do, as its protocol sees it — written once, run over each transport by a class that
/// says how to connect a protocol to a peer (<see cref="Connect"/>): <c>Testing/FakeStreamTransportSpecTests</c> over
/// the fake, <c>Tcp/TcpStreamTransportSpecTests</c> over real TCP (each backend × IPv4/IPv6 × accepted/connected). A
/// behaviour the fake shows and real TCP does not (or the reverse) fails here.
/// </summary>
/// <remarks>
/// Amounts are chosen to hold over real sockets: "until data waits in the transport" writes until the kernel is full,
/// however large its buffers are; nothing depends on how the bytes are split into <c>DataReceived</c> calls.
/// </remarks>
public abstract class StreamTransportSpec : IDisposable
{
    private const int Chunk = 64 * 1024;

    private readonly List<StreamPeer> _peers = [];

    /// <summary>
    /// Connects <paramref name="protocol"/> to a new peer: when this returns, the protocol's <c>ConnectionMade</c> has
    /// run, and the peer reads what arrives (until <see cref="StreamPeer.StopReading"/>).
    /// </summary>
    protected abstract StreamPeer Connect(Protocol protocol);

    /// <summary>The interface every transport of this kind implements (<see cref="ITcpTransport"/> unless overridden).</summary>
    protected virtual Type TransportInterface => typeof(ITcpTransport);

    /// <summary>
    /// How the peer may see an abort: TCP sends a reset. A UNIX stream socket has no reset, so its peer reads end of
    /// stream, or a reset (ECONNRESET) when the aborting side left data it had not read.
    /// </summary>
    protected virtual PeerEnd[] AbortSeenAs => [PeerEnd.Reset];

    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Closes every peer this test opened; a fixture that made more (a directory) overrides it and calls it.</summary>
    protected virtual void Dispose(bool disposing)
    {
        foreach (var peer in _peers)
        {
            peer.Dispose();
        }
    }

    // ---- Connection made ------------------------------------------------------------------------------------------

    [SpecFact]
    public void ConnectionMade_runs_once_with_the_transport_set_and_the_addresses_known()
    {
        var protocol = new RecordingStreamProtocol();
        ITransport? transportDuringMade = null;
        protocol.OnMade = p => transportDuringMade = p.Transport;

        var peer = Open(protocol);

        protocol.Events.Should().Equal("made");
        transportDuringMade.Should().BeSameAs(peer.Transport);
        protocol.Connected.Should().BeTrue();
        peer.Transport.Should().BeAssignableTo(TransportInterface);
        peer.Transport.GetHost().Should().Be(peer.ExpectedHost);
        peer.Transport.GetPeer().Should().Be(peer.ExpectedPeer);
        (peer.Transport.Disconnecting, peer.Transport.BufferedBytes).Should().Be((false, 0L));
    }

    // ---- Data -----------------------------------------------------------------------------------------------------

    [SpecFact]
    public void Data_the_peer_sends_is_delivered_in_order_and_complete()
    {
        var protocol = new RecordingStreamProtocol();
        var peer = Open(protocol);
        var data = Pattern(0, 1024 * 1024);

        for (var offset = 0; offset < data.Length; offset += 100_000)
        {
            peer.Write(data.AsSpan(offset, Math.Min(100_000, data.Length - offset)));
        }

        peer.RunUntil(() => protocol.Received.Count >= data.Length, "the protocol has received 1 MiB");
        protocol.Received.Should().Equal(data);
    }

    [SpecFact]
    public void What_the_protocol_writes_reaches_the_peer_in_order_and_complete()
    {
        var protocol = new RecordingStreamProtocol { OnMade = p => p.Transport!.Write("made,"u8) };
        var peer = Open(protocol);
        var large = Pattern(0, 300_000);

        peer.Transport.Write([]);
        peer.Transport.WriteSequence(["one,"u8.ToArray(), ReadOnlyMemory<byte>.Empty, "two,"u8.ToArray()]);
        peer.Transport.Write(large);
        byte[] expected = [.. "made,one,two,"u8, .. large];

        peer.RunUntil(() => peer.Received.Count >= expected.Length, "the peer has read everything written");
        peer.Received.Should().Equal(expected);
        peer.Transport.BufferedBytes.Should().Be(0);
    }

    [SpecFact]
    public void Replies_written_inside_DataReceived_reach_the_peer()
    {
        var protocol = new RecordingStreamProtocol { OnData = (p, d) => p.Transport!.Write(d) };
        var peer = Open(protocol);

        peer.Write("echo me"u8);

        peer.RunUntil(() => peer.Received.Count >= 7, "the echo arrives");
        peer.Received.Should().Equal("echo me"u8.ToArray());
    }

    // ---- Closing --------------------------------------------------------------------------------------------------

    [SpecFact]
    public void LoseConnection_closes_cleanly_after_the_callback_that_called_it_returns()
    {
        var protocol = new RecordingStreamProtocol();
        protocol.OnData = (p, _) =>
        {
            p.Transport!.Write("bye"u8);
            p.Transport.LoseConnection();
            p.Events.Add("LoseConnection returned");
        };
        var peer = Open(protocol);

        peer.Write("quit"u8);

        LostOnce<ConnectionDoneException>(peer, protocol);
        protocol.Events.Should().Equal("made", "LoseConnection returned", "lost ConnectionDoneException");
        PeerReadsToTheEnd(peer, "bye"u8);
    }

    [SpecFact]
    public void LoseConnection_made_outside_a_callback_completes_later_not_inside_the_call()
    {
        var protocol = new RecordingStreamProtocol();
        var peer = Open(protocol);

        peer.Transport.LoseConnection();

        protocol.Lost.Should().BeEmpty();
        (protocol.Connected, peer.Transport.Disconnecting).Should().Be((true, true));
        LostOnce<ConnectionDoneException>(peer, protocol);
        peer.RunUntil(() => peer.End != PeerEnd.Open, "the peer reads the end");
        peer.End.Should().Be(PeerEnd.EndOfStream);
    }

    [SpecFact]
    public void LoseConnection_sends_everything_written_before_it()
    {
        var protocol = new RecordingStreamProtocol();
        var peer = Open(protocol);
        peer.StopReading();
        var written = WriteUntil(peer, () => peer.Transport.BufferedBytes > 0);

        peer.Transport.LoseConnection();
        peer.Settle();
        protocol.Lost.Should().BeEmpty("the buffer has not been sent yet");
        peer.StartReading();

        peer.RunUntil(() => peer.End != PeerEnd.Open, "the peer reads everything and the end");
        peer.End.Should().Be(PeerEnd.EndOfStream);
        peer.Received.Count.Should().Be(written);
        peer.Received.Should().Equal(Pattern(0, written));
        LostOnce<ConnectionDoneException>(peer, protocol);
    }

    [SpecFact]
    public void AbortConnection_discards_the_buffer_and_resets_the_connection()
    {
        var protocol = new RecordingStreamProtocol();
        var peer = Open(protocol);
        peer.StopReading();
        var written = WriteUntil(peer, () => peer.Transport.BufferedBytes > 0);

        peer.Transport.AbortConnection();
        protocol.Lost.Should().BeEmpty("never inside AbortConnection");
        LostOnce<ConnectionAbortedException>(peer, protocol);

        peer.StartReading();
        peer.RunUntil(() => peer.End != PeerEnd.Open, "the peer reads the end");
        peer.End.Should().BeOneOf(AbortSeenAs);
        peer.Received.Count.Should().BeLessThan(written);
    }

    [SpecFact]
    public void AbortConnection_after_a_LoseConnection_still_waiting_for_the_buffer_wins()
    {
        var protocol = new RecordingStreamProtocol();
        var peer = Open(protocol);
        peer.StopReading();
        WriteUntil(peer, () => peer.Transport.BufferedBytes > 0);

        peer.Transport.LoseConnection();
        peer.Transport.AbortConnection();
        peer.Transport.AbortConnection();
        peer.Transport.LoseConnection();

        LostOnce<ConnectionAbortedException>(peer, protocol);
    }

    [SpecFact]
    public void Writes_after_LoseConnection_are_dropped()
    {
        var protocol = new RecordingStreamProtocol();
        var peer = Open(protocol);

        peer.Transport.Write("kept"u8);
        peer.Transport.LoseConnection();
        peer.Transport.Write("dropped"u8);
        LostOnce<ConnectionDoneException>(peer, protocol);
        peer.Transport.Write("after the end"u8);

        peer.RunUntil(() => peer.End != PeerEnd.Open, "the peer reads the end");
        peer.Received.Should().Equal("kept"u8.ToArray());
    }

    [SpecFact]
    public void Writes_after_AbortConnection_are_dropped()
    {
        var protocol = new RecordingStreamProtocol();
        var peer = Open(protocol);

        peer.Transport.AbortConnection();
        peer.Transport.Write("dropped"u8);
        peer.Transport.WriteSequence(["dropped"u8.ToArray()]);

        LostOnce<ConnectionAbortedException>(peer, protocol);
        peer.RunUntil(() => peer.End != PeerEnd.Open, "the peer reads the end");
        peer.End.Should().BeOneOf(AbortSeenAs);
        peer.Received.Should().BeEmpty();
    }

    [SpecFact]
    public void LoseConnection_in_ConnectionMade_closes_after_ConnectionMade_returns()
    {
        var protocol = new RecordingStreamProtocol();
        protocol.OnMade = p =>
        {
            p.Transport!.Write("hello and goodbye"u8);
            p.Transport.LoseConnection();
            p.Events.Add("ConnectionMade returns");
        };

        var peer = Open(protocol);

        LostOnce<ConnectionDoneException>(peer, protocol);
        protocol.Events.Should().Equal("made", "ConnectionMade returns", "lost ConnectionDoneException");
        PeerReadsToTheEnd(peer, "hello and goodbye"u8);
    }

    [SpecFact]
    public void No_data_is_delivered_after_LoseConnection()
    {
        var protocol = new RecordingStreamProtocol();
        var calls = 0;
        protocol.OnData = (p, _) =>
        {
            calls++;
            p.Transport!.LoseConnection();
        };
        var peer = Open(protocol);

        peer.Write(Pattern(0, 200_000));

        LostOnce<ConnectionDoneException>(peer, protocol);
        calls.Should().Be(1);
    }

    [SpecFact]
    public void AbortConnection_in_DataReceived_resets_and_delivers_nothing_more()
    {
        var protocol = new RecordingStreamProtocol();
        var calls = 0;
        protocol.OnData = (p, _) =>
        {
            calls++;
            p.Transport!.Write("dropped"u8);
            p.Transport.AbortConnection();
        };
        var peer = Open(protocol);

        peer.Write(Pattern(0, 200_000));

        LostOnce<ConnectionAbortedException>(peer, protocol);
        calls.Should().Be(1);
        peer.RunUntil(() => peer.End != PeerEnd.Open, "the peer reads the end");
        peer.End.Should().BeOneOf(AbortSeenAs);
        peer.Received.Should().BeEmpty();
    }

    [SpecFact]
    public void Writing_or_closing_again_inside_ConnectionLost_changes_nothing()
    {
        var protocol = new RecordingStreamProtocol();
        protocol.OnLost = (p, _) =>
        {
            p.Transport!.Write("too late"u8);
            p.Transport.LoseConnection();
            p.Transport.AbortConnection();
            LoseWriteConnection(p.Transport);
            p.Events.Add($"disconnecting {p.Transport.Disconnecting}");
        };
        var peer = Open(protocol);

        peer.Transport.Write("kept"u8);
        peer.Transport.LoseConnection();

        LostOnce<ConnectionDoneException>(peer, protocol);
        protocol.Events.Should().Equal("made", "lost ConnectionDoneException", "disconnecting True");
        PeerReadsToTheEnd(peer, "kept"u8);
    }

    [SpecFact]
    public void A_paused_transport_still_closes_on_LoseConnection()
    {
        var protocol = new RecordingStreamProtocol();
        var peer = Open(protocol);

        peer.Transport.PauseProducing();
        peer.Transport.Write("bye"u8);
        peer.Transport.LoseConnection();
        peer.Transport.ResumeProducing();

        LostOnce<ConnectionDoneException>(peer, protocol);
        PeerReadsToTheEnd(peer, "bye"u8);
    }

    [SpecFact]
    public void Data_arriving_while_the_close_waits_for_the_buffer_is_not_delivered()
    {
        var protocol = new RecordingStreamProtocol();
        var peer = Open(protocol);
        peer.StopReading();
        WriteUntil(peer, () => peer.Transport.BufferedBytes > 0);
        peer.Transport.LoseConnection();

        peer.Write("late"u8);
        peer.Settle();
        peer.StartReading();

        LostOnce<ConnectionDoneException>(peer, protocol);
        protocol.Received.Should().BeEmpty();
    }

    // ---- Half-close -----------------------------------------------------------------------------------------------

    [SpecFact]
    public void LoseWriteConnection_sends_a_FIN_after_the_data_and_keeps_reading()
    {
        var protocol = new HalfCloseableRecordingProtocol();
        var peer = Open(protocol);
        var transport = peer.Transport;

        transport.Write("last words"u8);
        LoseWriteConnection(transport);
        transport.Write("dropped"u8);

        PeerReadsToTheEnd(peer, "last words"u8);
        peer.RunUntil(() => protocol.Events.Contains("write lost"), "WriteConnectionLost runs");
        peer.Write("still listening?"u8);
        peer.RunUntil(() => protocol.Received.Count >= 16, "the protocol reads after its half-close");
        protocol.Received.Should().Equal("still listening?"u8.ToArray());
        protocol.Events.Should().Equal("made", "write lost");
        transport.Disconnecting.Should().BeFalse();

        peer.Close();
        LostOnce<ConnectionDoneException>(peer, protocol);
        protocol.Events.Should().Equal("made", "write lost", "lost ConnectionDoneException");
    }

    [SpecFact]
    public void The_peer_s_FIN_tells_a_half_closeable_protocol_which_can_still_write()
    {
        var protocol = new HalfCloseableRecordingProtocol();
        var peer = Open(protocol);

        peer.Write("request"u8);
        peer.Close();

        peer.RunUntil(() => protocol.Events.Contains("read lost"), "ReadConnectionLost runs");
        protocol.Received.Should().Equal("request"u8.ToArray(), "the data comes before the FIN");
        peer.Settle();
        (protocol.Lost.Count, peer.Transport.Disconnecting).Should().Be((0, false));
        peer.Transport.Write("response"u8);
        peer.Transport.LoseConnection();

        LostOnce<ConnectionDoneException>(peer, protocol);
        protocol.Events.Should().Equal("made", "read lost", "lost ConnectionDoneException");
        PeerReadsToTheEnd(peer, "response"u8);
    }

    [SpecFact]
    public void The_peer_s_FIN_closes_any_other_protocol_cleanly_after_its_reply_is_sent()
    {
        var protocol = new RecordingStreamProtocol { OnData = (p, _) => p.Transport!.Write("response"u8) };
        var peer = Open(protocol);

        peer.Write("request"u8);
        peer.Close();

        LostOnce<ConnectionDoneException>(peer, protocol);
        PeerReadsToTheEnd(peer, "response"u8);
    }

    [SpecFact]
    public void LoseWriteConnection_waits_for_the_buffer_before_the_FIN()
    {
        var protocol = new HalfCloseableRecordingProtocol();
        var peer = Open(protocol);
        peer.StopReading();
        var written = WriteUntil(peer, () => peer.Transport.BufferedBytes > 0);

        LoseWriteConnection(peer.Transport);
        peer.Settle();
        protocol.Events.Should().Equal("made");
        peer.StartReading();

        peer.RunUntil(() => peer.End != PeerEnd.Open, "the peer reads everything and the FIN");
        peer.End.Should().Be(PeerEnd.EndOfStream);
        peer.Received.Should().Equal(Pattern(0, written));
        peer.RunUntil(() => protocol.Events.Contains("write lost"), "WriteConnectionLost runs");
        peer.Transport.Disconnecting.Should().BeFalse();
    }

    [SpecFact]
    public void The_peer_s_FIN_closes_cleanly_only_after_everything_written_is_sent()
    {
        var protocol = new RecordingStreamProtocol();
        var peer = Open(protocol);
        peer.StopReading();
        var written = WriteUntil(peer, () => peer.Transport.BufferedBytes > 0);

        peer.Close();
        peer.Settle();
        protocol.Lost.Should().BeEmpty("what was written is still being sent");
        peer.StartReading();

        LostOnce<ConnectionDoneException>(peer, protocol);
        peer.RunUntil(() => peer.End != PeerEnd.Open, "the peer reads everything and the end");
        peer.End.Should().Be(PeerEnd.EndOfStream);
        peer.Received.Should().Equal(Pattern(0, written));
    }

    [SpecFact]
    public void A_paused_transport_sees_the_peer_s_FIN_only_once_resumed_after_the_data_before_it()
    {
        var protocol = new RecordingStreamProtocol();
        var peer = Open(protocol);
        peer.Transport.PauseProducing();

        peer.Write("last"u8);
        peer.Close();
        peer.Settle();
        (protocol.Received.Count, protocol.Lost.Count).Should().Be((0, 0));

        peer.Transport.ResumeProducing();
        LostOnce<ConnectionDoneException>(peer, protocol);
        protocol.Received.Should().Equal("last"u8.ToArray());
    }

    [SpecFact]
    public void An_exception_from_ReadConnectionLost_closes_the_connection_with_it_as_the_reason()
    {
        var boom = new InvalidOperationException("boom");
        var protocol = new HalfCloseableRecordingProtocol { OnReadLost = _ => throw boom };
        var peer = Open(protocol);

        peer.Close();

        LostOnce<InvalidOperationException>(peer, protocol);
        protocol.Lost[0].Exception.Should().BeSameAs(boom);
    }

    // ---- The connection lost --------------------------------------------------------------------------------------

    [SpecFact]
    public void A_reset_from_the_peer_loses_the_connection()
    {
        var protocol = new RecordingStreamProtocol();
        var peer = Open(protocol);

        peer.Reset();

        LostOnce<ConnectionLostException>(peer, protocol);
    }

    [SpecFact]
    public void An_exception_from_DataReceived_closes_the_connection_with_it_as_the_reason()
    {
        var boom = new InvalidOperationException("boom");
        var protocol = new RecordingStreamProtocol { OnData = (_, _) => throw boom };
        var peer = Open(protocol);

        peer.Write("x"u8);

        LostOnce<InvalidOperationException>(peer, protocol);
        protocol.Lost[0].Exception.Should().BeSameAs(boom);
        peer.RunUntil(() => peer.End != PeerEnd.Open, "the peer reads the end");
        peer.End.Should().Be(PeerEnd.EndOfStream);
    }

    [SpecFact]
    public void A_reset_is_noticed_while_data_waits_to_be_sent_even_when_paused()
    {
        var protocol = new RecordingStreamProtocol();
        var peer = Open(protocol);
        peer.Transport.PauseProducing();
        peer.StopReading();
        WriteUntil(peer, () => peer.Transport.BufferedBytes > 0);

        peer.Reset();

        LostOnce<ConnectionLostException>(peer, protocol);
        peer.Transport.BufferedBytes.Should().Be(0);
    }

    [SpecFact]
    public void A_reset_while_LoseConnection_waits_for_the_buffer_loses_the_connection()
    {
        var protocol = new RecordingStreamProtocol();
        var peer = Open(protocol);
        peer.StopReading();
        WriteUntil(peer, () => peer.Transport.BufferedBytes > 0);
        peer.Transport.LoseConnection();

        peer.Reset();

        LostOnce<ConnectionLostException>(peer, protocol);
    }

    [SpecFact]
    public void An_exception_from_ConnectionMade_aborts_the_connection_with_it_as_the_reason()
    {
        var boom = new InvalidOperationException("boom");
        var protocol = new RecordingStreamProtocol { OnMade = _ => throw boom };

        var peer = Open(protocol);

        LostOnce<InvalidOperationException>(peer, protocol);
        protocol.Lost[0].Exception.Should().BeSameAs(boom);
        peer.RunUntil(() => peer.End != PeerEnd.Open, "the peer reads the end");
        peer.End.Should().BeOneOf(AbortSeenAs);
    }

    [SpecFact]
    public void An_exception_from_a_producer_closes_the_connection_with_it_as_the_reason()
    {
        var boom = new InvalidOperationException("boom");
        var protocol = new RecordingStreamProtocol();
        var peer = Open(protocol);

        peer.Transport.RegisterProducer(new CountingPullProducer { OnResume = _ => throw boom }, streaming: false);

        LostOnce<InvalidOperationException>(peer, protocol);
        protocol.Lost[0].Exception.Should().BeSameAs(boom);
    }

    // ---- Reading paused -------------------------------------------------------------------------------------------

    [SpecFact]
    public void A_paused_transport_delivers_nothing_until_resumed()
    {
        var protocol = new RecordingStreamProtocol();
        var peer = Open(protocol);

        peer.Transport.PauseProducing();
        peer.Write("held"u8);
        peer.Settle();
        protocol.Received.Should().BeEmpty();

        peer.Transport.ResumeProducing();
        protocol.Received.Should().BeEmpty("never from inside ResumeProducing");
        peer.RunUntil(() => protocol.Received.Count >= 4, "the held data is delivered");
        protocol.Received.Should().Equal("held"u8.ToArray());
    }

    [SpecFact]
    public void Pausing_inside_DataReceived_stops_delivery_at_once()
    {
        var protocol = new RecordingStreamProtocol { OnData = (p, _) => p.Transport!.PauseProducing() };
        var peer = Open(protocol);
        var data = Pattern(0, 500_000);

        // More than one read's worth, and less than any kernel holds (a UNIX socket's buffers are ~200 KiB, TCP's more).
        peer.Write(data.AsSpan(0, 100_000));
        peer.RunUntil(() => protocol.Received.Count > 0, "the first data arrives");
        peer.Settle();
        protocol.Received.Count.Should().BeLessThanOrEqualTo(64 * 1024, "one read at most, then the transport stopped reading");

        protocol.OnData = null;
        peer.Transport.ResumeProducing();
        peer.Write(data.AsSpan(100_000));
        peer.RunUntil(() => protocol.Received.Count >= data.Length, "the rest is delivered");
        protocol.Received.Should().Equal(data);
    }

    [SpecFact]
    public void Pausing_in_ConnectionMade_holds_the_first_data()
    {
        var protocol = new RecordingStreamProtocol { OnMade = p => p.Transport!.PauseProducing() };
        var peer = Open(protocol);

        peer.Write("early"u8);
        peer.Settle();
        protocol.Received.Should().BeEmpty();

        peer.Transport.ResumeProducing();
        peer.RunUntil(() => protocol.Received.Count >= 5, "the held data is delivered");
    }

    // ---- Producers ------------------------------------------------------------------------------------------------

    [SpecFact]
    public void A_streaming_producer_is_paused_once_above_the_high_watermark_and_resumed_once_at_the_low()
    {
        var protocol = new RecordingStreamProtocol();
        var peer = Open(protocol);
        var transport = peer.Transport;
        var producer = new CountingPushProducer();
        long bufferedAtResume = -1;
        producer.OnResume = () => bufferedAtResume = transport.BufferedBytes;
        transport.RegisterProducer(producer, streaming: true);
        peer.StopReading();

        var written = WriteUntil(peer, () => producer.Paused);
        producer.Pauses.Should().Be(1);
        transport.BufferedBytes.Should().BeGreaterThan(transport.HighWatermark);
        for (var i = 0; i < 3; i++)
        {
            transport.Write(Pattern(written, Chunk));
            written += Chunk;
        }

        producer.Pauses.Should().Be(1, "once per crossing");
        peer.StartReading();
        peer.RunUntil(() => producer.Resumes > 0, "the producer is resumed");
        bufferedAtResume.Should().BeLessThanOrEqualTo(transport.LowWatermark);
        peer.RunUntil(() => peer.Received.Count >= written, "the peer has read everything");
        peer.Settle();
        (producer.Pauses, producer.Resumes, producer.Stops).Should().Be((1, 1, 0));
        peer.Received.Should().Equal(Pattern(0, written));
    }

    [SpecFact]
    public void A_pull_producer_is_asked_at_registration_and_again_each_time_the_buffer_has_drained()
    {
        var protocol = new RecordingStreamProtocol();
        var peer = Open(protocol);
        var transport = peer.Transport;
        const int chunks = 5;
        var producer = ChunkProducer(() => transport, chunks, 1000);

        transport.RegisterProducer(producer, streaming: false);
        producer.Resumes.Should().Be(1, "a pull producer is asked for its first chunk at once");

        peer.RunUntil(() => peer.Received.Count >= chunks * 1000, "the peer has read every chunk");
        peer.Settle();
        producer.Resumes.Should().Be(chunks);
        peer.Received.Should().Equal(Pattern(0, chunks * 1000));
    }

    [SpecFact]
    public void A_pull_producer_is_not_asked_while_its_data_waits_in_the_buffer()
    {
        var protocol = new RecordingStreamProtocol();
        var peer = Open(protocol);
        var transport = peer.Transport;
        peer.StopReading();
        var producer = new CountingPullProducer { OnResume = _ => transport.Write(new byte[256 * 1024]) };

        transport.RegisterProducer(producer, streaming: false);
        peer.RunUntil(() => transport.BufferedBytes > 0, "the kernel is full and data waits in the transport");
        var asked = producer.Resumes;
        peer.Settle();
        producer.Resumes.Should().Be(asked);

        peer.StartReading();
        peer.RunUntil(() => producer.Resumes > asked, "the drained buffer asks for more");
        transport.UnregisterProducer();
    }

    [SpecFact]
    public void A_pull_producer_registered_inside_DataReceived_is_asked_until_it_is_done()
    {
        var protocol = new RecordingStreamProtocol();
        const int chunks = 4;
        var producer = ChunkProducer(() => protocol.Transport!, chunks, 500, afterLast: () => protocol.Transport!.LoseConnection());
        protocol.OnData = (p, _) => p.Transport!.RegisterProducer(producer, streaming: false);
        var peer = Open(protocol);

        peer.Write("go"u8);

        LostOnce<ConnectionDoneException>(peer, protocol);
        producer.Resumes.Should().Be(chunks);
        peer.RunUntil(() => peer.End != PeerEnd.Open, "the peer reads everything and the end");
        peer.Received.Should().Equal(Pattern(0, chunks * 500));
    }

    [SpecFact]
    public void LoseConnection_waits_for_a_registered_producer_to_unregister()
    {
        var protocol = new RecordingStreamProtocol();
        var peer = Open(protocol);
        var producer = new CountingPushProducer();
        peer.Transport.RegisterProducer(producer, streaming: true);

        peer.Transport.LoseConnection();
        peer.Settle();
        protocol.Lost.Should().BeEmpty();

        peer.Transport.UnregisterProducer();
        LostOnce<ConnectionDoneException>(peer, protocol);
        producer.Stops.Should().Be(0);
    }

    [SpecFact]
    public void LoseConnection_with_a_pull_producer_registered_completes_once_it_has_finished()
    {
        var protocol = new RecordingStreamProtocol();
        var peer = Open(protocol);
        var transport = peer.Transport;
        const int chunks = 5;
        var producer = ChunkProducer(() => transport, chunks, 1000);
        transport.RegisterProducer(producer, streaming: false);

        transport.LoseConnection();

        // The producer is asked after each chunk, as while open, until it unregisters; what it writes meanwhile is sent
        // (that is what the close waits for, D27); then the close goes ahead.
        LostOnce<ConnectionDoneException>(peer, protocol);
        (producer.Resumes, producer.Stops).Should().Be((chunks, 0));
        peer.RunUntil(() => peer.End != PeerEnd.Open, "the peer reads the end");
        peer.End.Should().Be(PeerEnd.EndOfStream);
        peer.Received.Count.Should().Be(chunks * 1000, "every chunk the producer wrote before unregistering arrives");
    }

    [SpecFact]
    public void A_producer_registered_when_the_connection_is_lost_is_stopped()
    {
        var protocol = new RecordingStreamProtocol();
        var peer = Open(protocol);
        var producer = new CountingPushProducer();
        peer.Transport.RegisterProducer(producer, streaming: true);

        peer.Reset();

        LostOnce<ConnectionLostException>(peer, protocol);
        producer.Stops.Should().Be(1);
    }

    [SpecFact]
    public void A_producer_registered_after_the_connection_closed_is_stopped_at_once()
    {
        var protocol = new RecordingStreamProtocol();
        var peer = Open(protocol);
        peer.Transport.LoseConnection();
        LostOnce<ConnectionDoneException>(peer, protocol);
        var producer = new CountingPullProducer();

        peer.Transport.RegisterProducer(producer, streaming: false);

        (producer.Stops, producer.Resumes).Should().Be((1, 0));
    }

    // ---- Helpers --------------------------------------------------------------------------------------------------

    /// <summary>Half-closes a transport that can (TCP's and UNIX's both have <c>LoseWriteConnection</c>).</summary>
    private static void LoseWriteConnection(ITransport transport)
    {
        switch (transport)
        {
            case ITcpTransport tcp:
                tcp.LoseWriteConnection();
                break;
            case IUnixTransport unix:
                unix.LoseWriteConnection();
                break;
            default:
                throw new Xunit.Sdk.XunitException($"{transport.GetType().Name} has no half-close.");
        }
    }

    /// <summary>Bytes 0, 1, ... 250, 0, ... from <paramref name="offset"/> on: a stream whose every position is checkable.</summary>
    protected static byte[] Pattern(long offset, int length)
    {
        var bytes = new byte[length];
        for (var i = 0; i < length; i++)
        {
            bytes[i] = (byte)((offset + i) % 251);
        }

        return bytes;
    }

    /// <summary>
    /// A pull producer that writes the next <paramref name="size"/> bytes of <see cref="Pattern"/> each time it is asked,
    /// and unregisters (then runs <paramref name="afterLast"/>) with the last of <paramref name="chunks"/>.
    /// </summary>
    private static CountingPullProducer ChunkProducer(Func<ITransport> transport, int chunks, int size, Action? afterLast = null) => new()
    {
        OnResume = p =>
        {
            transport().Write(Pattern((p.Resumes - 1) * (long)size, size));
            if (p.Resumes == chunks)
            {
                transport().UnregisterProducer();
                afterLast?.Invoke();
            }
        },
    };

    /// <summary>The peer reads exactly <paramref name="expected"/>, then end of stream.</summary>
    private static void PeerReadsToTheEnd(StreamPeer peer, ReadOnlySpan<byte> expected)
    {
        peer.RunUntil(() => peer.End != PeerEnd.Open, "the peer reads the end");
        peer.End.Should().Be(PeerEnd.EndOfStream);
        peer.Received.Should().Equal(expected.ToArray());
    }

    private StreamPeer Open(RecordingStreamProtocol protocol)
    {
        var peer = Connect(protocol);
        _peers.Add(peer);
        protocol.Events.Should().StartWith("made", "Connect returns once the connection is made");
        return peer;
    }

    /// <summary>
    /// Writes <see cref="Pattern"/> in 64 KiB chunks, from outside any callback, until <paramref name="done"/> (the kernel
    /// full, a producer paused); returns how many bytes were written. Bounded: 1 GiB is more than any kernel buffers.
    /// </summary>
    private static int WriteUntil(StreamPeer peer, Func<bool> done)
    {
        var written = 0;
        while (!done())
        {
            written.Should().BeLessThan(1 << 30, "the kernel should have been full long before");
            peer.Transport.Write(Pattern(written, Chunk));
            written += Chunk;
        }

        return written;
    }

    /// <summary>ConnectionLost ran, exactly once (even after the loop ran on), with a reason of exactly <typeparamref name="T"/>, and with the protocol already disconnected.</summary>
    private static void LostOnce<T>(StreamPeer peer, RecordingStreamProtocol protocol)
        where T : Exception
    {
        peer.RunUntil(() => protocol.Lost.Count > 0, "ConnectionLost runs");
        peer.Settle();
        protocol.Lost.Should().ContainSingle().Which.Exception.Should().BeOfType<T>();
        protocol.ConnectedDuringLost.Should().BeFalse();
        peer.Transport.Disconnecting.Should().BeTrue();
    }
}
