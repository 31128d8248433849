using System.Net;
using Reactor.Testing;

namespace Reactor.Tests.Testing;

/// <summary>MemoryConnector: the test decides how each attempt ends, and the factory hears it at once.</summary>
public class MemoryConnectorTests
{
    private sealed class RecordingClientFactory : ClientFactory
    {
        public List<string> Events { get; } = [];

        public override Protocol? BuildProtocol(EndPoint address)
        {
            Events.Add($"build {address}");
            return new Protocol();
        }

        public override void StartedConnecting(IConnector connector) => Events.Add("started");

        public override void ClientConnectionFailed(IConnector connector, Failure reason) => Events.Add($"failed {reason.Exception.GetType().Name}");

        public override void ClientConnectionLost(IConnector connector, Failure reason) => Events.Add($"lost {reason.Exception.GetType().Name}");
    }

    private static (RecordingClientFactory Factory, MemoryConnector Connector) Connect()
    {
        var reactor = new MemoryReactor();
        var factory = new RecordingClientFactory();
        reactor.ConnectTcp("127.0.0.1", 5000, factory);
        return (factory, reactor.TcpClients.Single().Connector);
    }

    [Fact]
    public void Establish_builds_the_protocol_for_the_destination_and_Lose_reports_a_clean_close()
    {
        var (factory, connector) = Connect();

        var protocol = connector.Establish();

        connector.State.Should().Be(ConnectorState.Connected);
        connector.Protocol.Should().BeSameAs(protocol).And.NotBeNull();
        connector.Lose();
        connector.State.Should().Be(ConnectorState.Disconnected);
        connector.Protocol.Should().BeNull();
        factory.Events.Should().Equal("started", "build 127.0.0.1:5000", "lost ConnectionDoneException");

        connector.Connect();
        connector.Attempts.Should().Be(2, "a lost connection can connect again");
    }

    [Fact]
    public void Lose_reports_the_reason_given()
    {
        var (factory, connector) = Connect();
        connector.Establish();
        connector.Lose(new ConnectionLostException("reset"));
        factory.Events.Last().Should().Be("lost ConnectionLostException");
    }

    [Fact]
    public void Disconnect_cancels_an_attempt_and_closes_a_connection()
    {
        var (factory, connector) = Connect();
        connector.Disconnect();
        factory.Events.Last().Should().Be("failed ConnectingCancelledException");

        connector.Connect();
        connector.Establish();
        connector.Disconnect();
        factory.Events.Last().Should().Be("lost ConnectionDoneException");

        connector.Disconnect();
        factory.Events.Should().HaveCount(5, "disconnecting a disconnected connector does nothing");
    }

    [Fact]
    public void Establish_and_Lose_check_the_state()
    {
        var (_, connector) = Connect();
        connector.Invoking(c => c.Lose()).Should().Throw<InvalidOperationException>();
        connector.Establish();
        connector.Invoking(c => c.Establish()).Should().Throw<InvalidOperationException>();
        connector.Invoking(c => c.Fail(new ConnectionRefusedException(null))).Should().Throw<InvalidOperationException>();
    }
}
