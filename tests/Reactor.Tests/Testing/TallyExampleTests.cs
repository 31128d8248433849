using System.Net;
using System.Runtime.InteropServices;
using System.Text;
using Reactor.Testing;

// The stream example of docs/testing.md: a user's TCP server and client, and their unit tests with FakeStreamTransport
// and MemoryReactor (no socket, no waiting).
namespace Reactor.Tests.Testing;

// <snippet protocol>
/// <summary>
/// A line protocol: "ADD n" adds n to the connection's total and answers the total; "QUIT" says goodbye and closes;
/// 30 seconds without a line close the connection.
/// </summary>
public sealed class Tally(IReactorTime clock) : Protocol
{
    private static readonly TimeSpan IdleTimeout = TimeSpan.FromSeconds(30);
    private readonly List<byte> _line = [];
    private IDelayedCall? _idle;
    private long _total;

    /// <summary>What a program does at startup.</summary>
    public static IListeningPort Listen(IReactor reactor, int port) =>
        reactor.ListenTcp(port, Factory.ForProtocol(() => new Tally(reactor)));

    public override void ConnectionMade()
    {
        Transport!.Write("hello\r\n"u8);
        _idle = clock.CallLater(IdleTimeout, Transport.LoseConnection);
    }

    public override void DataReceived(ReadOnlySpan<byte> data)
    {
        _idle?.Reset(IdleTimeout);
        foreach (var b in data)
        {
            if (b != (byte)'\n')
            {
                _line.Add(b);
                continue;
            }

            var line = Encoding.ASCII.GetString(CollectionsMarshal.AsSpan(_line)).TrimEnd('\r');
            _line.Clear();
            if (line == "QUIT")
            {
                Transport!.Write("bye\r\n"u8);
                Transport.LoseConnection();
                return;
            }

            if (line.StartsWith("ADD ", StringComparison.Ordinal) && long.TryParse(line[4..], out var n))
            {
                _total += n;
                Transport!.Write(Encoding.ASCII.GetBytes($"{_total}\r\n"));
            }
            else
            {
                Transport!.Write("?\r\n"u8);
            }
        }
    }

    public override void ConnectionLost(Failure reason)
    {
        if (_idle is { Active: true })
        {
            _idle.Cancel();
        }
    }
}

/// <summary>Connects to a Tally server, adds 1 and quits; an attempt that fails is retried after 5 seconds.</summary>
public sealed class TallyClient(IReactor reactor) : ClientFactory
{
    public override Protocol? BuildProtocol(EndPoint address) => new AddOne();

    public override void ClientConnectionFailed(IConnector connector, Failure reason) =>
        reactor.CallLater(TimeSpan.FromSeconds(5), connector.Connect);

    private sealed class AddOne : Protocol
    {
        public override void ConnectionMade() => Transport!.Write("ADD 1\r\nQUIT\r\n"u8);
    }
}
// </snippet>

// <snippet tests>
public class TallyTests
{
    [Fact]
    public void Answers_each_line_even_when_it_arrives_in_pieces()
    {
        var transport = new FakeStreamTransport().Attach(new Tally(new Clock()));

        transport.Receive("AD");
        transport.Receive("D 2\r\nADD 3\r\nHELLO\r\n");

        transport.TakeWrittenText().Should().Be("hello\r\n2\r\n5\r\n?\r\n");
    }

    [Fact]
    public void QUIT_says_goodbye_and_closes_the_connection_cleanly()
    {
        var tally = new Tally(new Clock());
        var transport = new FakeStreamTransport().Attach(tally);

        transport.Receive("QUIT\r\nADD 1\r\n");

        transport.WrittenText.Should().EndWith("bye\r\n", "nothing after QUIT is answered");
        transport.Closed.Should().BeTrue("LoseConnection inside DataReceived completes when it returns");
        transport.EndOfStreamSent.Should().BeTrue();
        tally.Connected.Should().BeFalse();
    }

    [Fact]
    public void Thirty_seconds_without_a_line_close_the_connection()
    {
        var clock = new Clock();
        var transport = new FakeStreamTransport().Attach(new Tally(clock));

        clock.Advance(TimeSpan.FromSeconds(20));
        transport.Receive("ADD 1\r\n");
        clock.Advance(TimeSpan.FromSeconds(29));
        transport.Disconnecting.Should().BeFalse("the line restarted the timeout");

        clock.Advance(TimeSpan.FromSeconds(1));
        transport.Disconnecting.Should().BeTrue();
        transport.Pump(); // a timer's LoseConnection completes on the next turn of the loop
        transport.Closed.Should().BeTrue();
        clock.GetDelayedCalls().Should().BeEmpty();
    }

    [Fact]
    public void Each_connection_to_the_server_has_its_own_total()
    {
        var reactor = new MemoryReactor();
        Tally.Listen(reactor, 8000);
        var server = reactor.TcpServers.Should().ContainSingle().Subject;
        server.Port.Should().Be(8000);

        var first = server.Accept()!;
        var second = server.Accept()!;
        first.Receive("ADD 5\r\n");
        second.Receive("ADD 1\r\n");

        first.TakeWrittenText().Should().Be("hello\r\n5\r\n");
        second.TakeWrittenText().Should().Be("hello\r\n1\r\n");
    }

    [Fact]
    public void The_client_retries_five_seconds_after_a_failed_attempt()
    {
        var reactor = new MemoryReactor();
        reactor.ConnectTcp("192.0.2.1", 8000, new TallyClient(reactor));
        var connector = reactor.TcpClients.Should().ContainSingle().Subject.Connector;

        connector.Fail(new ConnectionRefusedException(connector.GetDestination()));
        reactor.Clock.Advance(TimeSpan.FromSeconds(5));
        connector.Attempts.Should().Be(2);

        var transport = connector.Complete()!;
        transport.TakeWrittenText().Should().Be("ADD 1\r\nQUIT\r\n");
        transport.ReceiveFin();
        connector.State.Should().Be(ConnectorState.Disconnected);
    }
}
// </snippet>
