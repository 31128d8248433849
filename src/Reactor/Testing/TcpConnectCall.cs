using System.Net;

namespace Reactor.Testing;

/// <summary>A call to <see cref="MemoryReactor.ConnectTcp"/>, as recorded.</summary>
/// <param name="Host">The host, as given.</param>
/// <param name="Port">The port.</param>
/// <param name="Factory">The client factory.</param>
/// <param name="Timeout">The timeout (30 s when none was given).</param>
/// <param name="BindAddress">The bind address, if any.</param>
/// <param name="Connector">The connector returned.</param>
public sealed record TcpConnectCall(string Host, int Port, ClientFactory Factory, TimeSpan Timeout, IPEndPoint? BindAddress, MemoryConnector Connector);
