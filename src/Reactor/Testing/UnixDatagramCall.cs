namespace Reactor.Testing;

/// <summary>A recorded <see cref="MemoryReactor.ListenUnixDatagram"/> or <see cref="MemoryReactor.ConnectUnixDatagram"/> call.</summary>
/// <param name="Path">The path listened on, or connected to when <paramref name="Connected"/>.</param>
/// <param name="Protocol">The protocol.</param>
/// <param name="MaxPacketSize">The maxPacketSize.</param>
/// <param name="Mode">The socket file mode asked for.</param>
/// <param name="Connected">Whether it was <c>ConnectUnixDatagram</c>.</param>
/// <param name="BindAddress">A connected port's bind address.</param>
/// <param name="Port">The port returned, which records writes.</param>
public sealed record UnixDatagramCall(string Path, UnixDatagramProtocol Protocol, int MaxPacketSize, UnixFileMode? Mode, bool Connected, string? BindAddress, MemoryUnixDatagramPort Port);
