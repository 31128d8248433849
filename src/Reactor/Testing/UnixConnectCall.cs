namespace Reactor.Testing;

/// <summary>A call to <see cref="MemoryReactor.ConnectUnix"/>, as recorded.</summary>
/// <param name="Path">The path, as given.</param>
/// <param name="Factory">The client factory.</param>
/// <param name="Timeout">The timeout (30 s when none was given).</param>
/// <param name="CheckPid">Whether the server's lock file was to be checked.</param>
/// <param name="Connector">The connector returned.</param>
public sealed record UnixConnectCall(string Path, ClientFactory Factory, TimeSpan Timeout, bool CheckPid, MemoryConnector Connector);
