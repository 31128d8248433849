using System.Net;
using System.Net.Sockets;
using Reactor.Tests.Support;

namespace Reactor.Tests.Tcp;

/// <summary>
/// ClientCreator over real loopback TCP, on every backend and both IP families: success, refusal, timeout, and
/// cancelling before and just after the connection is made (D39). The rules on a MemoryReactor are in
/// <c>Streams/ClientCreatorTests</c>.
/// </summary>
public class ClientCreatorTcpTests
{
    private sealed class Client : Protocol
    {
        public bool MadeBeforeDelivery { get; set; }

        public Failure? Lost { get; private set; }

        public Action<Client>? OnMade { get; init; }

        public Action<Client>? OnLost { get; init; }

        public override void ConnectionMade()
        {
            MadeBeforeDelivery = true;
            OnMade?.Invoke(this);
        }

        public override void ConnectionLost(Failure reason)
        {
            Lost = reason;
            OnLost?.Invoke(this);
        }
    }

    /// <summary>Runs <paramref name="start"/> once the reactor runs, stops it when the Deferred fires, and returns its outcome.</summary>
    private static (Client? Protocol, Exception? Failure) Outcome(IReactor reactor, Func<Deferred<Client>> start, bool stopOnOutcome = true)
    {
        Client? protocol = null;
        Exception? failure = null;
        reactor.CallWhenRunning(() => start().AddCallbacks(
            p =>
            {
                protocol = p;
                if (stopOnOutcome)
                {
                    reactor.Stop();
                }

                return p;
            },
            f =>
            {
                failure = f.Exception;
                if (stopOnOutcome)
                {
                    reactor.Stop();
                }

                return null!;
            }));
        reactor.RunWithTimeout();
        return (protocol, failure);
    }

    [Theory]
    [MemberData(nameof(Families.BackendsAndLoopbacks), MemberType = typeof(Families))]
    public void Connecting_delivers_the_protocol_connected_after_its_ConnectionMade(ReactorBackend backend, string loopback)
    {
        using var reactor = TestBackends.Create(backend);
        var port = reactor.ListenTcp(0, Factory.ForProtocol<Protocol>(), @interface: loopback);
        var creator = new ClientCreator<Client>(reactor, () => new Client());
        var connectedAtDelivery = false;

        var (protocol, failure) = Outcome(reactor, () => creator.ConnectTcp(loopback, port.GetHost().Port).AddCallback(p =>
        {
            connectedAtDelivery = p.Connected;
        }));

        failure.Should().BeNull();
        protocol.Should().NotBeNull();
        protocol!.MadeBeforeDelivery.Should().BeTrue();
        connectedAtDelivery.Should().BeTrue();
        ((ITcpTransport)protocol.Transport!).GetPeer().Should().Be(port.GetHost());
    }

