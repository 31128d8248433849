using System.Net;
using System.Net.Sockets;
using Reactor.Tests.Support;
using Reactor.Tests.Udp;
using Xunit.Abstractions;

namespace Reactor.Tests.Tcp;

/// <summary>
/// TCP's hot path — readable → read → DataReceived → Write → the dispatch's flush — allocates nothing per message in
/// steady state, measured on the reactor thread alone (GC.GetAllocatedBytesForCurrentThread) between a warm-up count and
/// a measured count of 64-byte ping-pong messages. The sample's process-wide figure is in Samples/TcpEchoSampleTests.
/// Runs alone, as the UDP measurement does (another test's MeterListener would allocate on this thread).
/// </summary>
[Collection(AllocationMeasurementCollection.Name)]
public class TcpEchoPathAllocationTests(ITestOutputHelper output)
{
    [Theory]
    [MemberData(nameof(Families.BackendsAndLoopbacks), MemberType = typeof(Families))]
    [Trait("measures", "allocations")]
    public void The_TCP_echo_path_allocates_nothing_per_message_in_steady_state(ReactorBackend backend, string loopback)
    {
        const int WarmUp = 2_000;
        const int Measured = 20_000;
        using var reactor = TestBackends.Create(backend);
        var window = new AllocationWindow(WarmUp, WarmUp + Measured, reactor.Stop);
        var server = reactor.ListenTcp(0, Factory.ForProtocol(() => new AllocationMeasuringEcho(window)), @interface: loopback);
        var endpoint = server.GetHost();
        reactor.CallInThread(() =>
        {
            // One 64-byte message in flight at a time: each is one read and one write on the server. Bounded in count and time.
            using var client = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true, ReceiveTimeout = 5_000 };
            client.Connect(endpoint);
            var message = new byte[64];
            var buffer = new byte[64];
            try
            {
                for (var i = 0; i < WarmUp + Measured && !window.Done; i++)
                {
                    client.Send(message);
                    for (var received = 0; received < message.Length;)
                    {
                        var n = client.Receive(buffer, received, buffer.Length - received, SocketFlags.None);
                        if (n == 0)
                        {
                            return;
                        }

                        received += n;
                    }
                }
            }
            catch (SocketException)
            {
                // The server stopped answering after its count: the test reads what it measured.
            }
        });
        reactor.RunWithTimeout(TimeSpan.FromSeconds(60));

        output.WriteLine($"{backend} {loopback}: {window.AllocatedBytes} bytes allocated on the reactor thread over {window.Measured} messages");
        window.Events.Should().Be(WarmUp + Measured, "each 64-byte message is one read when one is in flight at a time");
        window.ShouldHaveAllocatedNothingPerEvent(backend, "read → DataReceived → Write → flush", "messages");
    }

    /// <summary>Echoes until the window closes.</summary>
    private sealed class AllocationMeasuringEcho(AllocationWindow window) : Protocol
    {
        public override void DataReceived(ReadOnlySpan<byte> data)
        {
            if (window.Count())
            {
                Transport!.Write(data);
            }
        }
    }
}
