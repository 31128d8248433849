using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Reactor.Internal;
using Reactor.Tests.Support;

namespace Reactor.Tests.Metrics;

/// <summary>Tests that read the process-wide meter run alone, so the counts they see are their own.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MetricsCollection
{
    public const string Name = "Metrics";
}

/// <summary>The <c>Reactor</c> meter, read the way a user's collector reads it: with a <see cref="MeterListener"/>.</summary>
/// <remarks>
/// A hand-written listener stays here (OpenTelemetryMetricsTests reads the same instruments through OpenTelemetry): it is
/// the user-facing <c>System.Diagnostics.Metrics</c> path the docs show, it enumerates every published instrument (the
/// names-and-units test), and it sums each collection's per-kind measurements, which one MetricCollector per instrument
/// would need twenty-two of.
/// </remarks>
[Collection(MetricsCollection.Name)]
public sealed class MetricsTests : IDisposable
{
    private static readonly IPEndPoint Peer = new(IPAddress.Loopback, 5555);

    private readonly MeterListener _listener = new();
    private readonly Dictionary<string, Instrument> _instruments = [];
    private readonly Dictionary<string, long> _longs = [];
    private readonly Dictionary<string, long> _observed = [];
    private readonly List<(string Name, double Value, string? Kind)> _doubles = [];
    private readonly IReactor _reactor = ReactorFactory.Create(new ReactorOptions { Udp = { MaxPendingWrites = 2 }, LoggerFactory = NullLoggerFactory.Instance });
    private readonly FakeSockets _fakes = new();

