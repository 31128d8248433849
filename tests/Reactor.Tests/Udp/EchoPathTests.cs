using System.Net;
using System.Net.Sockets;
using Reactor.Internal.Backends.Epoll;
using Reactor.Internal.Linux;
using Reactor.Internal.Udp;
using Reactor.Tests.Support;

namespace Reactor.Tests.Udp;

/// <summary>
/// The hot path: receive → DatagramReceived → Write. Replies written during a receive batch are coalesced (sendmmsg,
/// UDP GSO for runs of equal size to one peer) and must still arrive as the same separate datagrams, in order; and in
/// steady state the path allocates nothing.
/// </summary>
public class EchoPathTests
{
    public static TheoryData<ReactorBackend, bool> BackendsWithAndWithoutSegmentation
    {
        get
        {
            var data = new TheoryData<ReactorBackend, bool>();
            foreach (var backend in TestBackends.All)
            {
                data.Add(backend, true);
                data.Add(backend, false);
            }

            return data;
        }
    }

    [Theory]
    [MemberData(nameof(BackendsWithAndWithoutSegmentation))]
    public void A_burst_echoed_inside_one_batch_comes_back_as_separate_datagrams_in_order(ReactorBackend backend, bool segmentation)
    {
        const int Burst = 200;

        // The whole burst waits in the server's receive buffer before the reactor reads: make room for it.
        var reactor = ReactorFactory.Create(new ReactorOptions { Backend = backend, SocketReceiveBufferSize = 4 << 20 });
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        client.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        client.ReceiveBufferSize = 4 << 20;
        client.ReceiveTimeout = 10_000;
        var server = (UdpPort)reactor.ListenUdp(0, new Echo(Burst, reactor), "127.0.0.1");
        if (backend == ReactorBackend.Epoll)
        {
            var socket = (EpollDatagramSocket)typeof(UdpPort).GetProperty("Socket", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!.GetValue(server)!;
            socket.Segmentation = segmentation;
            socket.Segmentation.Should().Be(segmentation && OperatingSystem.IsLinux());
        }

        // Queue the whole burst before the reactor looks, so it is read (and echoed) in batches.
        var payloads = Enumerable.Range(0, Burst).Select(i => BitConverter.GetBytes(i).Concat(new byte[i % 3 == 0 ? 60 : 28]).ToArray()).ToArray();
        foreach (var payload in payloads)
        {
            client.SendTo(payload, server.GetHost());
        }

        reactor.RunWithTimeout();

        var buffer = new byte[2048];
        for (var i = 0; i < Burst; i++)
        {
            var length = client.Receive(buffer);
            buffer.AsSpan(0, length).ToArray().Should().Equal(payloads[i], $"datagram {i} must come back whole and in order");
        }

        client.Available.Should().Be(0);
        server.Counters.DatagramsSent.Should().Be(Burst);
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void Coalesced_replies_to_several_peers_reach_each_peer(ReactorBackend backend)
    {
        var reactor = TestBackends.Create(backend);
        var server = reactor.ListenUdp(0, new Echo(60, reactor), "127.0.0.1");
        var clients = Enumerable.Range(0, 3).Select(_ =>
        {
            var s = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp) { ReceiveTimeout = 10_000 };
            s.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            return s;
        }).ToArray();
        for (var round = 0; round < 20; round++)
        {
            foreach (var (client, index) in clients.Select((c, i) => (c, i)))
            {
                client.SendTo(new[] { (byte)index, (byte)round }, server.GetHost());
            }
        }

        reactor.RunWithTimeout();
        var buffer = new byte[16];
        foreach (var (client, index) in clients.Select((c, i) => (c, i)))
        {
            for (var round = 0; round < 20; round++)
            {
                client.Receive(buffer).Should().Be(2);
                buffer[0].Should().Be((byte)index);
                buffer[1].Should().Be((byte)round);
            }

            client.Dispose();
        }
    }

    private sealed class Echo(int expected, IReactor reactor) : DatagramProtocol
    {
        private int _count;

        public override void DatagramReceived(ReadOnlySpan<byte> datagram, IPEndPoint sender)
        {
            Transport!.Write(datagram, sender);
            if (++_count == expected)
            {
                reactor.CallLater(TimeSpan.Zero, reactor.Stop);
            }
        }
    }
}


/// <summary>UDP GRO on the epoll backend: a coalesced read is split back into the sender's datagrams before dispatch.</summary>
public class ReceiveOffloadTests
{
    [LinuxTheory]
    [InlineData(true)]
    [InlineData(false)]
    public void A_GSO_burst_arrives_as_the_same_datagrams_with_or_without_GRO(bool receiveOffload)
    {
        const int Segment = 100;
        const int Segments = 40;
        var reactor = ReactorFactory.Create(new ReactorOptions { Backend = ReactorBackend.Epoll, Udp = { ReceiveOffload = receiveOffload } });
        var received = new List<byte[]>();
        var protocol = new Collect(received, Segments + 1, reactor);
        var server = (UdpPort)reactor.ListenUdp(0, protocol, "127.0.0.1");

        using (var sender = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp))
        {
            // One send of 40 × 100 bytes, cut by the kernel (GSO) into 40 datagrams of 100 bytes, plus a shorter last one.
            sender.SetRawSocketOption(17, 103, BitConverter.GetBytes(Segment));
            var burst = new byte[(Segments * Segment) + 7];
            for (var i = 0; i < burst.Length; i++)
            {
                burst[i] = (byte)(i / Segment);
            }

            sender.SendTo(burst, server.GetHost());
        }

