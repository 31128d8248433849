using System.Diagnostics;
using System.Net.Sockets;
using Reactor.Tests.Support;

namespace Reactor.Tests.Streams;

/// <summary>
/// After <c>LoseConnection</c> the close waits for a registered pull producer to unregister (D27), and the producer is
/// asked for a chunk once per iteration, as while open: a long producer whose chunks the kernel keeps up with must not
/// hold the loop.
/// </summary>
public class PullProducerAfterLoseConnectionTests
{
    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void A_pull_producer_after_LoseConnection_is_asked_once_per_iteration_so_timers_run_in_between(ReactorBackend backend)
    {
        using var reactor = TestBackends.Create(backend);
        const int chunks = 10_000;
        var producer = new CountingPullProducer();
        int? resumesWhenTheTimerRan = null;
        var protocol = new RecordingStreamProtocol
        {
            OnMade = p =>
            {
                producer.OnResume = c =>
                {
                    p.Transport!.Write("chunk"u8);
                    if (c.Resumes == chunks)
                    {
                        p.Transport.UnregisterProducer();
                    }
                };
                p.Transport!.RegisterProducer(producer, streaming: false);
                p.Transport.LoseConnection();
                reactor.CallLater(TimeSpan.Zero, () => resumesWhenTheTimerRan = producer.Resumes);
            },
        };
        var port = reactor.ListenTcp(0, Factory.ForProtocol(() => protocol), @interface: "127.0.0.1");
        using var client = new Socket(SocketType.Stream, ProtocolType.Tcp);
        client.Blocking = false;
        try
        {
            client.Connect(port.GetHost());
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.WouldBlock or SocketError.InProgress)
        {
        }

        client.Poll(ReactorRunner.DefaultTimeout, SelectMode.SelectWrite).Should().BeTrue("a loopback connect completes at once");

        var stopwatch = Stopwatch.StartNew();
        while (protocol.Lost.Count == 0)
        {
            stopwatch.Elapsed.Should().BeLessThan(ReactorRunner.DefaultTimeout, "the producer finishes and the close goes ahead");
            reactor.Iterate(TimeSpan.FromMilliseconds(1));
        }

        resumesWhenTheTimerRan.Should().BeLessThan(10, "a timer due at once runs within an iteration or two, between the producer's chunks");
        producer.Resumes.Should().Be(chunks);
        protocol.Lost.Should().ContainSingle().Which.Exception.Should().BeOfType<ConnectionDoneException>();
    }
}
