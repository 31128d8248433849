namespace Reactor;

/// <summary>
/// UNIX sockets: Twisted's <c>IReactorUNIX</c>. A path names the socket: a file path (<c>/run/app.sock</c>, relative
/// paths allowed), or on Linux an abstract name, <c>@name</c> (or <c>"\0name"</c>), which lives in no file system and
/// vanishes with its socket. A path is at most 108 bytes of UTF-8.
/// </summary>
public interface IReactorUnix
{
    /// <summary>
    /// Listens for UNIX stream connections on <paramref name="path"/>; each accepted connection gets a protocol from
    /// <paramref name="factory"/> and an <see cref="IUnixTransport"/>. When this returns the socket is listening and the
    /// factory has started. Stopping the port removes the socket file (and the lock file).
    /// </summary>
    /// <param name="path">The file path, or <c>@name</c> for a Linux abstract name.</param>
    /// <param name="factory">Builds a protocol per connection; returning <c>null</c> refuses that connection.</param>
    /// <param name="backlog">The kernel's queue of connections not yet accepted. Default 50.</param>
    /// <param name="mode">
    /// The socket file's permissions, set after binding; <c>null</c> means 0666 (anyone may connect), as Twisted. Not
    /// used for an abstract name.
    /// </param>
    /// <param name="wantPid">
    /// Guard the path with a lock file, <c>path.lock</c> (Twisted's <c>wantPID</c>): a symbolic link to this process's
    /// id. While a live process holds it, listening fails; a lock left by a process that died is taken over and its stale
    /// socket file removed.
    /// </param>
    /// <returns>The listening port; <see cref="IListeningPort.StopListening"/> closes it (open connections stay open).</returns>
    /// <remarks>
    /// <b>A socket file left behind</b> by a process that died (nothing listens on it any more) is removed and the path
    /// bound again, with or without <paramref name="wantPid"/>: a connect to it is refused, so nobody is using it. A file
    /// that is not a socket, or a socket someone answers on, is never touched: listening fails with "Address already in
    /// use" (decision D64 in docs/decisions.md).
    /// </remarks>
    /// <exception cref="ArgumentNullException"><paramref name="path"/> or <paramref name="factory"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="backlog"/> is below 1.</exception>
    /// <exception cref="InvalidAddressException"><paramref name="path"/> is empty, too long or holds a NUL.</exception>
    /// <exception cref="InvalidOperationException">Not on the reactor thread.</exception>
    /// <exception cref="ObjectDisposedException">The reactor has shut down.</exception>
    /// <exception cref="CannotListenException">The lock is held, the path is in use, or the operating system refused the socket, bind, chmod or listen.</exception>
    IUnixPort ListenUnix(string path, Factory factory, int backlog = 50, UnixFileMode? mode = null, bool wantPid = false);

    /// <summary>
    /// Connects to the UNIX stream socket at <paramref name="path"/> and, once connected, builds the connection's protocol
    /// with <paramref name="factory"/>. <see cref="ClientFactory.StartedConnecting"/> runs inside this call; success or
    /// failure is reported later, never from inside it.
    /// </summary>
    /// <param name="path">The file path, or <c>@name</c> for a Linux abstract name.</param>
    /// <param name="factory">Builds the protocol and hears how the attempt went.</param>
    /// <param name="timeout">How long the attempt may take before it fails with a <see cref="ConnectTimeoutException"/>; <c>null</c> means 30 seconds.</param>
    /// <param name="checkPid">
    /// Connect only if the server's lock file (<c>path.lock</c>, see <see cref="ListenUnix"/>'s <c>wantPid</c>) is held
    /// by a live process; otherwise the attempt fails with a <see cref="ConnectionRefusedException"/> (Twisted's
    /// <c>checkPID</c>).
    /// </param>
    /// <returns>The connector, which can cancel the attempt, disconnect, or connect again.</returns>
    /// <remarks>
    /// A path where nobody listens fails with <see cref="ConnectionRefusedException"/>; a path that does not exist with a
    /// <see cref="ConnectException"/> whose <see cref="ConnectException.SocketErrorCode"/> is
    /// <see cref="System.Net.Sockets.SocketError.AddressNotAvailable"/>; on Linux a server whose accept queue is full
    /// refuses at once with <see cref="System.Net.Sockets.SocketError.WouldBlock"/> (the kernel does not queue UNIX
    /// connects).
    /// </remarks>
    /// <exception cref="ArgumentNullException"><paramref name="path"/> or <paramref name="factory"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is not positive.</exception>
    /// <exception cref="InvalidAddressException"><paramref name="path"/> is empty, too long or holds a NUL.</exception>
    /// <exception cref="InvalidOperationException">Not on the reactor thread.</exception>
    /// <exception cref="ObjectDisposedException">The reactor has shut down.</exception>
    IConnector ConnectUnix(string path, ClientFactory factory, TimeSpan? timeout = null, bool checkPid = false);
}
