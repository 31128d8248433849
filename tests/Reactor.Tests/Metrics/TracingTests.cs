using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using OpenTelemetry;
using OpenTelemetry.Trace;
using Reactor.Endpoints;
using Reactor.Internal;
using Reactor.Tests.Support;
using Reactor.Tests.Tcp;
using Reactor.Tests.Tls;
using Reactor.Tls;

namespace Reactor.Tests.Metrics;

/// <summary>
/// The <c>Reactor</c> activity source read as an OpenTelemetry user reads it (<c>AddSource("Reactor")</c>, into the
/// in-memory exporter): spans for name resolution, connects and TLS handshakes, their parents, tags and status. In the
/// metrics collection (run alone), so no other test's connects land in the exporter.
/// </summary>
[Collection(MetricsCollection.Name)]
public sealed class TracingTests : IDisposable
{
    private readonly List<Activity> _spans = [];
    private readonly TracerProvider _provider;

    public TracingTests()
    {
        _provider = Sdk.CreateTracerProviderBuilder()
            .AddSource("Reactor")
            .AddInMemoryExporter(_spans)
            .Build();
    }

    public void Dispose() => _provider.Dispose();

    [Fact]
    public void The_source_is_named_Reactor_with_the_assembly_version()
    {
        Telemetry.Source.Name.Should().Be("Reactor");
        Telemetry.Source.Version.Should().Be(typeof(IReactor).Assembly.GetName().Version!.ToString());
    }

    [Fact]
    public void ConnectTcp_to_a_host_name_is_a_connect_span_with_the_lookup_as_its_child()
    {
        using var reactor = ReactorFactory.Create();
        var port = reactor.ListenTcp(0, new RecordingServerFactory(), @interface: "127.0.0.1").GetHost().Port;
        reactor.InstallResolver(new FixedResolver(IPAddress.Loopback));
        var client = new RecordingClientFactory();
        reactor.ConnectTcp("reactor.test", port, client);
        reactor.RunUntil(() => client.Protocols.Count == 1);

        var connect = Single(Telemetry.ConnectActivity, port);
        var resolve = _spans.Single(s => s.OperationName == Telemetry.ResolveActivity && (string?)s.GetTagItem("dns.question.name") == "reactor.test");
        resolve.ParentSpanId.Should().Be(connect.SpanId, "the lookup is part of the attempt");
        resolve.TraceId.Should().Be(connect.TraceId);
        resolve.DisplayName.Should().Be("DNS lookup reactor.test");
        resolve.GetTagItem("dns.answers").Should().BeEquivalentTo(new[] { "127.0.0.1" });
        resolve.Status.Should().NotBe(ActivityStatusCode.Error);

        connect.Kind.Should().Be(ActivityKind.Client);
        connect.DisplayName.Should().Be($"connect reactor.test:{port}");
        connect.GetTagItem("server.address").Should().Be("reactor.test");
        connect.GetTagItem("network.transport").Should().Be("tcp");
        connect.GetTagItem("network.type").Should().Be("ipv4");
        connect.GetTagItem("network.peer.address").Should().Be("127.0.0.1");
        connect.GetTagItem("network.peer.port").Should().Be(port);
        connect.Status.Should().NotBe(ActivityStatusCode.Error);
        Activity.Current.Should().BeNull("a span is never left current on the reactor thread");
    }

    [Theory]
    [InlineData("127.0.0.1", "ipv4")]
    [InlineData("::1", "ipv6")]
    public void A_refused_connect_is_a_connect_span_with_error_status_and_error_type(string loopback, string networkType)
    {
        using var reactor = ReactorFactory.Create();
        var closed = TcpConnectingTests.ClosedPort(loopback);
        var client = new RecordingClientFactory();
        reactor.ConnectTcp(loopback, closed, client);
        reactor.RunUntil(() => client.FailedReason is not null);

        var connect = Single(Telemetry.ConnectActivity, closed);
        connect.Status.Should().Be(ActivityStatusCode.Error);
        connect.StatusDescription.Should().NotBeNullOrEmpty();
        connect.GetTagItem("error.type").Should().Be("connection_refused");
        connect.GetTagItem("network.type").Should().Be(networkType);
        connect.GetTagItem("network.peer.address").Should().Be(loopback);
        _spans.Should().NotContain(s => s.OperationName == Telemetry.ResolveActivity && (string?)s.GetTagItem("dns.question.name") == loopback,
            "an IP literal is not looked up");
    }

