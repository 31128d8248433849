namespace Reactor.Internal.Unix;

/// <summary>
/// A stream socket that can tell who is on the other end of a UNIX connection (SO_PEERCRED on Linux): both backends'
/// stream sockets implement it; a UNIX connection asks once, when it is made.
/// </summary>
internal interface IPeerCredentialsSource
{
    /// <summary>The peer's process, user and group ids when the connection was made; <c>false</c> where the OS cannot say.</summary>
    bool TryGetPeerCredentials(out int processId, out uint userId, out uint groupId);
}
