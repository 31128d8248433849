using System.Net;
using System.Text;
using Reactor.Tests.Support;

namespace Reactor.Tests.Udp;

/// <summary>
/// Issue 7, "bad input from callers", over real loopback sockets on every backend: each wrong call gets its documented
/// exception, and afterwards the same port still completes an echo round trip in the same reactor run. The scripted
/// socket cases (hostnames in Write, the UDP size limit, listen arguments) are in <c>UdpPortTests</c>; joins of unicast
/// addresses, unknown interfaces and TTL bounds without the round trip are in <c>MulticastTests</c>.
/// </summary>
[Trait("kind", "bad-input")]
public class UdpBadInputTests
{
    private static byte[] Bytes(string text) => Encoding.ASCII.GetBytes(text);

    private static string Text(byte[] data) => Encoding.ASCII.GetString(data);

    private static string Other(string loopback) => loopback == "::1" ? "127.0.0.1" : "::1";

    private static int Limit(string loopback) => loopback == "::1" ? 65_527 : 65_507;

    /// <summary>
    /// Runs <paramref name="badCalls"/> on the reactor thread with a fresh port (listened on <paramref name="loopback"/>)
    /// and an echo server, then sends "ping" from that port and requires the echo to come back to it. Returns what the
    /// echo server received, so a test can check that nothing else was sent.
    /// </summary>
    private static List<byte[]> AfterBadCallsTheSamePortStillEchoes(
        ReactorBackend backend,
        string loopback,
        Action<IReactor, IUdpTransport, IPEndPoint> badCalls,
        Func<IReactor, DatagramProtocol, IUdpTransport>? listen = null) =>
        AfterBadCallsTheSamePortStillEchoes(backend, loopback, (reactor, port, echo) =>
        {
            badCalls(reactor, port, echo);
            return null;
        }, listen);

    /// <summary>As above; when <paramref name="badCalls"/> returns a Deferred, "ping" is sent once it has fired.</summary>
    private static List<byte[]> AfterBadCallsTheSamePortStillEchoes(
        ReactorBackend backend,
        string loopback,
        Func<IReactor, IUdpTransport, IPEndPoint, Deferred<object?>?> badCalls,
        Func<IReactor, DatagramProtocol, IUdpTransport>? listen = null)
    {
        var reactor = TestBackends.Create(backend);
        var echoed = new List<byte[]>();
        Exception? failure = null;
        var client = new RecordingProtocol();
        client.OnDatagram = (_, data, _) =>
        {
            if (Text(data) == "ping")
            {
                reactor.Stop();
            }
        };
        var echo = new RecordingProtocol();
        echo.OnDatagram = (self, data, sender) =>
        {
            echoed.Add(data);
            self.Transport!.Write(data, sender);
        };
        reactor.CallWhenRunning(() =>
        {
            try
            {
                var server = reactor.ListenUdp(0, echo, loopback, maxPacketSize: 65_535);
                var port = listen is null ? reactor.ListenUdp(0, client, loopback) : listen(reactor, client);
                var echoAt = new IPEndPoint(IPAddress.Parse(loopback), server.GetHost().Port);
                var sendPing = () =>
                {
                    if (port.GetPeer() is null)
                    {
                        port.Write(Bytes("ping"), echoAt);
                    }
                    else
                    {
                        port.Write(Bytes("ping"));
                    }
                };
                if (badCalls(reactor, port, echoAt) is { } after)
                {
                    after.AddCallback(_ => Guarded(sendPing));
                }
                else
                {
                    sendPing();
                }
            }
            catch (Exception e)
            {
                failure = e;
                reactor.Stop();
            }
        });

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

        reactor.RunWithTimeout();
        if (failure is not null)
        {
            throw new Xunit.Sdk.XunitException($"a bad call misbehaved: {failure}");
        }

        client.Received.Select(r => Text(r.Data)).Should().EndWith("ping", "the port must still round-trip after the bad calls");
        return echoed;
    }

