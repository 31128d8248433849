using System.Net;
using System.Net.Sockets;
using Reactor.Tests.Support;

namespace Reactor.Tests.Tcp;

public class TcpEchoSmokeTests
{
    private sealed class Echo : Protocol
    {
        public override void DataReceived(ReadOnlySpan<byte> data) => Transport!.Write(data);
    }

    [Theory]
    [MemberData(nameof(Families.BackendsAndLoopbacks), MemberType = typeof(Families))]
    public void An_echo_server_echoes_a_blocking_client(ReactorBackend backend, string loopback)
    {
        using var reactor = TestBackends.Create(backend);
        var port = reactor.ListenTcp(0, Factory.ForProtocol<Echo>(), @interface: loopback);
        var endpoint = port.GetHost();
        byte[]? reply = null;
        var client = new Thread(() =>
        {
            using var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            socket.Connect(endpoint);
            socket.Send("hello, world"u8);
            var buffer = new byte[64];
            var total = 0;
            while (total < 12)
            {
                var n = socket.Receive(buffer.AsSpan(total));
                if (n == 0) break;
                total += n;
            }
            reply = buffer[..total];
            reactor.CallFromThread(reactor.Stop);
        });
        client.Start();
        reactor.RunWithTimeout();
        client.Join(TimeSpan.FromSeconds(5)).Should().BeTrue();
        reply.Should().Equal("hello, world"u8.ToArray());
    }
}
