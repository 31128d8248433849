using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Reactor.Tests.Support;

namespace Reactor.Tests.Reliability;

/// <summary>Issue 7, "hostile and unlucky traffic": a protocol that blocks the loop delays everything but loses nothing.</summary>
public class SlowProtocolTests
{
    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public void A_DatagramReceived_that_blocks_for_a_second_delays_but_loses_no_datagram_and_no_timer(ReactorBackend backend)
    {
        const int Burst = 100;
        var reactor = Backends.Create(backend);
        var server = new RecordingProtocol();
        var timerRan = false;
        var blockedFor = TimeSpan.Zero;
        using var neverSet = new ManualResetEventSlim();
        using var sender = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        void StopWhenDone()
        {
            if (timerRan && server.Received.Count == Burst + 1)
            {
                reactor.Stop();
            }
        }

        server.OnDatagram = (_, data, _) =>
        {
            if (Encoding.ASCII.GetString(data) == "block")
            {
                // The protocol misbehaves: it holds the reactor thread for a second while a burst arrives and a timer
                // falls due. The burst is sent from another thread (bounded wait), then the rest of the second passes.
                var clock = Stopwatch.StartNew();
                var destination = new IPEndPoint(IPAddress.Loopback, server.Transport!.GetHost().Port);
                var burst = Task.Run(() =>
                {
                    for (var i = 0; i < Burst; i++)
                    {
                        sender.SendTo(Encoding.ASCII.GetBytes($"d{i}"), destination);
                    }
                });
                burst.Wait(TimeSpan.FromSeconds(1)).Should().BeTrue();
                neverSet.Wait(TimeSpan.FromSeconds(1) - clock.Elapsed);
                blockedFor = clock.Elapsed;
            }

            StopWhenDone();
        };
        reactor.CallWhenRunning(() =>
        {
            var port = reactor.ListenUdp(0, server, "127.0.0.1");
            reactor.CallLater(TimeSpan.FromMilliseconds(100), () =>
            {
                timerRan = true;
                StopWhenDone();
            });
            sender.SendTo("block"u8.ToArray(), new IPEndPoint(IPAddress.Loopback, port.GetHost().Port));
        });
        reactor.RunWithTimeout(TimeSpan.FromSeconds(20));

        blockedFor.Should().BeGreaterThanOrEqualTo(TimeSpan.FromSeconds(0.9));
        timerRan.Should().BeTrue("a timer due while the loop was blocked runs late, not never");
        server.Received.Select(r => Encoding.ASCII.GetString(r.Data)).Should()
            .Equal(["block", .. Enumerable.Range(0, Burst).Select(i => $"d{i}")], "the kernel held the burst until the loop read again");
    }
}
