using System.Net;
using Reactor.Tests.Support;

namespace Reactor.Tests.Tcp;

/// <summary>ConnectTcp's timeout: an attempt that gets no answer fails with <see cref="ConnectTimeoutException"/> once it has run out, and its socket is closed.</summary>
public class TcpUnansweredConnectTests
{
    [LinuxTheory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void An_attempt_that_gets_no_answer_fails_with_a_timeout_and_closes_its_socket(ReactorBackend backend)
    {
        using var silent = new SilentListener();
        using var reactor = TestBackends.Create(backend);
        var factory = new FailureRecordingFactory(reactor);
        var timeout = TimeSpan.FromMilliseconds(200);
        var started = DateTime.UtcNow;
        var connector = reactor.ConnectTcp("127.0.0.1", silent.Endpoint.Port, factory, timeout);

        reactor.RunWithTimeout();

        factory.Failure.Should().BeOfType<ConnectTimeoutException>().Which.Timeout.Should().Be(timeout);
        (factory.FailedAt - started).Should().BeGreaterThanOrEqualTo(timeout);
        connector.State.Should().Be(ConnectorState.Disconnected);
        silent.PendingAttempts().Should().Be(0, "the timed-out attempt's socket is closed, not left retrying its SYN");
    }

    private sealed class FailureRecordingFactory(IReactor reactor) : ClientFactory
    {
        public Exception? Failure { get; private set; }

        public DateTime FailedAt { get; private set; }

        public override Protocol? BuildProtocol(EndPoint address) => new Protocol();

        public override void ClientConnectionFailed(IConnector connector, Failure reason)
        {
            Failure = reason.Exception;
            FailedAt = DateTime.UtcNow;
            reactor.Stop();
        }
    }
}
