using System.Runtime.InteropServices;
using Reactor.Internal.Linux;
using Reactor.Internal.Udp;

namespace Reactor.Internal.Backends.Epoll;

/// <summary>
/// Datagrams written while a receive batch is being dispatched, held in native memory and sent together with one
/// <c>sendmmsg</c> when the port flushes them (<see cref="IDatagramSocket.FlushCoalesced"/>). Consecutive datagrams of the same length to the same peer are merged into one
/// UDP GSO message (one <c>UDP_SEGMENT</c> control message, the kernel cuts it back into datagrams), so an echo of a
/// burst costs one system call and one pass through the UDP stack. Allocated once per socket, on first use.
/// </summary>
/// <remarks>
/// Payloads are appended back to back in an arena, so a run of datagrams is one contiguous range (one iovec).
/// Unsent datagrams (the kernel's buffer filled) stay queued, in order, until the socket is writable.
/// </remarks>
internal sealed unsafe class SendBatch : IDisposable
{
    /// <summary>Most datagrams held at once.</summary>
    internal const int Capacity = 64;

    /// <summary>Payload bytes held at most; a larger datagram is sent on its own.</summary>
    internal const int ArenaSize = 256 * 1024;

    private const int NameSize = SockAddr.MaxLength;

    /// <summary>Control bytes per message: one <c>UDP_SEGMENT</c> control message (its <c>u16</c> segment size).</summary>
    private static readonly int ControlSpace = ControlMessage.Space(sizeof(ushort));

    private readonly byte* _block;
    private readonly byte* _arena;
    private readonly byte* _names;
    private readonly byte* _controls;
    private readonly Interop.IoVector* _vectors;
    private readonly Interop.MultiMessageHeader* _messages;
    private readonly int* _offsets;
    private readonly int* _lengths;
    private readonly int* _nameLengths;
    private readonly int* _covered;
    private int _first;
    private int _count;
    private int _arenaUsed;

    internal SendBatch()
    {
        var size = ArenaSize + (Capacity * (NameSize + ControlSpace + sizeof(Interop.IoVector) +
            sizeof(Interop.MultiMessageHeader) + (4 * sizeof(int)))) + 64;
        _block = (byte*)NativeMemory.AlignedAlloc((nuint)size, 64);
        _messages = (Interop.MultiMessageHeader*)_block;
        _vectors = (Interop.IoVector*)(_messages + Capacity);
        _controls = (byte*)(_vectors + Capacity);
        _names = _controls + (Capacity * ControlSpace);
        _offsets = (int*)(_names + (Capacity * NameSize));
        _lengths = _offsets + Capacity;
        _nameLengths = _lengths + Capacity;
        _covered = _nameLengths + Capacity;
        _arena = (byte*)(_covered + Capacity);
    }

    /// <summary>How many datagrams wait to be sent.</summary>
    internal int Count => _count;

    /// <summary>Whether <paramref name="length"/> more bytes fit behind what is held.</summary>
    internal bool HasRoomFor(int length) => _first + _count < Capacity && _arenaUsed + length <= ArenaSize;

    /// <summary>Copies a datagram and its encoded destination (empty for a connected socket) into the batch.</summary>
    internal void Add(ReadOnlySpan<byte> datagram, ReadOnlySpan<byte> name)
    {
        var index = _first + _count;
        _offsets[index] = _arenaUsed;
        _lengths[index] = datagram.Length;
        _nameLengths[index] = name.Length;
        datagram.CopyTo(new Span<byte>(_arena + _arenaUsed, datagram.Length));
        name.CopyTo(new Span<byte>(_names + (index * NameSize), NameSize));
        _arenaUsed += datagram.Length;
        _count++;
    }

    /// <summary>
    /// Hands what is held to the kernel, in order, merging runs into GSO messages when <paramref name="segmentation"/> is
    /// on, and tells <paramref name="handler"/> what became of each datagram: one
    /// <see cref="IDatagramSocketHandler.OnCoalescedSent"/> for those the kernel took, an
    /// <see cref="IDatagramSocketHandler.OnSendFailed"/> for each it refused (dropped).
    /// </summary>
    /// <param name="fd">The socket.</param>
    /// <param name="segmentation">Whether UDP GSO may be used; set to false here if the kernel rejects it.</param>
    /// <param name="handler">Who hears the outcome (null: nobody listens, e.g. a socket tests drive directly).</param>
    /// <param name="faults">Test hook: scripted failures that replace system calls (null outside tests).</param>
    /// <returns><c>true</c> when nothing is held any more; <c>false</c> when the kernel is full and the rest waits for writability.</returns>
    internal bool Flush(int fd, ref bool segmentation, IDatagramSocketHandler? handler, SocketFaults? faults)
    {
        var sent = 0;
        long bytes = 0;
        var drained = SendHeld(fd, ref segmentation, handler, faults, ref sent, ref bytes);
        if (sent > 0)
        {
            handler?.OnCoalescedSent(sent, bytes);
        }

        return drained;
    }