    [Theory]
    [MemberData(nameof(Families.BackendsAndLoopbacks), MemberType = typeof(Families))]
    public void Bad_ListenUdp_and_ListenMulticast_arguments_throw_and_the_reactor_keeps_echoing(ReactorBackend backend, string loopback)
    {
        AfterBadCallsTheSamePortStillEchoes(backend, loopback, (reactor, _, _) =>
        {
            var protocol = new RecordingProtocol();
            reactor.Invoking(r => r.ListenUdp(0, null!, loopback)).Should().Throw<ArgumentNullException>();
            reactor.Invoking(r => r.ListenUdp(0, protocol, null!)).Should().Throw<ArgumentNullException>();
            reactor.Invoking(r => r.ListenUdp(-1, protocol, loopback)).Should().Throw<ArgumentOutOfRangeException>();
            reactor.Invoking(r => r.ListenUdp(65_536, protocol, loopback)).Should().Throw<ArgumentOutOfRangeException>();
            reactor.Invoking(r => r.ListenUdp(0, protocol, loopback, maxPacketSize: 65_536)).Should().Throw<ArgumentOutOfRangeException>();
            reactor.Invoking(r => r.ListenUdp(0, protocol, "localhost")).Should().Throw<InvalidAddressException>();
            reactor.Invoking(r => r.ListenMulticast(0, null!, loopback)).Should().Throw<ArgumentNullException>();
            reactor.Invoking(r => r.ListenMulticast(0, protocol, null!)).Should().Throw<ArgumentNullException>();
            reactor.Invoking(r => r.ListenMulticast(-1, protocol, loopback)).Should().Throw<ArgumentOutOfRangeException>();
            reactor.Invoking(r => r.ListenMulticast(65_536, protocol, loopback)).Should().Throw<ArgumentOutOfRangeException>();
            reactor.Invoking(r => r.ListenMulticast(0, protocol, "localhost")).Should().Throw<InvalidAddressException>();
            protocol.Starts.Should().Be(0, "no rejected listen may start the protocol");

            // The rejected calls left the protocol free: it can still listen, once.
            var port = reactor.ListenUdp(0, protocol, loopback);
            reactor.Invoking(r => r.ListenUdp(0, protocol, loopback)).Should().Throw<InvalidOperationException>();
            port.StopListening();
        }).Select(Text).Should().Equal(["ping"]);
    }

    [Theory]
    [MemberData(nameof(Families.BackendsAndLoopbacks), MemberType = typeof(Families))]
    public void Bad_Write_arguments_throw_send_nothing_and_the_port_keeps_echoing(ReactorBackend backend, string loopback)
    {
        AfterBadCallsTheSamePortStillEchoes(backend, loopback, (_, port, echo) =>
        {
            var host = echo.Address.ToString();
            port.Invoking(p => p.Write(Bytes("x"), null!, echo.Port)).Should().Throw<ArgumentNullException>();
            port.Invoking(p => p.Write(Bytes("x"), host, -1)).Should().Throw<ArgumentOutOfRangeException>();
            port.Invoking(p => p.Write(Bytes("x"), host, 0)).Should().Throw<ArgumentOutOfRangeException>();
            port.Invoking(p => p.Write(Bytes("x"), host, 65_536)).Should().Throw<ArgumentOutOfRangeException>();
            port.Invoking(p => p.Write(Bytes("x"), new IPEndPoint(echo.Address, 0))).Should().Throw<ArgumentOutOfRangeException>();
            port.Invoking(p => p.Write(Bytes("x"), "localhost", echo.Port)).Should().Throw<InvalidAddressException>();
            port.Invoking(p => p.Write(Bytes("x"), Other(loopback), echo.Port)).Should().Throw<InvalidAddressException>();
            port.Invoking(p => p.Write(Bytes("x"), new IPEndPoint(IPAddress.Parse(Other(loopback)), echo.Port))).Should().Throw<InvalidAddressException>();
            port.Invoking(p => p.Write(Bytes("x"))).Should().Throw<InvalidOperationException>("an unconnected port needs a destination");
            port.Invoking(p => p.Write(new byte[Limit(loopback) + 1], echo)).Should().Throw<MessageLengthException>();
            port.Invoking(p => p.Write(new byte[65_536], echo)).Should().Throw<MessageLengthException>();
        }).Select(Text).Should().Equal(["ping"], "no rejected write may reach the wire");
    }

