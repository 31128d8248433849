using System.Net;
using System.Text;
using Reactor.Tests.Support;

namespace Reactor.Tests.Reliability;

/// <summary>Issue 7, "hostile and unlucky traffic": a storm of ICMP "port unreachable" on a connected port.</summary>
public class RefusalStormTests
{
    [Theory]
    [MemberData(nameof(Families.BackendsAndLoopbacks), MemberType = typeof(Families))]
    public void A_connected_port_in_an_ICMP_unreachable_storm_reports_refusals_never_throws_and_talks_once_the_peer_is_back(ReactorBackend backend, string loopback)
    {
        const int Rounds = 10;
        const int WritesPerRound = 100;
        var reactor = Backends.Create(backend);
        var client = new RecordingProtocol();
        var stopsBeforeShutdown = -1;
        client.OnDatagram = (self, data, _) =>
        {
            if (Encoding.ASCII.GetString(data) == "ping")
            {
                stopsBeforeShutdown = self.Stops;
                reactor.Stop();
            }
        };
        var echo = new RecordingProtocol();
        echo.OnDatagram = (self, data, sender) => self.Transport!.Write(data, sender);
        Exception? failure = null;
        var rounds = 0;

        void Guarded(Action action)
        {
            try
            {
                action();
            }
            catch (Exception e)
            {
                failure = e;
                reactor.Stop();
            }
        }

        reactor.CallWhenRunning(() => Guarded(() =>
        {
            // A port number that nothing listens on: bound, then closed.
            var closed = reactor.ListenUdp(0, new RecordingProtocol(), loopback);
            var number = closed.GetHost().Port;
            closed.StopListening().AddCallback(_ => Guarded(() =>
            {
                var port = reactor.ListenUdp(0, client, loopback);
                port.Connect(loopback, number);

                // Each round on a new iteration, so refusals surface between the writes.
                void Round()
                {
                    Guarded(() =>
                    {
                        for (var i = 0; i < WritesPerRound; i++)
                        {
                            port.Write("storm"u8);
                        }

                        if (++rounds < Rounds)
                        {
                            reactor.CallLater(TimeSpan.Zero, Round);
                            return;
                        }

                        // The peer comes back on the same number: the same connected port talks to it.
                        reactor.CallLater(TimeSpan.FromMilliseconds(50), () => Guarded(() =>
                        {
                            reactor.ListenUdp(number, echo, loopback);
                            port.Write("ping"u8);
                        }));
                    });
                }

                Round();
            }));
        }));
        reactor.RunWithTimeout();

        failure.Should().BeNull("a refusal is reported through ConnectionRefused, never thrown from Write");
        rounds.Should().Be(Rounds);
        client.Refusals.Should().BeInRange(1, Rounds * WritesPerRound);
        stopsBeforeShutdown.Should().Be(0, "refusals never close the port");
        client.Received.Select(r => Encoding.ASCII.GetString(r.Data)).Should().Equal("ping");
    }
}
