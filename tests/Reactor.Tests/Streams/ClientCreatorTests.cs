using System.Net;
using Reactor.Testing;

namespace Reactor.Tests.Streams;

/// <summary>
/// ClientCreator on a <see cref="MemoryReactor"/> (Twisted's test_protocol <c>ClientCreatorTests</c>; cancellation per
/// decision D39). The same behaviour over real sockets is in <c>Tcp/ClientCreatorTcpTests</c>.
/// </summary>
public class ClientCreatorTests
{
    private sealed class Greeter : Protocol
    {
        public string Greeting { get; init; } = "";
    }

    private static (MemoryReactor Reactor, Deferred<Greeter> Result, MemoryConnector Connector) Connect(Func<Greeter>? create = null)
    {
        var reactor = new MemoryReactor();
        var creator = new ClientCreator<Greeter>(reactor, create ?? (() => new Greeter { Greeting = "hello" }));
        var result = creator.ConnectTcp("example.com", 1234);
        return (reactor, result, reactor.TcpClients.Single().Connector);
    }

    private static Exception FailureOf<T>(Deferred<T> deferred)
    {
        deferred.Called.Should().BeTrue();
        Exception? failure = null;
        deferred.AddErrback(f =>
        {
            failure = f.Exception;
            return default(T)!;
        });
        failure.Should().NotBeNull("the Deferred failed");
        return failure!;
    }

    [Fact]
    public void ConnectTcp_passes_its_arguments_to_the_reactor_with_a_factory_that_builds_the_protocol()
    {
        var reactor = new MemoryReactor();
        var creator = new ClientCreator<Greeter>(reactor, () => new Greeter { Greeting = "hi" });
        var bind = new IPEndPoint(IPAddress.Parse("1.2.3.4"), 9876);

        creator.ConnectTcp("example.com", 1234, TimeSpan.FromSeconds(4321), bind);

        var call = reactor.TcpClients.Should().ContainSingle().Subject;
        (call.Host, call.Port, call.Timeout, call.BindAddress).Should().Be(("example.com", 1234, TimeSpan.FromSeconds(4321), bind));
        call.Factory.BuildProtocol(new DnsEndPoint("example.com", 1234)).Should().BeOfType<Greeter>().Which.Greeting.Should().Be("hi");
        call.Factory.Noisy.Should().BeFalse("one attempt does not log Starting and Stopping factory, as in Twisted");
    }

    [Fact]
    public void The_protocol_is_built_only_once_connected_and_delivered_one_iteration_later()
    {
        var built = 0;
        var (reactor, result, connector) = Connect(() =>
        {
            built++;
            return new Greeter();
        });
        built.Should().Be(0);

        var protocol = Establish(connector);

        built.Should().Be(1);
        result.Called.Should().BeFalse("the protocol's ConnectionMade runs first, after BuildProtocol returns");
        reactor.Clock.Advance(TimeSpan.Zero);
        Greeter? delivered = null;
        result.AddCallback(p => delivered = p);
        delivered.Should().BeSameAs(protocol);
    }

    [Fact]
    public void A_failed_attempt_fails_the_Deferred_with_its_exception_and_builds_no_protocol()
    {
        var built = 0;
        var (_, result, connector) = Connect(() =>
        {
            built++;
            return new Greeter();
        });
        var refused = new ConnectionRefusedException(connector.GetDestination());

        connector.Fail(refused);

        FailureOf(result).Should().BeSameAs(refused);
        built.Should().Be(0);
    }

    [Fact]
    public void A_create_function_returning_null_fails_with_NoProtocolException()
    {
        var (reactor, result, connector) = Connect(() => null!);
        Establish(connector).Should().BeNull();
        reactor.Clock.Advance(TimeSpan.Zero);
        FailureOf(result).Should().BeOfType<NoProtocolException>()
            .Which.Destination.Should().Be(new DnsEndPoint("example.com", 1234));
    }

