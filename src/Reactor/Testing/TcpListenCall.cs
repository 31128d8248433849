namespace Reactor.Testing;

/// <summary>A call to <see cref="MemoryReactor.ListenTcp"/>, as recorded.</summary>
/// <param name="Port">The port number asked for (0 when the caller let the reactor pick; the port's <c>GetHost()</c> has the one picked).</param>
/// <param name="Factory">The factory.</param>
/// <param name="Backlog">The backlog argument.</param>
/// <param name="Interface">The interface argument, as given.</param>
/// <param name="ListeningPort">The port returned.</param>
public sealed record TcpListenCall(int Port, Factory Factory, int Backlog, string Interface, IListeningPort ListeningPort);
