namespace Reactor.Testing;

/// <summary>A call to <see cref="MemoryReactor.ListenUnix"/>, as recorded.</summary>
/// <param name="Path">The path, as given.</param>
/// <param name="Factory">The factory.</param>
/// <param name="Backlog">The backlog argument.</param>
/// <param name="Mode">The mode argument (<c>null</c>: the default, 0666).</param>
/// <param name="WantPid">Whether a lock file was asked for.</param>
/// <param name="ListeningPort">The port returned.</param>
public sealed record UnixListenCall(string Path, Factory Factory, int Backlog, UnixFileMode? Mode, bool WantPid, MemoryUnixPort ListeningPort);