    public MetricsTests()
    {
        // Each transport's instruments exist once its metrics class has been used; make them all exist now.
        _ = ReactorMetrics.LoopIterations;
        System.Runtime.CompilerServices.RuntimeHelpers.RunClassConstructor(typeof(Reactor.Internal.Udp.UdpMetrics).TypeHandle);
        System.Runtime.CompilerServices.RuntimeHelpers.RunClassConstructor(typeof(Reactor.Internal.Streams.StreamMetrics).TypeHandle);
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == "Reactor")
            {
                _instruments[instrument.Name] = instrument;
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            var key = instrument.Name + Tag(tags, "reason") + Tag(tags, "direction");
            lock (_longs)
            {
                // Observable counters report totals, one per kind of socket (network.transport, network.type) in use:
                // summed within a collection (Collect starts each from zero); the loop counter reports increments.
                if (instrument is ObservableInstrument<long>)
                {
                    _observed[key] = _observed.GetValueOrDefault(key) + value;
                }
                else
                {
                    _longs[key] = _longs.GetValueOrDefault(key) + value;
                }
            }
        });
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) =>
        {
            lock (_doubles)
            {
                _doubles.Add((instrument.Name, value, Tag(tags, "reactor.callback.kind")));
            }
        });
        _listener.Start();
        _reactor.Internal().Sockets = _fakes;
    }

    public void Dispose()
    {
        _listener.Dispose();
        _reactor.Dispose();
    }

    [Fact]
    public void The_meter_is_named_Reactor_and_every_instrument_has_its_OpenTelemetry_name_and_unit()
    {
        _instruments.ToDictionary(i => i.Key, i => i.Value.Unit).Should().BeEquivalentTo(new Dictionary<string, string>
        {
            ["reactor.udp.datagrams.received"] = "{datagram}",
            ["reactor.udp.datagrams.sent"] = "{datagram}",
            ["reactor.udp.bytes.received"] = "By",
            ["reactor.udp.bytes.sent"] = "By",
            ["reactor.udp.datagrams.dropped"] = "{datagram}",
            ["reactor.udp.pending_writes"] = "{datagram}",
            ["reactor.tcp.connections.opened"] = "{connection}",
            ["reactor.tcp.connections.active"] = "{connection}",
            ["reactor.tcp.connections.closed"] = "{connection}",
            ["reactor.tcp.bytes.received"] = "By",
            ["reactor.tcp.bytes.sent"] = "By",
            ["reactor.tcp.write_buffer"] = "By",
            ["reactor.tcp.write_buffer.overflows"] = "{connection}",
            ["reactor.tcp.writes.dropped"] = "{write}",
            ["reactor.tcp.accepts.dropped"] = "{connection}",
            ["reactor.tcp.connect.failures"] = "{attempt}",
            ["reactor.tls.handshakes"] = "{handshake}",
            ["reactor.tls.bytes.received"] = "By",
            ["reactor.tls.bytes.sent"] = "By",
            ["reactor.loop.iterations"] = "{iteration}",
            ["reactor.callback.duration"] = "s",
            ["reactor.timer.lateness"] = "s",
        });
        _instruments.Values.Should().OnlyContain(i => !string.IsNullOrEmpty(i.Description));
    }

    [Fact]
    public void Datagrams_and_bytes_received_and_sent_are_counted_and_survive_the_port_closing()
    {
        var before = Collect();
        var port = _reactor.ListenUdp(0, new EchoProtocol());
        _fakes.Datagram[^1].Enqueue("hello"u8.ToArray(), Peer);
        _fakes.Datagram[^1].Enqueue("hi"u8.ToArray(), Peer);
        _fakes.Datagram[^1].RaiseReadable();

        var after = Collect();
        Delta(before, after, "reactor.udp.datagrams.received").Should().Be(2);
        Delta(before, after, "reactor.udp.bytes.received").Should().Be(7);
        Delta(before, after, "reactor.udp.datagrams.sent").Should().Be(2);
        Delta(before, after, "reactor.udp.bytes.sent").Should().Be(7);

        port.StopListening();
        _reactor.Iterate(TimeSpan.Zero);
        _reactor.Iterate(TimeSpan.Zero);
        var closed = Collect();
        Delta(before, closed, "reactor.udp.datagrams.received").Should().Be(2, "a counter never goes backwards");
        Delta(before, closed, "reactor.udp.bytes.sent").Should().Be(7);
    }

    [Fact]
    public void Drops_are_counted_by_reason()
    {
        var before = Collect();
        var port = _reactor.ListenUdp(0, new EchoProtocol(), maxPacketSize: 4);
        var socket = _fakes.Datagram[^1];
        socket.EnqueueTruncated(Peer);
        socket.RaiseReadable();

        socket.NextSendResults(SocketError.NetworkUnreachable);
        port.Write("x"u8, Peer);

        socket.NextSendResults(SocketError.WouldBlock);
        for (var i = 0; i < 4; i++)
        {
            port.Write("q"u8, Peer); // the first is refused and queued, one more fits, two are dropped
        }

        var after = Collect();
        Delta(before, after, "reactor.udp.datagrams.dropped/truncated").Should().Be(1);
        Delta(before, after, "reactor.udp.datagrams.dropped/send_error").Should().Be(1);
        Delta(before, after, "reactor.udp.datagrams.dropped/queue_full").Should().Be(2);
        after["reactor.udp.pending_writes"].Should().Be(2);

        socket.RaiseWritable();
        Collect()["reactor.udp.pending_writes"].Should().Be(0, "the queue has drained");
    }

    [Fact]
    public void Loop_iterations_callback_durations_and_timer_lateness_are_recorded()
    {
        var before = Collect();
        _reactor.CallLater(TimeSpan.Zero, () => { });
        _reactor.CallFromThread(() => { });
        _reactor.Iterate(TimeSpan.Zero);
        _reactor.Iterate(TimeSpan.Zero);

        var after = Collect();
        Delta(before, after, "reactor.loop.iterations").Should().BeGreaterThanOrEqualTo(2);
        lock (_doubles)
        {
            _doubles.Should().Contain(d => d.Name == "reactor.callback.duration" && d.Kind == "timer");
            _doubles.Should().Contain(d => d.Name == "reactor.callback.duration" && d.Kind == "call_from_thread");
            _doubles.Should().Contain(d => d.Name == "reactor.timer.lateness");
            _doubles.Should().OnlyContain(d => d.Value >= 0);
        }
    }

    [Fact]
    public void The_loop_instruments_read_through_MetricCollector_carry_their_units_and_the_callback_kind()
    {
        using var durations = new MetricCollector<double>(null, "Reactor", "reactor.callback.duration");
        using var lateness = new MetricCollector<double>(null, "Reactor", "reactor.timer.lateness");
        using var iterations = new MetricCollector<long>(null, "Reactor", "reactor.loop.iterations");
        _reactor.CallLater(TimeSpan.Zero, () => { });
        _reactor.CallFromThread(() => { });
        _reactor.Iterate(TimeSpan.Zero);
        _reactor.Iterate(TimeSpan.Zero);

        durations.Instrument!.Unit.Should().Be("s");
        durations.GetMeasurementSnapshot().Select(m => m.Tags["reactor.callback.kind"]).Should().Contain(new object?[] { "timer", "call_from_thread" });
        durations.GetMeasurementSnapshot().Should().OnlyContain(m => m.Value >= 0);
        lateness.GetMeasurementSnapshot().Should().NotBeEmpty().And.OnlyContain(m => m.Value >= 0 && m.Tags.Count == 0);
        iterations.Instrument!.Unit.Should().Be("{iteration}");
        iterations.GetMeasurementSnapshot().Sum(m => m.Value).Should().BeGreaterThanOrEqualTo(2);
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void Tcp_connections_and_bytes_are_counted_by_direction_and_reason(ReactorBackend backend)
    {
        using var reactor = TestBackends.Create(backend);
        var before = Collect();
        var server = new Reactor.Tests.Tcp.RecordingServerFactory
        {
            Configure = p => p.OnData = (q, data) =>
            {
                q.Transport!.Write(data);
                q.Transport.LoseConnection();
                q.Transport.Write("dropped"u8);
            },
        };
        var port = reactor.ListenTcp(0, server, @interface: "127.0.0.1");
        var client = new Reactor.Tests.Tcp.RecordingClientFactory { Build = _ => new Reactor.Tests.Tcp.RecordingStreamProtocol { OnMade = p => p.Transport!.Write("hello"u8) } };
        reactor.ConnectTcp("127.0.0.1", port.GetHost().Port, client);
        var refused = new Reactor.Tests.Tcp.RecordingClientFactory();
        reactor.ConnectTcp("127.0.0.1", Reactor.Tests.Tcp.TcpConnectingTests.ClosedPort("127.0.0.1"), refused);
        Reactor.Tests.Tcp.TcpTestKit.RunUntil(reactor, () => client.LostReason is not null && refused.FailedReason is not null && server.Protocols is [{ Losses: 1 }]);

        var after = Collect();
        Delta(before, after, "reactor.tcp.connections.opened/inbound").Should().Be(1);
        Delta(before, after, "reactor.tcp.connections.opened/outbound").Should().Be(1);
        Delta(before, after, "reactor.tcp.connections.closed/done").Should().Be(2);
        Delta(before, after, "reactor.tcp.bytes.received").Should().Be(10, "5 bytes each way");
        Delta(before, after, "reactor.tcp.bytes.sent").Should().Be(10);
        Delta(before, after, "reactor.tcp.writes.dropped").Should().Be(1);
        Delta(before, after, "reactor.tcp.connect.failures").Should().Be(1);
        Delta(before, after, "reactor.tcp.connections.active").Should().Be(0);
    }

    private static string Tag(ReadOnlySpan<KeyValuePair<string, object?>> tags, string name)
    {
        foreach (var tag in tags)
        {
            if (tag.Key == name)
            {
                return name is "reason" or "direction" ? "/" + tag.Value : (string)tag.Value!;
            }
        }

        return name is "reason" or "direction" ? "" : null!;
    }

    private static long Delta(Dictionary<string, long> before, Dictionary<string, long> after, string name) =>
        after.GetValueOrDefault(name) - before.GetValueOrDefault(name);

    private Dictionary<string, long> Collect()
    {
        lock (_longs)
        {
            _observed.Clear();
        }

        _listener.RecordObservableInstruments();
        lock (_longs)
        {
            var all = new Dictionary<string, long>(_longs);
            foreach (var (key, value) in _observed)
            {
                all[key] = value;
            }

            return all;
        }
    }

    private sealed class EchoProtocol : DatagramProtocol
    {
        public override void DatagramReceived(ReadOnlySpan<byte> datagram, IPEndPoint sender) => Transport!.Write(datagram, sender);
    }
}