    [Theory]
    [MemberData(nameof(Families.BackendsAndLoopbacks), MemberType = typeof(Families))]
    public void A_zero_byte_datagram_is_sent_and_echoed_and_the_largest_one_fits(ReactorBackend backend, string loopback)
    {
        var echoed = AfterBadCallsTheSamePortStillEchoes(backend, loopback, (_, port, echo) =>
        {
            port.Write(ReadOnlySpan<byte>.Empty, echo);
            port.WriteSequence([], echo);
            port.Write(new byte[Limit(loopback)], echo);
        });
        echoed.Select(d => d.Length).Should().Equal(0, 0, Limit(loopback), 4);
    }

    [Theory]
    [MemberData(nameof(Families.BackendsAndLoopbacks), MemberType = typeof(Families))]
    public void Bad_WriteSequence_arguments_throw_send_nothing_and_the_port_keeps_echoing(ReactorBackend backend, string loopback)
    {
        AfterBadCallsTheSamePortStillEchoes(backend, loopback, (_, port, echo) =>
        {
            port.Invoking(p => p.WriteSequence(null!, echo)).Should().Throw<ArgumentNullException>();
            port.Invoking(p => p.WriteSequence([new byte[40_000], new byte[40_000]], echo)).Should().Throw<MessageLengthException>();
            port.Invoking(p => p.WriteSequence([new byte[Limit(loopback)], new byte[1]], echo)).Should().Throw<MessageLengthException>();
            port.Invoking(p => p.WriteSequence([Bytes("x")], new IPEndPoint(echo.Address, 0))).Should().Throw<ArgumentOutOfRangeException>();
            port.Invoking(p => p.WriteSequence([Bytes("x")], new IPEndPoint(IPAddress.Parse(Other(loopback)), echo.Port))).Should().Throw<InvalidAddressException>();
        }).Select(Text).Should().Equal(["ping"], "no rejected sequence may reach the wire");
    }

    [Theory]
    [MemberData(nameof(Families.BackendsAndLoopbacks), MemberType = typeof(Families))]
    public void Bad_Connect_arguments_and_a_second_Connect_throw_and_the_connected_port_keeps_echoing(ReactorBackend backend, string loopback)
    {
        AfterBadCallsTheSamePortStillEchoes(backend, loopback, (_, port, echo) =>
        {
            var host = echo.Address.ToString();
            port.Invoking(p => p.Connect(null!, echo.Port)).Should().Throw<ArgumentNullException>();
            port.Invoking(p => p.Connect(host, -1)).Should().Throw<ArgumentOutOfRangeException>();
            port.Invoking(p => p.Connect(host, 0)).Should().Throw<ArgumentOutOfRangeException>();
            port.Invoking(p => p.Connect(host, 65_536)).Should().Throw<ArgumentOutOfRangeException>();
            port.Invoking(p => p.Connect("localhost", echo.Port)).Should().Throw<InvalidAddressException>();
            port.Invoking(p => p.Connect(Other(loopback), echo.Port)).Should().Throw<InvalidAddressException>();
            port.GetPeer().Should().BeNull("every rejected connect leaves the port unconnected");

            port.Connect(host, echo.Port);
            port.Invoking(p => p.Connect(host, echo.Port)).Should().Throw<InvalidOperationException>();
            port.Invoking(p => p.Write(Bytes("x"), new IPEndPoint(echo.Address, echo.Port == 65_535 ? 1 : echo.Port + 1)))
                .Should().Throw<InvalidAddressException>("a connected port writes only to its peer");
            port.GetPeer().Should().Be(echo);
        }).Select(Text).Should().Equal(["ping"]);
    }

