using System.Net;
using Reactor.Tests.Support;

namespace Reactor.Tests.Tcp;

/// <summary>
/// ReconnectingClientFactory over real loopback TCP on every backend: the retries run on the connector's reactor and
/// reach a server that comes up while the client is retrying. The timing rules are in <c>Streams/ReconnectingClientFactoryTests</c>.
/// </summary>
public class ReconnectingClientFactoryTcpTests
{
    private sealed class Client : Protocol
    {
        public Action? OnConnected { get; init; }

        public override void ConnectionMade() => OnConnected?.Invoke();
    }

    private sealed class Reconnecting(Action<Exception> onFailure, Action onConnected)
        : ReconnectingClientFactory(initialDelay: TimeSpan.FromMilliseconds(10), maxDelay: TimeSpan.FromMilliseconds(100), factor: 2, jitter: 0)
    {
        public override Protocol? BuildProtocol(EndPoint address)
        {
            ResetDelay();
            return new Client { Factory = this, OnConnected = onConnected };
        }

        public override void ClientConnectionFailed(IConnector connector, Failure reason)
        {
            onFailure(reason.Exception);
            base.ClientConnectionFailed(connector, reason);
        }
    }

    [Theory]
    [MemberData(nameof(Families.BackendsAndLoopbacks), MemberType = typeof(Families))]
    public void A_client_retries_a_server_that_is_down_until_it_comes_up(ReactorBackend backend, string loopback)
    {
        using var reactor = TestBackends.Create(backend);
        var accepted = 0;
        var server = Factory.ForProtocol(() =>
        {
            accepted++;
            return new Protocol();
        });

        // A port number that was just free: listen on 0, note the number, close it.
        var first = reactor.ListenTcp(0, server, @interface: loopback);
        var number = first.GetHost().Port;
        var failures = new List<Exception>();
        var connected = false;
        Reconnecting? client = null;
        client = new Reconnecting(
            onFailure: failure =>
            {
                failures.Add(failure);
                if (failures.Count == 2)
                {
                    reactor.ListenTcp(number, server, @interface: loopback); // the server comes up
                }
            },
            onConnected: () =>
            {
                connected = true;
                client!.StopTrying();
                reactor.Stop();
            });
        IConnector? connector = null;
        first.StopListening().AddCallback(_ => connector = reactor.ConnectTcp(loopback, number, client));

        reactor.RunWithTimeout();

        connected.Should().BeTrue();
        failures.Should().HaveCount(2).And.AllBeOfType<ConnectionRefusedException>();
        client.Retries.Should().Be(0, "BuildProtocol reset the back-off");
        client.Connector.Should().BeSameAs(connector, "every attempt used the one connector ConnectTcp returned");
        accepted.Should().BeLessThanOrEqualTo(1);
    }
}
