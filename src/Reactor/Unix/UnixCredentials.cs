namespace Reactor;

/// <summary>
/// Who is on the other end of a UNIX connection, as the kernel saw it when the connection was made (Linux's
/// <c>SO_PEERCRED</c>): the peer's process, user and group ids. Read it from <see cref="IUnixTransport.PeerCredentials"/>,
/// for example to accept only connections from one user without a password.
/// </summary>
/// <param name="ProcessId">The peer's process id at connect (or listen) time.</param>
/// <param name="UserId">The peer's effective user id.</param>
/// <param name="GroupId">The peer's effective group id.</param>
public readonly record struct UnixCredentials(int ProcessId, uint UserId, uint GroupId);