        reactor.RunWithTimeout();
        received.Should().HaveCount(Segments + 1);
        for (var i = 0; i < Segments; i++)
        {
            received[i].Should().HaveCount(Segment).And.OnlyContain(b => b == (byte)i);
        }

        received[^1].Should().HaveCount(7);
        var socket = (Reactor.Internal.Backends.Epoll.EpollDatagramSocket)typeof(UdpPort)
            .GetProperty("Socket", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!.GetValue(server)!;
        socket.ReceiveOffload.Should().Be(receiveOffload);
        if (receiveOffload)
        {
            socket.CoalescedReads.Should().BeGreaterThan(0, "the kernel coalesced the burst into one read");
        }
        else
        {
            socket.CoalescedReads.Should().Be(0);
        }
    }

    private sealed class Collect(List<byte[]> received, int expected, IReactor reactor) : DatagramProtocol
    {
        public override void DatagramReceived(ReadOnlySpan<byte> datagram, IPEndPoint sender)
        {
            received.Add(datagram.ToArray());
            if (received.Count == expected)
            {
                reactor.Stop();
            }
        }
    }
}

/// <summary>
/// The allocation measurement runs alone: another test's MeterListener would record measurements on this reactor thread
/// (the loop's counters call listeners synchronously), and its allocations would be counted here.
/// </summary>
[Collection(AllocationMeasurementCollection.Name)]
public class EchoPathAllocationTests
{
    [Theory]
    [MemberData(nameof(Families.BackendsAndLoopbacks), MemberType = typeof(Families))]
    [Trait("measures", "allocations")]
    public void The_echo_path_allocates_nothing_per_datagram_in_steady_state(ReactorBackend backend, string loopback)
    {
        const int WarmUp = 2_000;
        const int Measured = 20_000;
        var reactor = TestBackends.Create(backend);
        var window = new AllocationWindow(WarmUp, WarmUp + Measured, reactor.Stop);
        var server = reactor.ListenUdp(0, new AllocationMeasuringEcho(window), loopback);
        reactor.CallInThread(() =>
        {
            // A ping-pong client with a window of 16 datagrams: bounded in count and time.
            using var client = new Socket(server.GetHost().AddressFamily, SocketType.Dgram, ProtocolType.Udp) { ReceiveTimeout = 5_000 };
            client.Bind(new IPEndPoint(IPAddress.Parse(loopback), 0));
            client.Connect(server.GetHost());
            var payload = new byte[64];
            var buffer = new byte[128];
            for (var i = 0; i < 16; i++)
            {
                client.Send(payload);
            }

            try
            {
                for (var i = 0; i < WarmUp + Measured + 16 && !window.Done; i++)
                {
                    client.Receive(buffer);
                    client.Send(payload);
                }
            }
            catch (SocketException)
            {
                // The server stopped answering after its count: the test reads what it measured.
            }
        });
        reactor.RunWithTimeout(TimeSpan.FromSeconds(60));
        window.ShouldHaveAllocatedNothingPerEvent(backend, "receive → DatagramReceived → Write", "datagrams");
    }

    /// <summary>Echoes until the window closes (coalesced replies are flushed by the next iteration, when the reactor stops).</summary>
    private sealed class AllocationMeasuringEcho(AllocationWindow window) : DatagramProtocol
    {
        public override void DatagramReceived(ReadOnlySpan<byte> datagram, IPEndPoint sender)
        {
            if (window.Count())
            {
                Transport!.Write(datagram, sender);
            }
        }
    }
}

/// <summary>Allocation measurements must not run alongside other tests.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public class AllocationMeasurementCollection
{
    public const string Name = "allocation measurements";
}
