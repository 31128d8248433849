using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Security.Authentication;
using Reactor.Tls;

namespace Reactor.Soak;

/// <summary>
/// One soak run in one process: a reactor with an echo port, a multicast receiver and sender on 127.0.0.1, a
/// <see cref="LoopingCall"/> every 10 ms that also schedules one-shot timers whose lateness is measured, a load
/// thread sending echo traffic from a plain socket, and TCP and TLS (<c>ListenSsl</c>, a self-signed certificate made
/// for the run) echo ports, each with a load thread that opens, uses and closes batches of connections (so a leaked
/// connection shows as descriptor growth). Loopback only; every loop ends at the deadline.
/// </summary>
internal static class SoakRun
{
    /// <summary>RSS the process may gain between the warmed-up start and the end: the GC settling, not growth per datagram.</summary>
    private const long RssMarginBytes = 64L << 20;

    /// <summary>Descriptors the runtime may open on its own (thread-pool and timer handles); the run's sockets are fixed.</summary>
    private const int DescriptorMargin = 8;

    private const string Group = "239.255.42.42";
    private const int EchoMaxPacketSize = 8192;
    private static readonly TimeSpan TickInterval = TimeSpan.FromMilliseconds(10);
    private static readonly TimeSpan MaxOneShotDelay = TimeSpan.FromMilliseconds(200);

