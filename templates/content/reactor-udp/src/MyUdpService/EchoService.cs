using System.Net;
using Reactor;

namespace MyUdpService;

/// <summary>
/// Sends every datagram back to its sender, with a budget: at most <c>repliesPerSecond</c> replies in each second of
/// the clock, so that a flood of spoofed requests cannot turn the service into an amplifier. Datagrams past the budget
/// are dropped and counted.
/// </summary>
/// <param name="clock">The time: the reactor in production, a <c>Reactor.Testing.Clock</c> in tests.</param>
/// <param name="repliesPerSecond">The budget.</param>
public sealed class EchoService(IReactorTime clock, int repliesPerSecond = 1000) : DatagramProtocol
{
    private double _second = double.NegativeInfinity;
    private int _replies;

    /// <summary>The datagrams dropped because the budget was spent.</summary>
    public long Dropped { get; private set; }

    /// <summary>What the program does at startup: listen on <paramref name="port"/> (0 for any free one).</summary>
    public static IUdpTransport Listen(IReactor reactor, int port, string @interface = "127.0.0.1") =>
        reactor.ListenUdp(port, new EchoService(reactor), @interface);

    /// <inheritdoc />
    public override void DatagramReceived(ReadOnlySpan<byte> datagram, IPEndPoint sender)
    {
        var second = Math.Floor(clock.Seconds());
        if (second != _second)
        {
            _second = second;
            _replies = 0;
        }

        if (_replies == repliesPerSecond)
        {
            Dropped++;
            return;
        }

        _replies++;

        // The datagram is a view of the reactor's receive buffer, valid until this method returns: Write copies it.
        Transport!.Write(datagram, sender);
    }
}
