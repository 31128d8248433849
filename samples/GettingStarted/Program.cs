using System.Net;
using Reactor;

using var reactor = ReactorFactory.Create(new ReactorOptions { HandleSignals = true });
reactor.ListenUdp(9999, new Echo());
reactor.Run();

sealed class Echo : DatagramProtocol
{
    public override void DatagramReceived(ReadOnlySpan<byte> datagram, IPEndPoint sender) =>
        Transport!.Write(datagram, sender);
}