    [Fact]
    public void A_failed_lookup_fails_the_lookup_span_and_its_connect_span()
    {
        using var reactor = ReactorFactory.Create();
        reactor.InstallResolver(new FixedResolver());
        var client = new RecordingClientFactory();
        reactor.ConnectTcp("nowhere.test", 4242, client);
        reactor.RunUntil(() => client.FailedReason is not null);

        var connect = Single(Telemetry.ConnectActivity, 4242);
        var resolve = _spans.Single(s => s.OperationName == Telemetry.ResolveActivity && (string?)s.GetTagItem("dns.question.name") == "nowhere.test");
        resolve.ParentSpanId.Should().Be(connect.SpanId);
        resolve.Status.Should().Be(ActivityStatusCode.Error);
        resolve.GetTagItem("error.type").Should().Be("host_not_found");
        connect.Status.Should().Be(ActivityStatusCode.Error);
        connect.GetTagItem("error.type").Should().Be("host_not_found");
    }

    [Fact]
    public void HostnameEndpoint_is_one_span_with_its_lookup_and_each_attempt_as_children()
    {
        using var reactor = ReactorFactory.Create();
        var port = reactor.ListenTcp(0, new RecordingServerFactory(), @interface: "127.0.0.1").GetHost().Port;
        // ::1 first, on which nothing listens at this port (one attempt refused), then 127.0.0.1.
        reactor.InstallResolver(new FixedResolver(IPAddress.IPv6Loopback, IPAddress.Loopback));
        var connected = new HostnameEndpoint(reactor, "reactor.test", port).Connect(Factory.ForProtocol(() => new Protocol()));
        reactor.RunUntil(() => connected.Called);

        var parent = Single(Telemetry.HostnameConnectActivity, port);
        parent.DisplayName.Should().Be($"connect reactor.test:{port}");
        parent.Status.Should().NotBe(ActivityStatusCode.Error);
        var children = _spans.Where(s => s.ParentSpanId == parent.SpanId).ToList();
        children.Should().ContainSingle(s => s.OperationName == Telemetry.ResolveActivity);
        var attempts = children.Where(s => s.OperationName == Telemetry.ConnectActivity).ToList();
        attempts.Select(a => a.GetTagItem("network.peer.address")).Should().BeEquivalentTo(new[] { "::1", "127.0.0.1" });
        attempts.Single(a => (string?)a.GetTagItem("network.peer.address") == "::1").GetTagItem("error.type").Should().Be("connection_refused");
        attempts.Single(a => (string?)a.GetTagItem("network.peer.address") == "127.0.0.1").Status.Should().NotBe(ActivityStatusCode.Error);
    }

    [Fact]
    public void TLS_handshakes_are_client_and_server_spans_with_the_protocol_version()
    {
        using var pair = TlsTestKit.Pair(ReactorBackend.Portable, "127.0.0.1", clientOptions: TlsTestKit.ClientOptions("localhost"));
        var port = pair.Port.GetHost().Port;
        var handshakes = _spans.Where(s => s.OperationName == Telemetry.TlsHandshakeActivity).ToList();
        var client = handshakes.Single(s => s.Kind == ActivityKind.Client && Equals(s.GetTagItem("network.peer.port"), port));
        client.DisplayName.Should().Be("TLS client handshake localhost");
        client.GetTagItem("server.address").Should().Be("localhost");
        client.GetTagItem("tls.protocol.name").Should().Be("tls");
        client.GetTagItem("tls.protocol.version").Should().BeOneOf("1.2", "1.3");
        client.Status.Should().NotBe(ActivityStatusCode.Error);
        var server = handshakes.Single(s => s.Kind == ActivityKind.Server && (string?)s.GetTagItem("network.peer.address") == "127.0.0.1");
        server.DisplayName.Should().Be("TLS server handshake");
        server.GetTagItem("tls.protocol.version").Should().Be(client.GetTagItem("tls.protocol.version"));
    }

    [Fact]
    public void A_failed_TLS_handshake_is_an_error_span_with_the_failure_reason()
    {
        using var reactor = ReactorFactory.Create();
        var port = reactor.ListenSsl(0, new RecordingServerFactory(), TlsTestKit.ServerOptions(TestCertificates.Untrusted), @interface: "127.0.0.1").GetHost().Port;
        var client = new RecordingClientFactory();
        reactor.ConnectSsl("127.0.0.1", port, client, TlsTestKit.ClientOptions("localhost"));
        reactor.RunUntil(() => client.FailedReason is not null || client.LostReason is not null);
        reactor.RunUntil(() => _spans.Any(s => s.OperationName == Telemetry.TlsHandshakeActivity && s.Kind == ActivityKind.Client && Equals(s.GetTagItem("network.peer.port"), port)));

        var handshake = _spans.Single(s => s.OperationName == Telemetry.TlsHandshakeActivity && s.Kind == ActivityKind.Client && Equals(s.GetTagItem("network.peer.port"), port));
        handshake.Status.Should().Be(ActivityStatusCode.Error);
        handshake.GetTagItem("error.type").Should().Be("untrusted_certificate");
    }

