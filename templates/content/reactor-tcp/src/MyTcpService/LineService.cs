using System.Text;
using Reactor;
using Reactor.Protocols;

namespace MyTcpService;

/// <summary>
/// One connection's protocol, one command a line (CRLF or LF): <c>PING</c> answers <c>PONG</c>, <c>ECHO text</c>
/// answers <c>text</c>, <c>QUIT</c> answers <c>BYE</c> and closes; anything else answers <c>ERR unknown command</c>. A
/// connection that sends no line for <see cref="IdleTimeout"/> is closed.
/// </summary>
/// <param name="clock">The time: the reactor in production, a <c>Reactor.Testing.Clock</c> in tests.</param>
public sealed class LineService(IReactorTime clock) : LineReceiver
{
    /// <summary>How long a connection may stay silent.</summary>
    public static readonly TimeSpan IdleTimeout = TimeSpan.FromMinutes(1);

    private IDelayedCall? _idle;

    /// <summary>What the program does at startup: listen on <paramref name="port"/> (0 for any free one).</summary>
    public static IListeningPort Listen(IReactor reactor, int port, string @interface = "127.0.0.1") =>
        reactor.ListenTcp(port, Factory.ForProtocol(() => new LineService(reactor)), @interface: @interface);

    /// <inheritdoc />
    public override void ConnectionMade()
    {
        Delimiter = "\n"u8.ToArray();
        MaxLength = 1024; // a longer line closes the connection (LineLengthExceeded)
        _idle = clock.CallLater(IdleTimeout, Transport!.LoseConnection);
    }

    /// <inheritdoc />
    public override void LineReceived(ReadOnlySpan<byte> line)
    {
        _idle?.Reset(IdleTimeout);
        if (line.EndsWith("\r"u8))
        {
            line = line[..^1];
        }

        if (line.SequenceEqual("PING"u8))
        {
            SendLine("PONG"u8);
        }
        else if (line.StartsWith("ECHO "u8))
        {
            SendLine(line["ECHO "u8.Length..]);
        }
        else if (line.SequenceEqual("QUIT"u8))
        {
            SendLine("BYE"u8);
            Transport!.LoseConnection();
        }
        else
        {
            SendLine(Encoding.ASCII.GetBytes("ERR unknown command"));
        }
    }

    /// <inheritdoc />
    public override void ConnectionLost(Failure reason)
    {
        if (_idle is { Active: true })
        {
            _idle.Cancel();
        }
    }
}
