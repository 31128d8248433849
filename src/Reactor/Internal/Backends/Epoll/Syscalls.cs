using Reactor.Internal.Linux;

namespace Reactor.Internal.Backends.Epoll;

/// <summary>
/// The data-path system calls of the epoll sockets, each one line that lets a test's <see cref="SocketFaults"/> script
/// fail it first (it returns -1 with the scripted errno set, exactly as libc would), so the loops around them read as
/// plain system calls. Outside tests <c>faults</c> is null and costs one check.
/// </summary>
internal static unsafe class Syscalls
{
    internal static int RecvMmsg(int fd, Interop.MultiMessageHeader* messages, int count, SocketFaults? faults) =>
        faults?.FailsNative(SocketCall.Receive) == true ? -1 : Interop.recvmmsg(fd, messages, (uint)count, 0, null);

    internal static int SendMmsg(int fd, Interop.MultiMessageHeader* messages, int count, SocketFaults? faults) =>
        faults?.FailsNative(SocketCall.Send) == true ? -1 : Interop.sendmmsg(fd, messages, (uint)count, 0);

    /// <summary><c>sendto</c>; with no address (<paramref name="addressLength"/> 0) it is <c>send</c> to the connected peer.</summary>
    internal static nint SendTo(int fd, byte* data, int length, byte* address, int addressLength, SocketFaults? faults) =>
        faults?.FailsNative(SocketCall.Send) == true ? -1
            : Interop.sendto(fd, data, (nuint)length, 0, addressLength == 0 ? null : address, (uint)addressLength);
}