    [Fact]
    public void Traffic_on_a_connection_starts_no_span()
    {
        using var reactor = ReactorFactory.Create();
        var server = new RecordingServerFactory { Configure = p => p.OnData = (q, data) => q.Transport!.Write(data) };
        var port = reactor.ListenTcp(0, server, @interface: "127.0.0.1").GetHost().Port;
        var udp = reactor.ListenUdp(0, new Echo(), "127.0.0.1");
        var client = new RecordingClientFactory();
        reactor.ConnectTcp("127.0.0.1", port, client);
        reactor.RunUntil(() => client.Protocols.Count == 1 && server.Protocols.Count == 1);
        _provider.ForceFlush();
        var spansBefore = _spans.Count;

        using var datagrams = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        datagrams.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var echoes = 0;
        var buffer = new byte[16];
        for (var i = 0; i < 50; i++)
        {
            client.Protocols[0].Transport!.Write("x"u8);
            datagrams.SendTo("y"u8, new IPEndPoint(IPAddress.Loopback, udp.GetHost().Port));
        }

        reactor.RunUntil(() =>
        {
            while (datagrams.Available > 0)
            {
                datagrams.Receive(buffer);
                echoes++;
            }

            return client.Protocols[0].Received.Length == 50 && echoes == 50;
        });

        _provider.ForceFlush();
        _spans.Count.Should().Be(spansBefore, "reads, writes and datagrams are the data path: no span per datagram or read");
    }

    [Fact]
    public void With_no_listener_the_tracing_code_allocates_nothing_and_starts_no_activity()
    {
        _provider.Dispose(); // the only listener of this process's Reactor source (the collection runs alone)
        Telemetry.Source.HasListeners().Should().BeFalse();
        var previous = Activity.Current;

        // Warm up, then count this thread's allocations over many passes of what the connect path calls.
        Pass();
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1_000; i++)
        {
            Pass();
        }

        GC.GetAllocatedBytesForCurrentThread().Should().Be(before, "with nobody listening, tracing costs a HasListeners check");
        Activity.Current.Should().Be(previous);

        // And a real connect (with its lookup) produces no activity: an ActivityListener attached to every other source hears none of ours.
        var started = new List<Activity>();
        using var other = new ActivityListener
        {
            ShouldListenTo = source => source.Name != "Reactor",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStarted = started.Add,
        };
        ActivitySource.AddActivityListener(other);
        using var reactor = ReactorFactory.Create();
        reactor.InstallResolver(new FixedResolver(IPAddress.Loopback));
        var port = reactor.ListenTcp(0, new RecordingServerFactory(), @interface: "127.0.0.1").GetHost().Port;
        var client = new RecordingClientFactory();
        reactor.ConnectTcp("reactor.test", port, client);
        reactor.RunUntil(() => client.Protocols.Count == 1);
        started.Should().NotContain(a => a.Source.Name == "Reactor");
        Telemetry.Source.HasListeners().Should().BeFalse();

        static void Pass()
        {
            var activity = Telemetry.Start(Telemetry.ConnectActivity, ActivityKind.Client);
            Telemetry.SetPeer(activity, LoopbackPeer);
            using (Telemetry.MakeCurrent(activity))
            {
            }

            Telemetry.Stop(activity);
        }
    }

    private static readonly IPEndPoint LoopbackPeer = new(IPAddress.Loopback, 1);

    private Activity Single(string operation, int port)
    {
        _provider.ForceFlush();
        return _spans.Single(s => s.OperationName == operation && Equals(s.GetTagItem("server.port"), port));
    }

    /// <summary>Answers every lookup with fixed addresses (none: the name is not found), as a test's own resolver.</summary>
    private sealed class FixedResolver(params IPAddress[] addresses) : IHostResolver
    {
        public Deferred<IReadOnlyList<IPAddress>> ResolveHostAddresses(string name, AddressFamily family) =>
            addresses.Length == 0
                ? Deferred.Fail<IReadOnlyList<IPAddress>>(new DnsLookupException(name))
                : Deferred.Succeed<IReadOnlyList<IPAddress>>(addresses);
    }

    private sealed class Echo : DatagramProtocol
    {
        public override void DatagramReceived(ReadOnlySpan<byte> datagram, IPEndPoint sender) => Transport!.Write(datagram, sender);
    }
}
