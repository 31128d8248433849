namespace Reactor.Testing;

/// <summary>A call to <see cref="MemoryReactor.ListenUdp"/> or <see cref="MemoryReactor.ListenMulticast"/>, as recorded.</summary>
/// <param name="Port">The port number asked for (0 when the caller let the reactor pick; the transport's <c>GetHost()</c> has the one picked).</param>
/// <param name="Protocol">The protocol.</param>
/// <param name="Interface">The interface argument, as given.</param>
/// <param name="MaxPacketSize">The <c>maxPacketSize</c> argument.</param>
/// <param name="ListenMultiple">The <c>listenMultiple</c> argument (always <c>false</c> for <c>ListenUdp</c>).</param>
/// <param name="Transport">The fake transport the protocol was connected to: inject datagrams and read writes through it.</param>
public sealed record UdpListenCall(int Port, DatagramProtocol Protocol, string Interface, int MaxPacketSize, bool ListenMultiple, FakeDatagramTransport Transport);
