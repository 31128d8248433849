using System.Net;
using System.Net.Security;
using System.Security.Authentication;
using Reactor.Tests.Support;
using Reactor.Tests.Tcp;
using Reactor.Tests.Udp;
using Reactor.Tls;
using Xunit.Abstractions;

namespace Reactor.Tests.Tls;

/// <summary>
/// TLS's hot path on the server — ciphertext in → decrypt → DataReceived → Write → encrypt at the dispatch's end →
/// send — measured on the reactor thread alone between a warm-up count and a measured count of 64-byte ping-pong
/// messages from a .NET SslStream client on another thread. Runs alone, as the other allocation measurements do.
/// </summary>
[Collection(AllocationMeasurementCollection.Name)]
public class TlsEchoPathAllocationTests(ITestOutputHelper output)
{
    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    [Trait("measures", "allocations")]
    public void The_TLS_echo_path_allocates_nothing_per_message_in_steady_state(ReactorBackend backend)
    {
        const int WarmUp = 2_000;
        const int Measured = 10_000;
        using var reactor = TestBackends.Create(backend);
        var window = new AllocationWindow(WarmUp, WarmUp + Measured, reactor.Stop);
        var server = reactor.ListenSsl(0, Factory.ForProtocol(() => new AllocationMeasuringEcho(window)), TlsTestKit.ServerOptions(), @interface: "127.0.0.1");
        var endpoint = new IPEndPoint(IPAddress.Loopback, server.GetHost().Port);
        reactor.CallInThread(() =>
        {
            try
            {
                var (socket, ssl) = TlsTestKit.RawTlsClient(endpoint);
                using (socket)
                using (ssl)
                {
                    var message = new byte[64];
                    var buffer = new byte[64];
                    for (var i = 0; i < WarmUp + Measured && !window.Done; i++)
                    {
                        ssl.Write(message);
                        for (var received = 0; received < message.Length;)
                        {
                            var n = ssl.Read(buffer, received, buffer.Length - received);
                            if (n == 0)
                            {
                                return;
                            }

                            received += n;
                        }
                    }
                }
            }
            catch (Exception e) when (e is IOException or AuthenticationException or System.Net.Sockets.SocketException)
            {
                // The server stopped answering after its count: the test reads what it measured.
            }
        });
        reactor.RunWithTimeout(TimeSpan.FromSeconds(60));

        output.WriteLine($"{backend}: {window.AllocatedBytes} bytes allocated on the reactor thread over {window.Measured} TLS messages");
        window.Events.Should().Be(WarmUp + Measured);
        ((double)window.AllocatedBytes / window.Measured).Should().BeLessThan(1, "decrypt → DataReceived → Write → encrypt must not allocate per message");
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
