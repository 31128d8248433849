using System.Net;
using System.Net.Sockets;
using Reactor.Tests.Support;

namespace Reactor.Tests.Docs;

/// <summary>The code block of docs/multicore.md, compiled and run.</summary>
public class MulticoreGuideExamples
{
    [Fact]
    public void A_group_serves_one_port_with_a_reactor_per_processor()
    {
        var port = 0;

        // <snippet group>
        using var group = ReactorGroup.Create();               // one reactor per processor
        var ports = group.ListenUdp(port, () => new Echo());    // each reactor: its own socket on the port, its own Echo
        var loops = new Thread(group.Run);                      // reactor 0 on that thread, the others on threads of their own
        loops.Start();
        // ... and from any thread, when it is time to go:
        // group.Stop();
        // </snippet>

        ports.Should().HaveCount(Environment.ProcessorCount);
        try
        {
            ReactorRunner.WaitUntil(() => group.Reactors.All(r => r.Running)).Should().BeTrue();
            using var client = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp) { ReceiveTimeout = 10_000 };
            client.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            client.SendTo("ping"u8, new IPEndPoint(IPAddress.Loopback, ports[0].GetHost().Port));
            var buffer = new byte[16];
            client.Receive(buffer).Should().Be(4);
        }
        finally
        {
            group.Stop();
            loops.Join(ReactorRunner.DefaultTimeout).Should().BeTrue();
        }
    }

    private sealed class Echo : DatagramProtocol
    {
        public override void DatagramReceived(ReadOnlySpan<byte> datagram, IPEndPoint sender) => Transport!.Write(datagram, sender);
    }
}
