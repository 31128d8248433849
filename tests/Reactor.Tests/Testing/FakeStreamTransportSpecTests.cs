using System.Net;
using Reactor.Testing;
using Reactor.Tests.Streams;

namespace Reactor.Tests.Testing;

/// <summary>The stream specification over <see cref="FakeStreamTransport"/>: the fake behaves as real TCP does.</summary>
public sealed class FakeStreamTransportSpecTests : StreamTransportSpec
{
    private static readonly IPEndPoint Host = new(IPAddress.Loopback, 8000);
    private static readonly IPEndPoint Client = new(IPAddress.Loopback, 50000);

    protected override StreamPeer Connect(Protocol protocol) =>
        new FakePeer(new FakeStreamTransport(Host, Client).Attach(protocol));

    /// <summary>The peer and the loop, played through the fake's own controls.</summary>
    private sealed class FakePeer(FakeStreamTransport transport) : StreamPeer
    {
        public override ITransport Transport => transport;

        public override EndPoint ExpectedHost => Host;

        public override EndPoint ExpectedPeer => Client;

        public override IReadOnlyList<byte> Received => transport.Written;

        public override PeerEnd End => transport.Aborted ? PeerEnd.Reset : transport.EndOfStreamSent ? PeerEnd.EndOfStream : PeerEnd.Open;

        public override void Write(ReadOnlySpan<byte> data) => transport.Receive(data);

        public override void Close() => transport.ReceiveFin();

        public override void Reset() => transport.ReceiveReset();

        public override void StopReading() => transport.FillSendBuffer();

        public override void StartReading() => transport.DrainSendBuffer();

        public override void RunUntil(Func<bool> condition, string what)
        {
            // Each turn of the loop is a Pump; a fake needs a handful, never thousands.
            for (var turn = 0; turn < 1000; turn++)
            {
                if (condition())
                {
                    return;
                }

                transport.Pump();
            }

            throw TimedOut(what);
        }

        public override void Settle()
        {
            for (var turn = 0; turn < 3; turn++)
            {
                transport.Pump();
            }
        }
    }
}
