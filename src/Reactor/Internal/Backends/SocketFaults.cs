using System.Net.Sockets;
using System.Runtime.InteropServices;
using Reactor.Internal.Linux;

namespace Reactor.Internal.Backends;

/// <summary>The system calls a <see cref="SocketFaults"/> script can make fail.</summary>
internal enum SocketCall
{
    /// <summary>A read: <c>recvmmsg</c> (epoll) or <c>Socket.ReceiveFrom</c> (portable).</summary>
    Receive,

    /// <summary>A write: <c>send</c>, <c>sendto</c>, <c>sendmsg</c> or <c>sendmmsg</c> (epoll) or <c>Socket.Send</c>/<c>Socket.SendTo</c> (portable).</summary>
    Send,

    /// <summary>An accept on a listening stream socket: <c>accept4</c> (epoll) or the completed <c>AcceptAsync</c> (portable).</summary>
    Accept,

    /// <summary>
    /// A stream socket's <c>connect</c> (epoll) or <c>ConnectAsync</c> (portable). EINTR is what the kernel means by it:
    /// the real connect is made and carries on in the background; any other errno replaces the call.
    /// </summary>
    Connect,

    /// <summary>How a connect in progress ended: <c>SO_ERROR</c> (epoll) or the <c>ConnectAsync</c> completion (portable).</summary>
    ConnectResult,
}

/// <summary>
/// Fault injection below a backend socket's native layer: errors scripted to replace the next system calls of one
/// socket, so tests can show how each backend maps an OS error (EAGAIN, EINTR, ENOBUFS, ECONNREFUSED, ECONNRESET, EPIPE,
/// ETIMEDOUT, EMSGSIZE, an unknown one) to what its port or connection does. The epoll socket makes the call fail
/// exactly as libc would — it returns -1 with <c>errno</c> set — and the portable socket throws the
/// <see cref="SocketException"/> .NET would (datagrams) or returns the <see cref="SocketError"/> its non-throwing
/// overloads would (streams); the code that handles real failures then runs unchanged.
/// </summary>
/// <remarks>
/// A socket without a script (the only kind outside tests) pays one null check per system call. Reactor thread only.
/// </remarks>
internal sealed class SocketFaults
{
    private const int CallKinds = (int)SocketCall.ConnectResult + 1;

    private readonly Queue<Fault>[] _scripts = [.. Enumerable.Range(0, CallKinds).Select(_ => new Queue<Fault>())];
    private readonly int[] _calls = new int[CallKinds];

    /// <summary>
    /// Makes <paramref name="times"/> calls of kind <paramref name="call"/> fail with <paramref name="errno"/> (a Linux
    /// errno), after letting the next <paramref name="after"/> calls of that kind through. Scripts queue in order.
    /// </summary>
    public SocketFaults Fail(SocketCall call, int errno, int times = 1, int after = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(errno);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(times);
        ArgumentOutOfRangeException.ThrowIfNegative(after);
        var script = _scripts[(int)call];
        script.Enqueue(new Fault(after, errno));
        for (var i = 1; i < times; i++)
        {
            script.Enqueue(new Fault(0, errno));
        }

        return this;
    }

    /// <summary>Scripted failures of <paramref name="call"/> not yet used.</summary>
    public int Pending(SocketCall call) => _scripts[(int)call].Count;

    /// <summary>How many calls of <paramref name="call"/> reached this script (failed or let through).</summary>
    public int Calls(SocketCall call) => _calls[(int)call];

    /// <summary>
    /// For the epoll socket, before a system call: <c>true</c> when this call must fail, with the scripted errno already
    /// set as the last P/Invoke error (so <see cref="Interop.LastError"/> reads it, as after a real failure).
    /// </summary>
    public bool FailsNative(SocketCall call)
    {
        if (!TryTake(call, out var errno))
        {
            return false;
        }

        Marshal.SetLastPInvokeError(errno);
        return true;
    }

    /// <summary>
    /// For the portable socket, before a <see cref="Socket"/> call: throws what .NET throws when the OS call fails with
    /// the scripted errno (its <see cref="SocketError"/>; <see cref="SocketError.SocketError"/> for one .NET does not name).
    /// </summary>
    public void ThrowIfScripted(SocketCall call)
    {
        if (TryTake(call, out var errno))
        {
            throw new SocketException((int)Errno.ToSocketError(errno));
        }
    }

    /// <summary>
    /// For the portable stream socket, before a <see cref="Socket"/> call: <c>true</c> when this call must fail, with the
    /// <see cref="SocketError"/> .NET's non-throwing overloads would return for the scripted errno.
    /// </summary>
    public bool Fails(SocketCall call, out SocketError error)
    {
        if (!TryTake(call, out var errno))
        {
            error = SocketError.Success;
            return false;
        }

        error = Errno.ToSocketError(errno);
        return true;
    }

    private bool TryTake(SocketCall call, out int errno)
    {
        _calls[(int)call]++;
        var script = _scripts[(int)call];
        errno = 0;
        if (!script.TryPeek(out var next))
        {
            return false;
        }

        if (next.Skip > 0)
        {
            next.Skip--;
            return false;
        }

        script.Dequeue();
        errno = next.Errno;
        return true;
    }

    /// <summary>One scripted failure: the calls still to let through first, then the errno.</summary>
    private sealed class Fault(int skip, int errno)
    {
        public int Skip = skip;

        public int Errno { get; } = errno;
    }
}