    [Theory]
    [MemberData(nameof(Families.BackendsAndLoopbacks), MemberType = typeof(Families))]
    public void Connecting_to_a_port_nobody_listens_on_fails_with_ConnectionRefusedException(ReactorBackend backend, string loopback)
    {
        using var reactor = TestBackends.Create(backend);

        // Bound but not listening: the port stays ours (nobody else can start listening on it) and refuses connections.
        using var closed = new Socket(IPAddress.Parse(loopback).AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        closed.Bind(Families.Loopback(loopback, 0));
        var number = ((IPEndPoint)closed.LocalEndPoint!).Port;
        var built = 0;
        var creator = new ClientCreator<Client>(reactor, () =>
        {
            built++;
            return new Client();
        });

        var (protocol, failure) = Outcome(reactor, () => creator.ConnectTcp(loopback, number));

        protocol.Should().BeNull();
        failure.Should().BeOfType<ConnectionRefusedException>()
            .Which.Destination.Should().Be(Families.Loopback(loopback, number));
        built.Should().Be(0);
    }

    [LinuxTheory]
    [MemberData(nameof(Families.BackendsAndLoopbacks), MemberType = typeof(Families))]
    public void An_attempt_that_outlasts_its_timeout_fails_with_ConnectTimeoutException(ReactorBackend backend, string loopback)
    {
        using var reactor = TestBackends.Create(backend);

        using var hang = new FullAcceptQueue(loopback);
        var creator = new ClientCreator<Client>(reactor, () => new Client());
        var timeout = TimeSpan.FromMilliseconds(200);

        var (protocol, failure) = Outcome(reactor, () => creator.ConnectTcp(loopback, hang.EndPoint.Port, timeout));

        protocol.Should().BeNull();
        failure.Should().BeOfType<ConnectTimeoutException>().Which.Timeout.Should().Be(timeout);
    }

    [Theory]
    [MemberData(nameof(Families.BackendsAndLoopbacks), MemberType = typeof(Families))]
    public void Cancelling_before_the_connection_is_made_fails_with_ConnectingCancelledException(ReactorBackend backend, string loopback)
    {
        using var reactor = TestBackends.Create(backend);
        var port = reactor.ListenTcp(0, Factory.ForProtocol<Protocol>(), @interface: loopback);
        var built = 0;
        var creator = new ClientCreator<Client>(reactor, () =>
        {
            built++;
            return new Client();
        });

        var (protocol, failure) = Outcome(reactor, () =>
        {
            var attempt = creator.ConnectTcp(loopback, port.GetHost().Port);
            attempt.Cancel(); // the handshake cannot have completed: the reactor has not looked at the socket yet
            return attempt;
        });

        protocol.Should().BeNull();
        failure.Should().BeOfType<ConnectingCancelledException>();
        built.Should().Be(0);
    }

    [Theory]
    [MemberData(nameof(Families.BackendsAndLoopbacks), MemberType = typeof(Families))]
    public void Cancelling_after_the_connection_is_made_but_before_it_is_delivered_closes_it(ReactorBackend backend, string loopback)
    {
        using var reactor = TestBackends.Create(backend);
        Client? client = null;
        Failure? serverLost = null;
        void StopOnceBothSidesClosed()
        {
            if (client?.Lost is not null && serverLost is not null)
            {
                reactor.Stop();
            }
        }

        var port = reactor.ListenTcp(0, Factory.ForProtocol(() => new Client
        {
            OnLost = c =>
            {
                serverLost = c.Lost;
                StopOnceBothSidesClosed();
            },
        }), @interface: loopback);
        Deferred<Client>? attempt = null;
        var creator = new ClientCreator<Client>(reactor, () => client = new Client
        {
            OnMade = _ => attempt!.Cancel(), // connected; the Deferred would fire on the next iteration
            OnLost = _ => StopOnceBothSidesClosed(),
        });

        var (protocol, failure) = Outcome(
            reactor,
            () => attempt = creator.ConnectTcp(loopback, port.GetHost().Port),
            stopOnOutcome: false);

        protocol.Should().BeNull();
        failure.Should().BeOfType<ConnectingCancelledException>();
        client!.Connected.Should().BeFalse();
        client.Lost!.Exception.Should().BeOfType<ConnectionDoneException>("the connection was closed cleanly");
        serverLost!.Exception.Should().BeOfType<ConnectionDoneException>();
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void An_exception_from_the_create_function_fails_the_Deferred_with_it(ReactorBackend backend)
    {
        using var reactor = TestBackends.Create(backend);
        var port = reactor.ListenTcp(0, Factory.ForProtocol<Protocol>(), @interface: "127.0.0.1");
        var creator = new ClientCreator<Client>(reactor, () => throw new InvalidDataException("no protocol today"));

        var (protocol, failure) = Outcome(reactor, () => creator.ConnectTcp("127.0.0.1", port.GetHost().Port));

        protocol.Should().BeNull();
        failure.Should().BeOfType<InvalidDataException>().Which.Message.Should().Be("no protocol today");
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void A_create_function_returning_null_fails_with_NoProtocolException_and_the_connection_is_closed(ReactorBackend backend)
    {
        using var reactor = TestBackends.Create(backend);
        Failure? serverLost = null;
        Action? serverClosed = null;
        var port = reactor.ListenTcp(0, Factory.ForProtocol(() => new Client
        {
            OnLost = c =>
            {
                serverLost = c.Lost;
                serverClosed?.Invoke();
            },
        }), @interface: "127.0.0.1");
        var creator = new ClientCreator<Client>(reactor, () => null!);
        Exception? failure = null;
        void StopOnceBothAreKnown()
        {
            if (serverLost is not null && failure is not null)
            {
                reactor.Stop();
            }
        }

        reactor.CallWhenRunning(() => creator.ConnectTcp("127.0.0.1", port.GetHost().Port).AddErrback(f =>
        {
            failure = f.Exception;
            StopOnceBothAreKnown();
            return (Client)null!;
        }));
        serverClosed = StopOnceBothAreKnown;

        reactor.RunWithTimeout();

        failure.Should().BeOfType<NoProtocolException>();
        serverLost.Should().NotBeNull("the client closed the connection it had no protocol for");
    }
}