    public void Dispose() => NativeMemory.AlignedFree(_block);

    private bool SendHeld(int fd, ref bool segmentation, IDatagramSocketHandler? handler, SocketFaults? faults, ref int sent, ref long bytes)
    {
        if (_count == 1)
        {
            // One datagram (ping-pong): a plain sendto is a little cheaper than sendmmsg (libuv #4366).
            var index = _first;
            if (Syscalls.SendTo(fd, _arena + _offsets[index], _lengths[index], _names + (index * NameSize), _nameLengths[index], faults) >= 0)
            {
                sent++;
                bytes += Consume(1);
                return true;
            }

            var errno = Interop.LastError;
            if (errno != Errno.EINTR)
            {
                return !WaitsOrDrops(errno, 1, handler);
            }

            // Interrupted: retried below, with sendmmsg.
        }

        while (_count > 0)
        {
            var messages = BuildMessages(segmentation);
            var covered = _covered;
            var result = Syscalls.SendMmsg(fd, _messages, messages, faults);
            if (result >= 0)
            {
                var taken = 0;
                for (var i = 0; i < result; i++)
                {
                    taken += covered[i];
                }

                sent += taken;
                bytes += Consume(taken);
                continue;
            }

            var errno = Interop.LastError;
            if (errno == Errno.EINTR)
            {
                continue;
            }

            if (segmentation && covered[0] > 1 && (errno == Errno.EIO || errno == Errno.EINVAL || errno == Errno.ENOPROTOOPT))
            {
                // The device or kernel cannot segment: fall back to one datagram per message from now on
                // (quinn-udp and msquic do the same).
                segmentation = false;
                continue;
            }

            if (WaitsOrDrops(errno, covered[0], handler))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// After a send of the first <paramref name="datagrams"/> held failed with <paramref name="errno"/>: <c>true</c> when
    /// the kernel is full (EAGAIN, ENOBUFS: transient in <see cref="UdpErrors"/>' table, D8) and they wait for
    /// writability, in order; otherwise they are dropped, each reported for the port to classify.
    /// </summary>
    private bool WaitsOrDrops(int errno, int datagrams, IDatagramSocketHandler? handler)
    {
        var error = Errno.ToSocketError(errno);
        if (UdpErrors.Classify(error, UdpOperation.DeferredSend) == UdpErrorKind.Transient)
        {
            return true;
        }

        for (var i = 0; i < datagrams; i++)
        {
            handler?.OnSendFailed(error);
        }

        Consume(datagrams);
        return false;
    }

    /// <summary>Fills the mmsghdr array from the held datagrams; <c>_covered[m]</c> is how many datagrams message m carries.</summary>
    private int BuildMessages(bool segmentation)
    {
        var covered = _covered;
        var messages = 0;
        var index = _first;
        var end = _first + _count;
        while (index < end)
        {
            var run = 1;
            var length = _lengths[index];
            if (segmentation && length > 0)
            {
                // A GSO run: same peer, same length (the kernel also allows a shorter last one), contiguous in the
                // arena, at most 64 segments and one IP datagram's worth of payload.
                while (index + run < end && run < Interop.MaxSegments && (run + 1) * length <= 65_000 &&
                       _lengths[index + run] == length && SameName(index, index + run))
                {
                    run++;
                }
            }

            ref var message = ref _messages[messages];
            var vector = _vectors + messages;
            vector->Base = _arena + _offsets[index];
            vector->Length = (nuint)(run * length);
            message.Header.IoVectors = vector;
            message.Header.IoVectorCount = 1;
            message.Header.Name = _nameLengths[index] == 0 ? null : _names + (index * NameSize);
            message.Header.NameLength = (uint)_nameLengths[index];
            message.Header.Flags = 0;
            message.Length = 0;
            if (run > 1)
            {
                var control = _controls + (messages * ControlSpace);
                message.Header.Control = control;
                message.Header.ControlLength = (nuint)ControlMessage.Write(
                    new Span<byte>(control, ControlSpace), Interop.SOL_UDP, Interop.UDP_SEGMENT, (ushort)length);
            }
            else
            {
                message.Header.Control = null;
                message.Header.ControlLength = 0;
            }

            covered[messages++] = run;
            index += run;
        }

        return messages;
    }

    private bool SameName(int a, int b) =>
        _nameLengths[a] == _nameLengths[b] &&
        new ReadOnlySpan<byte>(_names + (a * NameSize), _nameLengths[a]).SequenceEqual(new ReadOnlySpan<byte>(_names + (b * NameSize), _nameLengths[b]));

    /// <summary>Forgets the oldest <paramref name="datagrams"/> held; returns their payload bytes.</summary>
    private long Consume(int datagrams)
    {
        long bytes = 0;
        for (var i = _first; i < _first + datagrams; i++)
        {
            bytes += _lengths[i];
        }

        _first += datagrams;
        _count -= datagrams;
        if (_count == 0)
        {
            _first = 0;
            _arenaUsed = 0;
        }

        return bytes;
    }
}