    public static int Run(TimeSpan duration, TimeSpan reportEvery)
    {
        var started = Stopwatch.GetTimestamp();
        var reactor = ReactorFactory.Create(new ReactorOptions());
        var metrics = new UdpMetrics();
        var timers = new TimerStats((int)(duration.TotalSeconds * 110) + 1_000);
        var echo = new EchoProtocol();
        var multicastReceiver = new CountingProtocol();
        var initial = Snapshot.Take();
        Snapshot? warmed = null;
        Snapshot? final = null;
        var load = new EchoLoad();
        Thread? loadThread = null;
        var tcpServer = new TcpServerStats();
        var tcpLoad = new TcpEchoLoad(certificate: null);
        Thread? tcpLoadThread = null;
        using var certificate = SelfSignedCertificate();
        var tlsServer = new TcpServerStats();
        var tlsLoad = new TcpEchoLoad(certificate);
        Thread? tlsLoadThread = null;
        var multicastSent = 0L;
        var random = new Random(42);
        var warmup = TimeSpan.FromSeconds(Math.Min(30, duration.TotalSeconds / 4));
        var lastOneShot = duration - MaxOneShotDelay - TimeSpan.FromMilliseconds(300);

        Console.WriteLine($"soak: {duration.TotalSeconds:F0} s, backend {ReactorFactory.ResolveBackend(ReactorBackend.Auto)}, report every {reportEvery.TotalSeconds:F0} s");
        Console.WriteLine($"soak: at process start: {initial}");

        reactor.CallWhenRunning(() =>
        {
            var echoPort = reactor.ListenUdp(0, echo, "127.0.0.1", EchoMaxPacketSize);
            var receiverPort = reactor.ListenMulticast(0, multicastReceiver, "", listenMultiple: true);
            receiverPort.JoinGroup(Group, "127.0.0.1").AddErrback(f =>
            {
                Console.WriteLine($"soak: joining {Group} on 127.0.0.1 failed: {f.Exception.Message}");
                return (object?)null;
            });
            var senderPort = reactor.ListenMulticast(0, new CountingProtocol(), "127.0.0.1");
            senderPort.SetOutgoingInterface("127.0.0.1");
            var groupAddress = new IPEndPoint(IPAddress.Parse(Group), receiverPort.GetHost().Port);

            var tick = LoopingCall.WithCount(reactor, intervals =>
            {
                timers.Ticks++;
                timers.SkippedIntervals += intervals - 1;
                senderPort.Write("soak multicast"u8, groupAddress);
                multicastSent++;
                if (Stopwatch.GetElapsedTime(started) < lastOneShot)
                {
                    var delay = TimeSpan.FromTicks(random.NextInt64(MaxOneShotDelay.Ticks));
                    var due = Stopwatch.GetTimestamp() + (long)(delay.TotalSeconds * Stopwatch.Frequency);
                    timers.Scheduled++;
                    reactor.CallLater(delay, () => timers.Fired(Stopwatch.GetTimestamp() - due));
                }
            });
            tick.Start(TickInterval);

            loadThread = new Thread(() => load.Run(echoPort.GetHost(), started, duration - TimeSpan.FromSeconds(1)))
            {
                IsBackground = true,
                Name = "soak echo load",
            };
            loadThread.Start();

            var tcpPort = reactor.ListenTcp(0, Factory.ForProtocol(() => new TcpEchoProtocol(tcpServer)), @interface: "127.0.0.1");
            var tcpEndpoint = new IPEndPoint(IPAddress.Loopback, tcpPort.GetHost().Port);
            tcpLoadThread = new Thread(() => tcpLoad.Run(tcpEndpoint, started, duration - TimeSpan.FromSeconds(1)))
            {
                IsBackground = true,
                Name = "soak tcp load",
            };
            tcpLoadThread.Start();

            var tlsPort = reactor.ListenSsl(0, Factory.ForProtocol(() => new TcpEchoProtocol(tlsServer)), new TlsServerOptions(certificate), @interface: "127.0.0.1");
            var tlsEndpoint = new IPEndPoint(IPAddress.Loopback, tlsPort.GetHost().Port);
            tlsLoadThread = new Thread(() => tlsLoad.Run(tlsEndpoint, started, duration - TimeSpan.FromSeconds(1)))
            {
                IsBackground = true,
                Name = "soak tls load",
            };
            tlsLoadThread.Start();

            var report = new LoopingCall(reactor, () =>
            {
                var elapsed = Stopwatch.GetElapsedTime(started);
                if (warmed is null && elapsed >= warmup)
                {
                    warmed = Snapshot.Take();
                    Console.WriteLine($"soak: warmed-up start (t={elapsed.TotalSeconds:F0} s): {warmed}");
                }

                metrics.Collect();
                Console.WriteLine(
                    $"soak: t={elapsed.TotalSeconds:F0} s  udp received {metrics.Received} sent {metrics.Sent}  echo {echo.Count}  "
                    + $"multicast {multicastReceiver.Count}/{multicastSent}  tcp connections {tcpServer.Opened} open {tcpServer.Opened - tcpServer.Closed} "
                    + $"bytes {tcpServer.Bytes}  tls connections {tlsServer.Opened} open {tlsServer.Opened - tlsServer.Closed} bytes {tlsServer.Bytes}  drops {metrics.DropsText}  {Snapshot.Take()}  lateness {timers.Percentiles()}");
            });
            report.Start(reportEvery, now: false);

            reactor.CallLater(duration, () =>
            {
                tick.Stop();
                report.Stop();
                metrics.Collect();
                final = Snapshot.Take();
                reactor.Stop();
            });
        });

        // A watchdog in case the reactor never stops: the run is bounded whatever happens.
        using var finished = new ManualResetEventSlim();
        var watchdog = new Thread(() =>
        {
            if (!finished.Wait(duration + TimeSpan.FromSeconds(60)))
            {
                Console.WriteLine("soak: FAIL — the reactor did not stop within a minute of the deadline");
                Environment.Exit(3);
            }
        })
        {
            IsBackground = true,
        };
        watchdog.Start();
        reactor.Run();
        finished.Set();
        load.Stop();
        tcpLoad.Stop();
        tlsLoad.Stop();
        var loadJoined = loadThread?.Join(TimeSpan.FromSeconds(10)) ?? true;
        var tcpLoadJoined = tcpLoadThread?.Join(TimeSpan.FromSeconds(10)) ?? true;
        tcpLoadJoined &= tlsLoadThread?.Join(TimeSpan.FromSeconds(10)) ?? true;

        var start = warmed ?? initial;
        final ??= Snapshot.Take();
        var failures = new List<string>();
        if (final.RssBytes > start.RssBytes + RssMarginBytes)
        {
            failures.Add($"RSS grew {(final.RssBytes - start.RssBytes) >> 20} MiB (margin {RssMarginBytes >> 20} MiB)");
        }

        if (final.Descriptors > start.Descriptors + DescriptorMargin)
        {
            failures.Add($"descriptors grew by {final.Descriptors - start.Descriptors} (margin {DescriptorMargin})");
        }

        if (timers.FiredCount != timers.Scheduled)
        {
            failures.Add($"{timers.Scheduled - timers.FiredCount} of {timers.Scheduled} timers never fired");
        }

        if (timers.Ticks == 0 || echo.Count == 0 || multicastReceiver.Count == 0)
        {
            failures.Add($"a part did not run (ticks {timers.Ticks}, echo {echo.Count}, multicast {multicastReceiver.Count})");
        }

        if (!loadJoined || !tcpLoadJoined)
        {
            failures.Add("a load thread did not stop");
        }

        if (tcpLoad.Connections == 0 || tcpServer.Bytes == 0)
        {
            failures.Add($"the TCP echo did not run (connections {tcpLoad.Connections}, bytes {tcpServer.Bytes})");
        }

        if (tcpLoad.Failures > 0 || tcpLoad.BytesEchoed != tcpLoad.BytesSent)
        {
            failures.Add($"TCP echo lost data: {tcpLoad.Failures} connections failed, {tcpLoad.BytesEchoed} of {tcpLoad.BytesSent} bytes echoed");
        }

        if (tcpServer.Opened != tcpServer.Closed)
        {
            failures.Add($"{tcpServer.Opened - tcpServer.Closed} TCP connections still open after every client closed");
        }

        if (tlsLoad.Connections == 0 || tlsServer.Bytes == 0)
        {
            failures.Add($"the TLS echo did not run (connections {tlsLoad.Connections}, bytes {tlsServer.Bytes})");
        }

        if (tlsLoad.Failures > 0 || tlsLoad.BytesEchoed != tlsLoad.BytesSent)
        {
            failures.Add($"TLS echo lost data: {tlsLoad.Failures} connections failed, {tlsLoad.BytesEchoed} of {tlsLoad.BytesSent} bytes echoed");
        }

        if (tlsServer.Opened != tlsServer.Closed)
        {
            failures.Add($"{tlsServer.Opened - tlsServer.Closed} TLS connections still open after every client closed");
        }

        Console.WriteLine("soak: summary");
        Console.WriteLine($"  duration          {Stopwatch.GetElapsedTime(started).TotalSeconds:F1} s");
        Console.WriteLine($"  datagrams handled udp received {metrics.Received}, sent {metrics.Sent}; echo {echo.Count}; multicast received {multicastReceiver.Count} of {multicastSent} sent");
        Console.WriteLine($"  load              sent {load.Sent}, echoed {load.Echoed}, oversized (> {EchoMaxPacketSize} B, dropped by design) {load.Oversized}, unanswered {load.Unanswered}");
        Console.WriteLine($"  tcp echo          {tcpLoad.Connections} connections made, {tcpServer.Opened} accepted, {tcpServer.Closed} closed; "
            + $"{tcpLoad.BytesSent} bytes sent, {tcpLoad.BytesEchoed} echoed, {tcpLoad.Failures} failed");
        Console.WriteLine($"  tls echo          {tlsLoad.Connections} connections made, {tlsServer.Opened} accepted, {tlsServer.Closed} closed; "
            + $"{tlsLoad.BytesSent} bytes sent, {tlsLoad.BytesEchoed} echoed, {tlsLoad.Failures} failed");
        Console.WriteLine($"  drops by reason   {metrics.DropsText}");
        Console.WriteLine($"  memory (RSS)      start {start.RssBytes >> 20} MiB, peak {Snapshot.PeakRssBytes >> 20} MiB, end {final.RssBytes >> 20} MiB (process start {initial.RssBytes >> 20} MiB)");
        Console.WriteLine($"  managed heap      start {start.HeapBytes >> 20} MiB, end {final.HeapBytes >> 20} MiB (after the last GC)");
        Console.WriteLine($"  descriptors       start {start.Descriptors}, end {final.Descriptors} (process start {initial.Descriptors})");
        Console.WriteLine($"  timers            {timers.FiredCount}/{timers.Scheduled} one-shot fired, {timers.Ticks} ticks, {timers.SkippedIntervals} skipped intervals");
        Console.WriteLine($"  timer lateness    {timers.Percentiles()}");
        Console.WriteLine(failures.Count == 0
            ? "soak: PASS — no growth beyond the margins, no lost timers"
            : $"soak: FAIL — {string.Join("; ", failures)}");
        return failures.Count == 0 ? 0 : 1;
    }

