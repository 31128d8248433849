using System.Net;
using Reactor.Testing;
using Reactor.Tests.Support;

namespace Reactor.Tests.Tcp;

/// <summary>
/// A connect attempt that outlasts its timeout fails with <see cref="ConnectTimeoutException"/> when the timeout runs
/// out (D26: reported after the call that caused it, here the timeout's own timer), not when the reactor shuts down.
/// </summary>
public class TcpConnectTimeoutTests
{
    private sealed class StopOnFailure(IReactor reactor) : ClientFactory
    {
        public Exception? Failure { get; private set; }

        public override Protocol? BuildProtocol(EndPoint address) => new();

        public override void ClientConnectionFailed(IConnector connector, Failure reason)
        {
            Failure = reason.Exception;
            reactor.Stop();
        }
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void A_name_that_never_resolves_fails_with_ConnectTimeoutException_when_the_timeout_runs_out(ReactorBackend backend)
    {
        using var reactor = TestBackends.Create(backend);
        reactor.InstallResolver(new FakeResolver { HoldLookups = true });
        var factory = new StopOnFailure(reactor);
        var timeout = TimeSpan.FromMilliseconds(100);
        reactor.CallWhenRunning(() => reactor.ConnectTcp("never.test", 80, factory, timeout));

        reactor.RunWithTimeout();

        factory.Failure.Should().BeOfType<ConnectTimeoutException>().Which.Timeout.Should().Be(timeout);
    }

    [LinuxTheory]
    [MemberData(nameof(Families.BackendsAndLoopbacks), MemberType = typeof(Families))]
    public void A_handshake_that_never_completes_fails_with_ConnectTimeoutException_when_the_timeout_runs_out(ReactorBackend backend, string loopback)
    {
        using var reactor = TestBackends.Create(backend);

        using var hang = new FullAcceptQueue(loopback);
        var factory = new StopOnFailure(reactor);
        var timeout = TimeSpan.FromMilliseconds(200);
        reactor.CallWhenRunning(() => reactor.ConnectTcp(loopback, hang.EndPoint.Port, factory, timeout));

        reactor.RunWithTimeout();

        factory.Failure.Should().BeOfType<ConnectTimeoutException>().Which.Timeout.Should().Be(timeout);
    }
}
