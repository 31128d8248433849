using System.Net;

namespace Reactor.Testing;

/// <summary>A datagram a protocol wrote to a <see cref="FakeDatagramTransport"/>.</summary>
/// <param name="Data">A copy of the payload, taken when it was written.</param>
/// <param name="Destination">Where it went: the address given, or the peer on a connected transport.</param>
public sealed record SentDatagram(byte[] Data, IPEndPoint Destination);
