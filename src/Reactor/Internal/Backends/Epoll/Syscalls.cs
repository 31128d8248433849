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

    // ---- Streams --------------------------------------------------------------------------------------------------

    internal static nint Recv(int fd, byte* buffer, int length, SocketFaults? faults) =>
        faults?.FailsNative(SocketCall.Receive) == true ? -1 : Interop.recv(fd, buffer, (nuint)length, 0);

    /// <summary><c>send</c> with MSG_NOSIGNAL (a closed peer is an EPIPE, never a SIGPIPE).</summary>
    internal static nint Send(int fd, byte* data, int length, SocketFaults? faults) =>
        faults?.FailsNative(SocketCall.Send) == true ? -1 : Interop.sendto(fd, data, (nuint)length, Interop.MSG_NOSIGNAL, null, 0);

    /// <summary><c>sendmsg</c> with MSG_NOSIGNAL.</summary>
    internal static nint SendMsg(int fd, Interop.MessageHeader* message, SocketFaults? faults) =>
        faults?.FailsNative(SocketCall.Send) == true ? -1 : Interop.sendmsg(fd, message, Interop.MSG_NOSIGNAL);

    internal static int Accept4(int fd, byte* address, uint* addressLength, int flags, SocketFaults? faults) =>
        faults?.FailsNative(SocketCall.Accept) == true ? -1 : Interop.accept4(fd, address, addressLength, flags);

    /// <summary>
    /// <c>connect</c>. A scripted EINTR is what the kernel means by one: the connect was made and goes on in the
    /// background (so the real call is made, and its EINPROGRESS reported as EINTR); any other errno replaces the call.
    /// </summary>
    internal static int Connect(int fd, byte* address, uint addressLength, SocketFaults? faults)
    {
        if (faults is null || !faults.FailsNative(SocketCall.Connect))
        {
            return Interop.connect(fd, address, addressLength);
        }

        if (Interop.LastError != Errno.EINTR)
        {
            return -1;
        }

        var result = Interop.connect(fd, address, addressLength);
        if (result == 0 || Interop.LastError == Errno.EINPROGRESS)
        {
            System.Runtime.InteropServices.Marshal.SetLastPInvokeError(Errno.EINTR);
            return -1;
        }

        return result;
    }

    /// <summary>How a connect in progress ended: the socket's pending error (<c>SO_ERROR</c>), or -1 with errno set.</summary>
    internal static int ConnectResult(int fd, out int error, SocketFaults? faults)
    {
        if (faults?.FailsNative(SocketCall.ConnectResult) == true)
        {
            // The scripted errno is what SO_ERROR holds: getsockopt itself succeeds.
            error = Interop.LastError;
            return 0;
        }

        return Interop.GetSocketOption(fd, Interop.SOL_SOCKET, Interop.SO_ERROR, out error);
    }
}