    [Fact]
    public void Cancelling_during_the_attempt_stops_it_and_fails_with_ConnectingCancelledException()
    {
        // Twisted's test_cancelConnectTCP (which expects CancelledError; D39 makes it ConnectingCancelledException).
        var (reactor, result, connector) = Connect();
        connector.State.Should().Be(ConnectorState.Connecting);

        result.Cancel();
        reactor.RunPendingCalls(); // the connector reports the cancelled attempt on the next turn of the loop (D26)

        connector.State.Should().Be(ConnectorState.Disconnected);
        FailureOf(result).Should().BeOfType<ConnectingCancelledException>()
            .Which.Destination.Should().Be(new DnsEndPoint("example.com", 1234));
    }

    [Fact]
    public void Cancelling_after_the_connection_was_made_but_before_it_was_delivered_closes_it()
    {
        // Twisted's test_cancelConnectTCPTimeout.
        var (reactor, result, connector) = Connect();
        Establish(connector);
        reactor.GetDelayedCalls().Should().ContainSingle("the delivery waits for the next iteration");

        result.Cancel();
        reactor.Iterate(TimeSpan.Zero); // the close completes on the next turn of the loop

        reactor.GetDelayedCalls().Should().BeEmpty();
        connector.State.Should().Be(ConnectorState.Disconnected, "the connection was closed");
        FailureOf(result).Should().BeOfType<ConnectingCancelledException>();
    }

    [Fact]
    public void Cancelling_after_the_attempt_failed_changes_nothing()
    {
        // Twisted's test_cancelConnectTCPFailedTimeout delays the failure by an iteration; here it is reported as soon as
        // the connector reports it (already after the call that caused it, D26), so there is nothing left to cancel.
        var (reactor, result, connector) = Connect();
        var refused = new ConnectionRefusedException(connector.GetDestination());
        connector.Fail(refused);
        reactor.GetDelayedCalls().Should().BeEmpty();

        result.Cancel();

        FailureOf(result).Should().BeSameAs(refused);
    }

    [Fact]
    public void Cancelling_after_delivery_changes_nothing()
    {
        var (reactor, result, connector) = Connect();
        Establish(connector);
        reactor.Clock.Advance(TimeSpan.Zero);

        result.Cancel();

        connector.State.Should().Be(ConnectorState.Connected);
        Greeter? delivered = null;
        result.AddCallback(p => delivered = p);
        delivered.Should().NotBeNull();
    }

    [Fact]
    public void A_creator_connects_as_often_as_asked_with_a_new_protocol_each_time()
    {
        var reactor = new MemoryReactor();
        var creator = new ClientCreator<Greeter>(reactor, () => new Greeter());
        creator.ConnectTcp("127.0.0.1", 1);
        creator.ConnectTcp("127.0.0.1", 2);
        var protocols = reactor.TcpClients.Select(c => Establish(c.Connector)).ToList();
        protocols.Should().HaveCount(2).And.OnlyHaveUniqueItems();
    }

    /// <summary>Completes the attempt (the destination is a name, so the test says where it resolved to) and returns the protocol built.</summary>
    private static Protocol? Establish(MemoryConnector connector) =>
        connector.Complete(connector.GetDestination() as IPEndPoint ?? new IPEndPoint(IPAddress.Loopback, 1234))?.Protocol;

    [Fact]
    public void The_arguments_are_checked()
    {
        var reactor = new MemoryReactor();
        FluentActions.Invoking(() => new ClientCreator<Greeter>(null!, () => new Greeter())).Should().Throw<ArgumentNullException>();
        FluentActions.Invoking(() => new ClientCreator<Greeter>(reactor, null!)).Should().Throw<ArgumentNullException>();
        var creator = new ClientCreator<Greeter>(reactor, () => new Greeter());
        creator.Invoking(c => c.ConnectTcp("", 1)).Should().Throw<ArgumentException>();
        creator.Invoking(c => c.ConnectTcp("127.0.0.1", 0)).Should().Throw<ArgumentOutOfRangeException>();
        reactor.TcpClients.Should().BeEmpty();
    }
}