    /// <summary>A self-signed ECDSA certificate for 127.0.0.1, made for this run (the TLS load pins it).</summary>
    private static X509Certificate2 SelfSignedCertificate()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=reactor-soak", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
    }

    /// <summary>
    /// RSS and open descriptors of this process, from /proc, and the managed heap after the last GC (so RSS the GC
    /// keeps is told apart from objects the run keeps alive).
    /// </summary>
    private sealed record Snapshot(long RssBytes, int Descriptors, long HeapBytes)
    {
        /// <summary>The highest RSS any snapshot saw.</summary>
        public static long PeakRssBytes { get; private set; }

        public static Snapshot Take()
        {
            var line = File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
            var kib = long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
            PeakRssBytes = Math.Max(PeakRssBytes, kib * 1024);
            return new Snapshot(kib * 1024, Directory.GetFiles("/proc/self/fd").Length, GC.GetGCMemoryInfo().HeapSizeBytes);
        }

        public override string ToString() => $"RSS {RssBytes >> 20} MiB (heap {HeapBytes >> 20} MiB), {Descriptors} fds";
    }

    /// <summary>Lateness of the one-shot timers, in a list sized up front so measuring does not grow the heap.</summary>
    private sealed class TimerStats(int capacity)
    {
        private readonly List<double> _latenessMs = new(capacity);

        public long Ticks { get; set; }

        public long SkippedIntervals { get; set; }

        public long Scheduled { get; set; }

        public long FiredCount { get; private set; }

        public void Fired(long latenessTimestamp)
        {
            FiredCount++;
            if (_latenessMs.Count < _latenessMs.Capacity)
            {
                _latenessMs.Add(Math.Max(0, latenessTimestamp * 1000.0 / Stopwatch.Frequency));
            }
        }

        public string Percentiles()
        {
            if (_latenessMs.Count == 0)
            {
                return "p50 - p99 - max -";
            }

            var sorted = _latenessMs.ToArray();
            Array.Sort(sorted);
            double At(double q) => sorted[Math.Min(sorted.Length - 1, (int)(q * sorted.Length))];
            return string.Create(CultureInfo.InvariantCulture, $"p50 {At(0.50):F2} ms, p99 {At(0.99):F2} ms, max {sorted[^1]:F2} ms");
        }
    }

    /// <summary>The library's own UDP instruments (meter "Reactor"), read through a <see cref="MeterListener"/>.</summary>
    private sealed class UdpMetrics
    {
        private readonly MeterListener _listener = new();
        private readonly Dictionary<string, long> _drops = [];
        private readonly Lock _lock = new();

        public UdpMetrics()
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == "Reactor" && instrument.Name.StartsWith("reactor.udp.datagrams.", StringComparison.Ordinal))
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
            {
                lock (_lock)
                {
                    switch (instrument.Name)
                    {
                        case "reactor.udp.datagrams.received":
                            Received = value;
                            break;
                        case "reactor.udp.datagrams.sent":
                            Sent = value;
                            break;
                        case "reactor.udp.datagrams.dropped":
                            foreach (var tag in tags)
                            {
                                if (tag.Key == "reason")
                                {
                                    _drops[tag.Value?.ToString() ?? "?"] = value;
                                }
                            }

                            break;
                    }
                }
            });
            _listener.Start();
        }

        public long Received { get; private set; }

        public long Sent { get; private set; }

        public string DropsText
        {
            get
            {
                lock (_lock)
                {
                    return _drops.Count == 0 ? "none observed" : string.Join(", ", _drops.OrderBy(d => d.Key).Select(d => $"{d.Key} {d.Value}"));
                }
            }
        }

        public void Collect() => _listener.RecordObservableInstruments();
    }

    /// <summary>Echo traffic from a plain socket: batches of 32 datagrams of random sizes, then their echoes, until the deadline.</summary>
    private sealed class EchoLoad
    {
        private volatile bool _stopped;

        public long Sent { get; private set; }

        public long Echoed { get; private set; }

        public long Oversized { get; private set; }

        public long Unanswered { get; private set; }

        public void Stop() => _stopped = true;

        public void Run(IPEndPoint echo, long started, TimeSpan runFor)
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            socket.ReceiveBufferSize = 4 << 20;
            var random = new Random(7);
            var payload = new byte[9_000];
            var reply = new byte[70_000];
            while (!_stopped && Stopwatch.GetElapsedTime(started) < runFor)
            {
                var expected = 0;
                for (var i = 0; i < 32; i++)
                {
                    // One in 64 is over the echo port's maxPacketSize: the port drops it and counts it as truncated.
                    var size = random.Next(64) == 0 ? payload.Length : random.Next(0, 1_401);
                    socket.SendTo(payload.AsSpan(0, size), SocketFlags.None, echo);
                    Sent++;
                    if (size > EchoMaxPacketSize)
                    {
                        Oversized++;
                    }
                    else
                    {
                        expected++;
                    }
                }

                var answered = 0;
                while (answered < expected && socket.Poll(TimeSpan.FromMilliseconds(200), SelectMode.SelectRead))
                {
                    socket.Receive(reply);
                    answered++;
                }

                Echoed += answered;
                Unanswered += expected - answered;
            }
        }
    }

    /// <summary>What the TCP echo port saw (reactor thread only; read after the reactor stopped).</summary>
    private sealed class TcpServerStats
    {
        public long Opened { get; set; }

        public long Closed { get; set; }

        public long Bytes { get; set; }
    }

    private sealed class TcpEchoProtocol(TcpServerStats stats) : Protocol
    {
        public override void ConnectionMade() => stats.Opened++;

        public override void DataReceived(ReadOnlySpan<byte> data)
        {
            stats.Bytes += data.Length;
            Transport!.Write(data);
        }

        public override void ConnectionLost(Failure reason) => stats.Closed++;
    }

    /// <summary>
    /// TCP echo traffic from plain blocking sockets: batches of 8 connections, each sending 16 chunks of random size (up
    /// to 8 KiB) and reading every echoed byte back before the next, then closed; until the deadline. Every read has a
    /// timeout, so a lost byte ends that connection as a failure instead of hanging.
    /// </summary>
    private sealed class TcpEchoLoad(X509Certificate2? certificate)
    {
        private volatile bool _stopped;

        public long Connections { get; private set; }

        public long BytesSent { get; private set; }

        public long BytesEchoed { get; private set; }

        public long Failures { get; private set; }

        public void Stop() => _stopped = true;

        public void Run(IPEndPoint echo, long started, TimeSpan runFor)
        {
            var random = new Random(11);
            var payload = new byte[8 * 1024];
            random.NextBytes(payload);
            var reply = new byte[payload.Length];
            var sockets = new List<Socket>(8);
            var streams = new List<Stream>(8);
            while (!_stopped && Stopwatch.GetElapsedTime(started) < runFor)
            {
                try
                {
                    for (var i = 0; i < 8; i++)
                    {
                        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp)
                        {
                            NoDelay = true,
                            ReceiveTimeout = 5_000,
                            SendTimeout = 5_000,
                        };
                        sockets.Add(socket);
                        socket.Connect(echo);
                        Connections++;
                        if (certificate is not null)
                        {
                            var tls = new SslStream(new NetworkStream(socket, ownsSocket: false), leaveInnerStreamOpen: false,
                                (_, presented, _, _) => presented is not null && presented.GetCertHashString() == certificate.GetCertHashString());
                            tls.AuthenticateAsClient("localhost");
                            streams.Add(tls);
                        }
                        else
                        {
                            streams.Add(new NetworkStream(socket, ownsSocket: false));
                        }
                    }

                    for (var round = 0; round < 16; round++)
                    {
                        foreach (var stream in streams)
                        {
                            var size = random.Next(1, payload.Length + 1);
                            stream.Write(payload.AsSpan(0, size));
                            BytesSent += size;
                            var received = 0;
                            while (received < size)
                            {
                                var n = stream.Read(reply.AsSpan(received, size - received));
                                if (n == 0)
                                {
                                    throw new SocketException((int)SocketError.ConnectionReset);
                                }

                                received += n;
                            }

                            BytesEchoed += received;
                        }
                    }
                }
                catch (Exception e) when (e is SocketException or IOException or AuthenticationException)
                {
                    Failures++;
                }
                finally
                {
                    foreach (var stream in streams)
                    {
                        stream.Dispose();
                    }

                    streams.Clear();
                    foreach (var socket in sockets)
                    {
                        socket.Dispose();
                    }

                    sockets.Clear();
                }
            }
        }
    }

    private sealed class EchoProtocol : DatagramProtocol
    {
        public long Count { get; private set; }

        public override void DatagramReceived(ReadOnlySpan<byte> datagram, IPEndPoint sender)
        {
            Count++;
            Transport!.Write(datagram, sender);
        }
    }

    private sealed class CountingProtocol : DatagramProtocol
    {
        public long Count { get; private set; }

        public override void DatagramReceived(ReadOnlySpan<byte> datagram, IPEndPoint sender) => Count++;
    }
}