    [Theory]
    [MemberData(nameof(Families.BackendsAndLoopbacks), MemberType = typeof(Families))]
    public void Writes_after_StopListening_throw_StopListening_twice_is_one_Deferred_and_the_reactor_keeps_echoing(ReactorBackend backend, string loopback)
    {
        Deferred<object?>? first = null;
        var checkedClosed = false;
        AfterBadCallsTheSamePortStillEchoes(backend, loopback, (reactor, _, echo) =>
        {
            var stopped = reactor.ListenUdp(0, new RecordingProtocol(), loopback);
            first = stopped.StopListening();
            stopped.StopListening().Should().BeSameAs(first);

            // Once it has closed every use is an InvalidOperationException and StopListening is still the same Deferred.
            return first.Then(_ =>
            {
                stopped.Invoking(p => p.Write(Bytes("x"), echo)).Should().Throw<InvalidOperationException>();
                stopped.Invoking(p => p.Write(Bytes("x"), echo.Address.ToString(), echo.Port)).Should().Throw<InvalidOperationException>();
                stopped.Invoking(p => p.WriteSequence([Bytes("x")], echo)).Should().Throw<InvalidOperationException>();
                stopped.Invoking(p => p.Connect(echo.Address.ToString(), echo.Port)).Should().Throw<InvalidOperationException>();
                stopped.StopListening().Should().BeSameAs(first);
                checkedClosed = true;
                return (object?)null;
            });
        }).Select(Text).Should().Equal(["ping"], "the closed port sent nothing");
        checkedClosed.Should().BeTrue();
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void Bad_multicast_calls_fail_as_documented_and_the_multicast_port_keeps_echoing(ReactorBackend backend) => OnLoopback(() =>
    {
        AfterBadCallsTheSamePortStillEchoes(
            backend,
            "127.0.0.1",
            (_, transport, _) =>
            {
                var port = (IMulticastTransport)transport;
                port.Invoking(p => p.Ttl = -1).Should().Throw<ArgumentOutOfRangeException>();
                port.Invoking(p => p.Ttl = 256).Should().Throw<ArgumentOutOfRangeException>();
                port.Ttl.Should().Be(1, "a rejected TTL changes nothing");
                port.Invoking(p => p.JoinGroup(null!)).Should().Throw<ArgumentNullException>();
                port.Invoking(p => p.JoinGroup("225.0.0.250", null!)).Should().Throw<ArgumentNullException>();
                port.Invoking(p => p.JoinSourceGroup("232.1.2.3", null!, "lo")).Should().Throw<ArgumentNullException>();
                port.Invoking(p => p.SetOutgoingInterface(null!)).Should().Throw<ArgumentNullException>();
                Fails<MulticastJoinException>(port.JoinGroup("127.0.0.1", "lo"));
                Fails<MulticastJoinException>(port.JoinSourceGroup("127.0.0.1", "127.0.0.1", "lo"));
                Fails<MulticastJoinException>(port.JoinGroup("225.0.0.250", "nosuchif0"));
                Fails<MulticastJoinException>(port.LeaveGroup("225.0.0.250", "lo"));
                Fails<InvalidAddressException>(port.SetOutgoingInterface("nosuchif0"));
                port.OutgoingInterface.Should().Be("0.0.0.0", "a failed SetOutgoingInterface changes nothing");

                // The port still joins, on lo, after all that.
                port.JoinGroup("225.0.0.250", "lo").AsTask().IsCompletedSuccessfully.Should().BeTrue();
            },
            (reactor, protocol) => reactor.ListenMulticast(0, protocol, "127.0.0.1")).Select(Text).Should().Equal(["ping"]);
    });

    private static void Fails<TException>(Deferred<object?> deferred)
        where TException : Exception
    {
        deferred.Called.Should().BeTrue("literal arguments answer at once");
        deferred.Invoking(d => d.AsTask().GetAwaiter().GetResult()).Should().Throw<TException>();
    }

    /// <summary>Runs an IPv4 multicast body isolated in a private network namespace when the machine allows it.</summary>
    private static void OnLoopback(Action body)
    {
        if (PrivateNetwork.UnavailableReason is null)
        {
            PrivateNetwork.Run(body);
        }
        else
        {
            body();
        }
    }
}
