using System.Net;
using System.Net.Sockets;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using Reactor.Tests.Tcp;
using RecordingStreamProtocol = Reactor.Tests.Tcp.RecordingStreamProtocol;

namespace Reactor.Tests.Metrics;

/// <summary>
/// The <c>Reactor</c> meter read as an OpenTelemetry user reads it (<c>AddMeter("Reactor")</c>, here into the in-memory
/// exporter) after real traffic over loopback: names, units, semantic-convention attributes and values.
/// </summary>
[Collection(MetricsCollection.Name)]
public sealed class OpenTelemetryMetricsTests : IDisposable
{
    private readonly List<MetricSnapshot> _exported = [];
    private readonly MeterProvider _provider;

    public OpenTelemetryMetricsTests()
    {
        _provider = Sdk.CreateMeterProviderBuilder()
            .AddMeter("Reactor")
            .AddInMemoryExporter(_exported)
            .Build();
    }

    public void Dispose() => _provider.Dispose();

    [Theory]
    [InlineData("127.0.0.1", "ipv4")]
    [InlineData("::1", "ipv6")]
    public void UDP_traffic_shows_in_the_reactor_udp_instruments_with_network_transport_and_type(string loopback, string networkType)
    {
        using var reactor = ReactorFactory.Create();
        var before = Collect();
        var port = reactor.ListenUdp(0, new Echo(), loopback);
        var address = IPAddress.Parse(loopback);
        using var client = new Socket(address.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        client.Bind(new IPEndPoint(address, 0));
        var server = new IPEndPoint(address, port.GetHost().Port);
        client.SendTo("hello"u8, server);
        client.SendTo("otel"u8, server);
        var buffer = new byte[64];
        var echoes = 0;
        reactor.RunUntil(() =>
        {
            while (client.Available > 0)
            {
                client.Receive(buffer);
                echoes++;
            }

            return echoes == 2;
        });

        var after = Collect();
        var udp = new Dictionary<string, object?> { ["network.transport"] = "udp", ["network.type"] = networkType };
        Unit(after, "reactor.udp.datagrams.received").Should().Be("{datagram}");
        Unit(after, "reactor.udp.bytes.received").Should().Be("By");
        Unit(after, "reactor.udp.datagrams.sent").Should().Be("{datagram}");
        Unit(after, "reactor.udp.bytes.sent").Should().Be("By");
        Unit(after, "reactor.udp.datagrams.dropped").Should().Be("{datagram}");
        Unit(after, "reactor.udp.pending_writes").Should().Be("{datagram}");
        Delta(before, after, "reactor.udp.datagrams.received", udp).Should().Be(2);
        Delta(before, after, "reactor.udp.bytes.received", udp).Should().Be(9);
        Delta(before, after, "reactor.udp.datagrams.sent", udp).Should().Be(2);
        Delta(before, after, "reactor.udp.bytes.sent", udp).Should().Be(9);
        after.Single(m => m.Name == "reactor.udp.datagrams.received").MetricPoints
            .Should().OnlyContain(p => Keys(p).SetEquals(new[] { "network.transport", "network.type" }));
        after.Single(m => m.Name == "reactor.udp.datagrams.dropped").MetricPoints
            .Should().OnlyContain(p => Keys(p).SetEquals(new[] { "network.transport", "network.type", "reason" }));
        Points(after, "reactor.udp.datagrams.dropped").Select(p => Tags(p)["reason"]).Distinct()
            .Should().BeEquivalentTo(["truncated", "queue_full", "send_error"]);
        port.StopListening();
    }

    [Fact]
    public void TCP_traffic_shows_in_the_reactor_tcp_instruments_with_network_transport_type_and_direction()
    {
        using var reactor = ReactorFactory.Create();
        var before = Collect();
        var server = new RecordingServerFactory { Configure = p => p.OnData = (q, data) => q.Transport!.Write(data) };
        var port = reactor.ListenTcp(0, server, @interface: "127.0.0.1");
        var pinger = new RecordingStreamProtocol { OnMade = p => p.Transport!.Write("ping!"u8) };
        var client = new RecordingClientFactory { Build = _ => pinger };
        reactor.ConnectTcp("127.0.0.1", port.GetHost().Port, client);
        reactor.RunUntil(() => pinger.Received.Length == 5);

        var open = Collect();
        var tcp = new Dictionary<string, object?> { ["network.transport"] = "tcp", ["network.type"] = "ipv4" };
        Unit(open, "reactor.tcp.connections.opened").Should().Be("{connection}");
        Unit(open, "reactor.tcp.connections.active").Should().Be("{connection}");
        Unit(open, "reactor.tcp.bytes.received").Should().Be("By");
        Unit(open, "reactor.tcp.bytes.sent").Should().Be("By");
        Delta(before, open, "reactor.tcp.connections.opened", new(tcp) { ["direction"] = "inbound" }).Should().Be(1);
        Delta(before, open, "reactor.tcp.connections.opened", new(tcp) { ["direction"] = "outbound" }).Should().Be(1);
        Delta(before, open, "reactor.tcp.connections.active", tcp).Should().Be(2, "both ends are open");
        Delta(before, open, "reactor.tcp.bytes.received", tcp).Should().Be(10, "5 bytes each way");
        Delta(before, open, "reactor.tcp.bytes.sent", tcp).Should().Be(10);
        Points(open, "reactor.tcp.connections.opened")
            .Should().OnlyContain(p => Keys(p).IsSubsetOf(new[] { "network.transport", "network.type", "direction" }) && Keys(p).Contains("direction"));

        pinger.Transport!.LoseConnection();
        reactor.RunUntil(() => server.Protocols is [{ Losses: 1 }] && client.LostReason is not null);
        var closed = Collect();
        Delta(before, closed, "reactor.tcp.connections.active", tcp).Should().Be(0);
        Delta(before, closed, "reactor.tcp.connections.closed", new(tcp) { ["reason"] = "done" }).Should().Be(2);
        port.StopListening();
    }

    /// <summary>Every instrument the meter publishes reaches OpenTelemetry with its OpenTelemetry unit.</summary>
    [Fact]
    public void Every_instrument_reaches_OpenTelemetry_with_its_unit()
    {
        using var reactor = ReactorFactory.Create();
        reactor.ListenUdp(0, new Echo(), "127.0.0.1");
        reactor.ListenTcp(0, new RecordingServerFactory(), @interface: "127.0.0.1");
        reactor.CallLater(TimeSpan.Zero, () => { });
        reactor.CallFromThread(() => { });
        reactor.Iterate(TimeSpan.Zero);
        reactor.Iterate(TimeSpan.Zero);

        var metrics = Collect().ToDictionary(m => m.Name, m => m.Unit);
        metrics.Should().Contain(new Dictionary<string, string>
        {
            ["reactor.udp.datagrams.received"] = "{datagram}",
            ["reactor.tcp.connections.active"] = "{connection}",
            ["reactor.tcp.connect.failures"] = "{attempt}",
            ["reactor.tls.handshakes"] = "{handshake}",
            ["reactor.loop.iterations"] = "{iteration}",
            ["reactor.callback.duration"] = "s",
            ["reactor.timer.lateness"] = "s",
        });
        metrics.Keys.Should().OnlyContain(name => name.StartsWith("reactor.", StringComparison.Ordinal));
    }

    private List<MetricSnapshot> Collect()
    {
        _exported.Clear();
        _provider.ForceFlush(10_000).Should().BeTrue();
        return [.. _exported];
    }

    private static string Unit(List<MetricSnapshot> metrics, string name) => metrics.Single(m => m.Name == name).Unit;

    private static IEnumerable<MetricPoint> Points(List<MetricSnapshot> metrics, string name) =>
        metrics.SingleOrDefault(m => m.Name == name)?.MetricPoints ?? [];

    private static Dictionary<string, object?> Tags(MetricPoint point)
    {
        var tags = new Dictionary<string, object?>();
        foreach (var tag in point.Tags)
        {
            tags[tag.Key] = tag.Value;
        }

        return tags;
    }

    private static HashSet<string> Keys(MetricPoint point) => [.. Tags(point).Keys];

    /// <summary>The point whose attributes are exactly <paramref name="tags"/>: its cumulative sum (0 when absent).</summary>
    private static long Value(List<MetricSnapshot> metrics, string name, Dictionary<string, object?> tags)
    {
        var metric = metrics.SingleOrDefault(m => m.Name == name);
        if (metric is null)
        {
            return 0;
        }

        foreach (var point in metric.MetricPoints)
        {
            var pointTags = Tags(point);
            if (pointTags.Count == tags.Count && tags.All(t => pointTags.TryGetValue(t.Key, out var v) && Equals(v, t.Value)))
            {
                return metric.MetricType is MetricType.LongSum or MetricType.LongSumNonMonotonic ? point.GetSumLong() : point.GetGaugeLastValueLong();
            }
        }

        return 0;
    }

    private static long Delta(List<MetricSnapshot> before, List<MetricSnapshot> after, string name, Dictionary<string, object?> tags) =>
        Value(after, name, tags) - Value(before, name, tags);

    private sealed class Echo : DatagramProtocol
    {
        public override void DatagramReceived(ReadOnlySpan<byte> datagram, IPEndPoint sender) => Transport!.Write(datagram, sender);
    }
}
