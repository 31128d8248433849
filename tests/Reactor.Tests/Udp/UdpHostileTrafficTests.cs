using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Reactor.Internal.Udp;
using Reactor.Tests.Samples;
using Reactor.Tests.Support;
using Xunit.Abstractions;

namespace Reactor.Tests.Udp;

/// <summary>
/// Issue 7, hostile and unlucky traffic: floods of every size, protocols that throw, block or close their own port, and
/// ICMP-unreachable storms. The reactor keeps running and every drop is counted. Loopback only; every loop is bounded
/// in count and time.
/// </summary>
[Collection(SampleCollection.Name)]
[Trait("kind", "hostile")]
public class UdpHostileTrafficTests(ITestOutputHelper output)
{
    /// <summary>Memory the Echo sample may gain across a flood: the GC heap settling and the runtime's own pools, not growth per datagram.</summary>
    private const long RssMarginBytes = 64L << 20;

    private static readonly TimeSpan FloodDuration = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan ProbeBound = TimeSpan.FromSeconds(1);
    private const int MaxDatagramsPerSender = 200_000;

    [Fact]
    public void The_Echo_sample_answers_every_probe_within_a_second_during_a_flood_of_every_size_keeps_its_memory_flat_and_exits_0()
    {
        using var echo = SampleProcess.StartSample("Echo", "--quiet", "--port", "0", "--interface", "127.0.0.1");
        var line = echo.WaitForLine(l => l.StartsWith("Echo starting on ", StringComparison.Ordinal));
        var server = new IPEndPoint(IPAddress.Loopback, int.Parse(line["Echo starting on ".Length..], CultureInfo.InvariantCulture));

        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        Probe(probe, server, 0).Should().NotBeNull("the sample answers before the flood");
        var rssBefore = VmRss(echo.Id);

        using var stop = new CancellationTokenSource(FloodDuration);
        var sent = new long[2];
        var senders = Enumerable.Range(0, 2).Select(i => new Thread(() => Flood(server, i, stop.Token, ref sent[i]))
        {
            IsBackground = true,
            Name = $"flood sender {i}",
        }).ToArray();
        foreach (var sender in senders)
        {
            sender.Start();
        }

        // One probe every 100 ms while the flood runs. UDP under a flood may lose the probe datagram itself in a full
        // socket buffer (the kernel's choice, not the reactor's), so a probe is asked again every 100 ms; what must hold
        // is that some answer comes within the bound.
        var roundTrips = new List<TimeSpan?>();
        var sequence = 1;
        while (!stop.IsCancellationRequested && roundTrips.Count < 100)
        {
            var started = Stopwatch.GetTimestamp();
            roundTrips.Add(Probe(probe, server, sequence++));
            var rest = TimeSpan.FromMilliseconds(100) - Stopwatch.GetElapsedTime(started);
            if (rest > TimeSpan.Zero && !stop.IsCancellationRequested)
            {
                stop.Token.WaitHandle.WaitOne(rest);
            }
        }

        foreach (var sender in senders)
        {
            sender.Join(TimeSpan.FromSeconds(10)).Should().BeTrue("the senders stop at the flood's deadline");
        }

        (sent[0] + sent[1]).Should().BeGreaterThan(100, "the flood did send");
        roundTrips.Should().HaveCountGreaterThanOrEqualTo(10);
        roundTrips.Should().AllSatisfy(rtt => rtt.Should().NotBeNull($"every probe is answered within {ProbeBound} while the flood runs"));
        Probe(probe, server, sequence).Should().NotBeNull("the sample answers after the flood");

        var rssAfter = VmRss(echo.Id);
        var answered = roundTrips.Where(r => r is not null).Select(r => r!.Value.TotalMilliseconds).ToArray();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"flood: {sent[0] + sent[1]} datagrams in {FloodDuration.TotalSeconds} s; {answered.Length}/{roundTrips.Count} probes answered, max {(answered.Length > 0 ? answered.Max() : 0):F1} ms; RSS {rssBefore >> 20} → {rssAfter >> 20} MiB"));
        rssAfter.Should().BeLessThan(rssBefore + RssMarginBytes, $"memory stays flat across {sent[0] + sent[1]} datagrams (before {rssBefore >> 20} MiB)");

        echo.Terminate();
        echo.WaitForExit(TimeSpan.FromSeconds(15)).Should().Be(0);
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void A_protocol_that_throws_on_every_datagram_gets_one_logged_error_each_and_timers_keep_firing(ReactorBackend backend)
    {
        const int count = 50;
        var logs = new TestLoggerFactory();
        var reactor = TestBackends.Create(backend, logs);
        var thrower = new RecordingProtocol { OnDatagram = (_, _, _) => throw new InvalidOperationException("hostile protocol") };
        var port = reactor.ListenUdp(0, thrower, "127.0.0.1");
        using var sender = PlainSender();
        for (var i = 0; i < count; i++)
        {
            sender.SendTo(Encoding.ASCII.GetBytes($"d{i}"), port.GetHost());
        }

        var ticks = 0;
        var openAtTheEnd = false;
        var timer = new LoopingCall(reactor, () =>
        {
            ticks++;
            if (thrower.Received.Count == count && ticks >= 5)
            {
                openAtTheEnd = !((UdpPort)port).IsClosed;
                reactor.Stop();
            }
        });
        reactor.CallWhenRunning(() => timer.Start(TimeSpan.FromMilliseconds(10)));
        reactor.RunWithTimeout();

        thrower.Received.Should().HaveCount(count);
        logs.WithEventId(204).Should().HaveCount(count);
        ticks.Should().BeGreaterThanOrEqualTo(5);
        openAtTheEnd.Should().BeTrue("the port stays open (Run's shutdown closes it afterwards)");
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void A_protocol_that_blocks_for_a_second_delays_the_other_ports_datagrams_but_loses_none(ReactorBackend backend)
    {
        const int count = 100;
        var reactor = TestBackends.Create(backend);
        var other = new RecordingProtocol();
        var blockEnded = 0L;
        var otherPort = reactor.ListenUdp(0, other, "127.0.0.1");
        var blocker = new RecordingProtocol
        {
            OnDatagram = (_, _, _) =>
            {
                // The other port's datagrams arrive while this callback holds the reactor thread; 100 small datagrams
                // fit the socket buffer, so none may be lost.
                using var sender = PlainSender();
                for (var i = 0; i < count; i++)
                {
                    sender.SendTo(Encoding.ASCII.GetBytes($"o{i}"), otherPort.GetHost());
                }

                // The hostile behaviour under test (not synchronisation): a callback that blocks the reactor for a second.
                Thread.Sleep(TimeSpan.FromSeconds(1));
                blockEnded = Stopwatch.GetTimestamp();
            },
        };
        var deliveredAt = new List<long>();
        other.OnDatagram = (p, _, _) =>
        {
            deliveredAt.Add(Stopwatch.GetTimestamp());
            if (p.Received.Count == count)
            {
                reactor.Stop();
            }
        };
        var blockerPort = reactor.ListenUdp(0, blocker, "127.0.0.1");
        using var trigger = PlainSender();
        trigger.SendTo("block"u8, blockerPort.GetHost());
        reactor.RunWithTimeout();

        other.Received.Select(r => Encoding.ASCII.GetString(r.Data)).Should().Equal(Enumerable.Range(0, count).Select(i => $"o{i}"));
        deliveredAt.Should().AllSatisfy(t => t.Should().BeGreaterThanOrEqualTo(blockEnded, "delivered after the block, not during it"));
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void A_protocol_that_stops_its_own_port_inside_DatagramReceived_closes_it_once_and_the_reactor_keeps_running(ReactorBackend backend)
    {
        var reactor = TestBackends.Create(backend);
        var stoppedDeferreds = new List<Deferred<object?>>();
        var closer = new RecordingProtocol { OnDatagram = (p, _, _) => stoppedDeferreds.Add(p.Transport!.StopListening()) };
        var port = reactor.ListenUdp(0, closer, "127.0.0.1");
        var portAddress = port.GetHost();
        using var sender = PlainSender();
        for (var i = 0; i < 10; i++)
        {
            sender.SendTo("close yourself"u8, portAddress);
        }

        var fired = 0;
        var servedAfterwards = false;
        reactor.CallWhenRunning(() => reactor.CallLater(TimeSpan.FromMilliseconds(200), () =>
        {
            // By now the port is closed; the reactor still runs timers and serves another port.
            var echo = reactor.ListenUdp(0, new EchoProtocol(), "127.0.0.1");
            var probe = new RecordingProtocol
            {
                OnDatagram = (_, _, _) =>
                {
                    servedAfterwards = true;
                    reactor.Stop();
                },
            };
            reactor.ListenUdp(0, probe, "127.0.0.1").Write("probe"u8, echo.GetHost());
        }));
        reactor.CallWhenRunning(() => reactor.CallLater(TimeSpan.FromMilliseconds(100), () =>
        {
            stoppedDeferreds.Should().NotBeEmpty();
            stoppedDeferreds.Distinct().Should().ContainSingle("StopListening is idempotent");
            stoppedDeferreds[0].AddCallback(_ => fired++);
        }));
        reactor.RunWithTimeout();

        closer.Stops.Should().Be(1);
        closer.Starts.Should().Be(1);
        fired.Should().Be(1);
        ((UdpPort)port).IsClosed.Should().BeTrue();
        servedAfterwards.Should().BeTrue();
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void An_ICMP_unreachable_storm_on_a_connected_port_leaves_it_open_reports_refusals_outside_Write_and_the_reactor_serves(ReactorBackend backend)
    {
        const int writes = 2_000;
        var reactor = TestBackends.Create(backend);
        var insideWrite = false;
        var refusedInsideWrite = 0;
        var client = new RecordingProtocol { OnRefused = () => refusedInsideWrite += insideWrite ? 1 : 0 };
        var closedPort = FreeLoopbackPort();
        IUdpTransport? clientPort = null;
        var written = 0;
        var served = false;
        var openAfterStorm = false;
        LoopingCall? storm = null;
        storm = new LoopingCall(reactor, () =>
        {
            insideWrite = true;
            try
            {
                clientPort!.Write("anyone?"u8);
            }
            finally
            {
                insideWrite = false;
            }

            if (++written == writes)
            {
                storm!.Stop();
            }
        });
        reactor.CallWhenRunning(() =>
        {
            clientPort = reactor.ListenUdp(0, client, "127.0.0.1");
            clientPort.Connect("127.0.0.1", closedPort);
            storm.Start(TimeSpan.Zero).AddCallback(_ =>
            {
                openAfterStorm = !((UdpPort)clientPort).IsClosed;
                var echo = reactor.ListenUdp(0, new EchoProtocol(), "127.0.0.1");
                var probe = new RecordingProtocol
                {
                    OnDatagram = (_, _, _) =>
                    {
                        served = true;
                        reactor.Stop();
                    },
                };
                reactor.ListenUdp(0, probe, "127.0.0.1").Write("probe"u8, echo.GetHost());
            });
        });
        reactor.RunWithTimeout(TimeSpan.FromSeconds(30));

        written.Should().Be(writes);
        openAfterStorm.Should().BeTrue("the port stays open through the storm");
        client.Refusals.Should().BeGreaterThanOrEqualTo(1);
        refusedInsideWrite.Should().Be(0, "ConnectionRefused is never called from inside Write");
        served.Should().BeTrue();
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void Every_datagram_over_maxPacketSize_in_a_flood_is_counted_as_DroppedTruncated_exactly(ReactorBackend backend)
    {
        const int maxPacketSize = 1_000;
        const int total = 600;
        const int inFlight = 16;
        var reactor = TestBackends.Create(backend);
        var receiver = new RecordingProtocol();
        var port = (UdpPort)reactor.ListenUdp(0, receiver, "127.0.0.1", maxPacketSize);
        var address = port.GetHost();
        var tooBig = 0;
        var senderDone = new ManualResetEventSlim();
        var sender = new Thread(() =>
        {
            using var socket = PlainSender();
            var random = new Random(7);
            var buffer = new byte[4_000];
            for (var i = 0; i < total; i++)
            {
                // Bounded rate: at most inFlight datagrams ahead of the reactor, so the socket buffer never overflows
                // and the kernel drops nothing the port could not count.
                if (!ReactorRunner.WaitUntil(() => Handled(port) >= i - inFlight, TimeSpan.FromSeconds(10)))
                {
                    break;
                }

                var size = random.Next(0, buffer.Length);
                if (size > maxPacketSize)
                {
                    tooBig++;
                }

                socket.SendTo(buffer.AsSpan(0, size), SocketFlags.None, address);
            }

            senderDone.Set();
        })
        {
            IsBackground = true,
            Name = "truncation sender",
        };
        var check = new LoopingCall(reactor, () =>
        {
            if (senderDone.IsSet && Handled(port) == total)
            {
                reactor.Stop();
            }
        });
        reactor.CallWhenRunning(() =>
        {
            sender.Start();
            check.Start(TimeSpan.FromMilliseconds(10));
        });
        reactor.RunWithTimeout(TimeSpan.FromSeconds(30));
        sender.Join(TimeSpan.FromSeconds(10)).Should().BeTrue();

        tooBig.Should().BeGreaterThan(0);
        port.Counters.DroppedTruncated.Should().Be(tooBig);
        port.Counters.DatagramsReceived.Should().Be(total - tooBig);
        receiver.Received.Should().HaveCount(total - tooBig).And.AllSatisfy(r => r.Data.Length.Should().BeLessThanOrEqualTo(maxPacketSize));
    }

    /// <summary>Datagrams the port has dealt with, read from another thread: 64-bit reads of counters only the reactor writes.</summary>
    private static long Handled(UdpPort port) => port.Counters.DatagramsReceived + port.Counters.DroppedTruncated;

    private static TimeSpan? Probe(Socket probe, IPEndPoint server, int sequence)
    {
        var question = Encoding.ASCII.GetBytes($"probe {sequence}");
        var answer = new byte[70_000];
        var started = Stopwatch.GetTimestamp();
        var nextSend = TimeSpan.Zero;
        for (var attempt = 0; attempt < 1_000 && Stopwatch.GetElapsedTime(started) < ProbeBound; attempt++)
        {
            if (Stopwatch.GetElapsedTime(started) >= nextSend)
            {
                probe.SendTo(question, server);
                nextSend += TimeSpan.FromMilliseconds(100);
            }

            if (probe.Poll(TimeSpan.FromMilliseconds(20), SelectMode.SelectRead))
            {
                var length = probe.Receive(answer);
                if (answer.AsSpan(0, length).SequenceEqual(question))
                {
                    return Stopwatch.GetElapsedTime(started);
                }
            }
        }

        return null;
    }

    private static void Flood(IPEndPoint server, int seed, CancellationToken stop, ref long sent)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        socket.SendTimeout = 1_000;
        var random = new Random(seed);
        var payload = new byte[65_507];
        random.NextBytes(payload);
        for (var i = 0; i < MaxDatagramsPerSender && !stop.IsCancellationRequested; i++)
        {
            var size = random.Next(0, payload.Length + 1);
            try
            {
                socket.SendTo(payload.AsSpan(0, size), SocketFlags.None, server);
                sent++;
            }
            catch (SocketException)
            {
                // A send timeout or a queued ICMP error: a flood sender just goes on.
            }
        }
    }

    private static long VmRss(int pid)
    {
        var line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        var kib = long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
        return kib * 1024;
    }

    private static Socket PlainSender()
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return socket;
    }

    private static int FreeLoopbackPort()
    {
        using var socket = PlainSender();
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }

    private sealed class EchoProtocol : DatagramProtocol
    {
        public override void DatagramReceived(ReadOnlySpan<byte> datagram, IPEndPoint sender) => Transport!.Write(datagram, sender);
    }
}
