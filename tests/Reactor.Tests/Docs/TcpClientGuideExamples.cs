using System.Net;
using System.Text;
using Reactor.Testing;
using Reactor.Tests.Support;

namespace Reactor.Tests.Docs;

/// <summary>Writes one line to the collector it connects to.</summary>
sealed class LogShipper : Protocol
{
    public override void ConnectionMade() => Transport!.Write("shipper up\n"u8);
}

// <snippet reconnecting-factory>
/// <summary>Ships log lines to a collector, and connects again whenever the collector goes away.</summary>
sealed class LogShipperFactory : ReconnectingClientFactory
{
    public LogShipperFactory()
        : base(initialDelay: TimeSpan.FromSeconds(0.5), maxDelay: TimeSpan.FromMinutes(2))
    {
    }

    public override Protocol? BuildProtocol(EndPoint address)
    {
        ResetDelay(); // connected: after a loss, the back-off starts again from InitialDelay
        return new LogShipper { Factory = this };
    }
}
// </snippet>

/// <summary>The code blocks of the Reconnecting and One-shot connections sections of docs/tcp.md, compiled and run.</summary>
[Collection(DocExamplesCollection.Name)]
public class TcpClientGuideExamples
{
    /// <summary>Collects what clients send; stops the reactor when <paramref name="onClosed"/> says so.</summary>
    private sealed class Collector(StringBuilder received, Action onClosed) : Protocol
    {
        public override void DataReceived(ReadOnlySpan<byte> data) => received.Append(Encoding.UTF8.GetString(data));

        public override void ConnectionLost(Failure reason) => onClosed();
    }

    [Fact]
    public void The_log_shipper_connects_and_StopTrying_ends_the_retries()
    {
        using var reactor = ReactorFactory.Create();
        var received = new StringBuilder();
        var collector = reactor.ListenTcp(0, Factory.ForProtocol(() => new Collector(received, () => { })), @interface: "127.0.0.1");
        var collectorPort = collector.GetHost().Port;
        LogShipperFactory? connected = null;
        reactor.CallWhenRunning(() =>
        {
            // <snippet reconnecting-connect>
            var shipper = new LogShipperFactory();
            reactor.ConnectTcp("127.0.0.1", collectorPort, shipper);
            // </snippet>
            connected = shipper;
        });
        var done = new LoopingCall(reactor, () =>
        {
            if (received.ToString() == "shipper up\n")
            {
                connected!.StopTrying();
                reactor.Stop();
            }
        });
        done.Start(TimeSpan.FromMilliseconds(10));

        reactor.RunWithTimeout();

        connected!.ContinueTrying.Should().BeFalse();
        connected.Connector!.State.Should().Be(ConnectorState.Disconnected, "the shutdown closed the connection, and it was not retried");
    }

    [Fact]
    public void A_memory_reactor_shows_the_waits_without_waiting()
    {
        // <snippet reconnecting-test>
        var reactor = new MemoryReactor();
        var shipper = new LogShipperFactory { Jitter = 0 };
        reactor.ConnectTcp("127.0.0.1", 5140, shipper);
        var connector = reactor.TcpClients[0].Connector;

        connector.Fail(new ConnectionRefusedException(connector.GetDestination()));
        reactor.Clock.Advance(TimeSpan.FromSeconds(0.5)); // the first retry waits InitialDelay
        connector.Attempts.Should().Be(2);

        connector.Fail(new ConnectionRefusedException(connector.GetDestination()));
        shipper.Retries.Should().Be(2);
        reactor.GetDelayedCalls().Single().Time.Should().BeApproximately(0.5 + (0.5 * Math.E), 1e-6); // then Factor times longer

        reactor.Clock.Advance(TimeSpan.FromSeconds(2));
        connector.Complete(); // connected: BuildProtocol calls ResetDelay
        shipper.Retries.Should().Be(0);
        // </snippet>
    }

    // <snippet one-shot>
    static async Task SendLineAsync(IReactor reactor, int port, string line)
    {
        var creator = new ClientCreator<Protocol>(reactor, () => new Protocol());
        try
        {
            Protocol client = await creator.ConnectTcp("127.0.0.1", port, timeout: TimeSpan.FromSeconds(5));
            client.Transport!.Write(Encoding.UTF8.GetBytes(line + "\n"));
            client.Transport.LoseConnection();
        }
        catch (ConnectException e)
        {
            Console.WriteLine($"Not sent: {e.Message}");
        }
    }
    // </snippet>

    [Fact]
    public void SendLineAsync_sends_its_line_and_closes()
    {
        using var reactor = ReactorFactory.Create();
        var received = new StringBuilder();
        var port = reactor.ListenTcp(0, Factory.ForProtocol(() => new Collector(received, reactor.Stop)), @interface: "127.0.0.1");
        reactor.CallWhenRunning(() => _ = SendLineAsync(reactor, port.GetHost().Port, "disk 93% full"));

        reactor.RunWithTimeout();

        received.ToString().Should().Be("disk 93% full\n");
    }

    [Fact]
    public void SendLineAsync_reports_a_refused_connection()
    {
        using var reactor = ReactorFactory.Create();
        using var output = new ConsoleCapture();
        var port = reactor.ListenTcp(0, Factory.ForProtocol<Protocol>(), @interface: "127.0.0.1");
        var number = port.GetHost().Port;
        port.StopListening().AddCallback(_ =>
        {
            _ = SendLineAsync(reactor, number, "lost").ContinueWith(_ => reactor.CallFromThread(reactor.Stop), TaskScheduler.Default);
        });

        reactor.RunWithTimeout();

        output.Lines.Should().Equal($"Not sent: Connection was refused by other side to 127.0.0.1:{number}: Connection refused.");
    }

    [Fact]
    public async Task Cancelling_a_one_shot_connect_fails_it_with_ConnectingCancelledException()
    {
        var reactor = new MemoryReactor();
        var creator = new ClientCreator<Protocol>(reactor, () => new Protocol());
        using var output = new ConsoleCapture();

        // <snippet one-shot-cancel>
        Deferred<Protocol> attempt = creator.ConnectTcp("192.0.2.10", 8080);
        attempt.Cancel(); // stops the attempt (or closes the connection made but not yet delivered)
        try
        {
            await attempt;
        }
        catch (ConnectingCancelledException e) // a ConnectException
        {
            Console.WriteLine(e.Message); // "The connection attempt to 192.0.2.10:8080 was cancelled."
        }
        // </snippet>

        output.Lines.Should().Equal("The connection attempt to 192.0.2.10:8080 was cancelled.");
        reactor.RunPendingCalls();
        reactor.TcpClients[0].Connector.State.Should().Be(ConnectorState.Disconnected);
    }
}
