// A newcomer's program: the README's reactor, no LoggerFactory, and code that goes wrong in each way the loop survives.
// Prints "listening on <port>" and an acknowledgement per step on stdout; Reactor's default logger writes the errors and
// warnings to stderr (decision D41). Send it, on 127.0.0.1: "boom" (DatagramReceived throws), a datagram longer than 64
// bytes (dropped), "timer" (a CallLater callback throws), "lose" (a failed Deferred nobody handles), "stop".
using System.Net;
using System.Runtime.CompilerServices;
using System.Text;
using Reactor;

using var reactor = ReactorFactory.Create();
var port = reactor.ListenUdp(0, new Faulty(reactor), "127.0.0.1", maxPacketSize: 64);
Console.WriteLine($"listening on {port.GetHost().Port}");
reactor.Run();
Console.WriteLine("stopped");

sealed class Faulty(IReactor reactor) : DatagramProtocol
{
    public override void DatagramReceived(ReadOnlySpan<byte> datagram, IPEndPoint sender)
    {
        var text = Encoding.ASCII.GetString(datagram);
        Console.WriteLine($"got {text}");
        switch (text)
        {
            case "boom":
                throw new InvalidOperationException("the protocol failed");
            case "timer":
                reactor.CallLater(TimeSpan.Zero, () =>
                {
                    Console.WriteLine("timer firing");
                    throw new InvalidOperationException("the timer failed");
                });
                break;
            case "lose":
                LoseAFailure();
                GC.Collect();
                GC.WaitForPendingFinalizers();
                Console.WriteLine("collected");
                break;
            case "stop":
                reactor.Stop();
                break;
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void LoseAFailure() => _ = Deferred.Fail<int>(new InvalidOperationException("nobody handled this failure"));
}
