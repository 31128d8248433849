using System.Runtime.InteropServices;
using Reactor.Internal.Linux;

namespace Reactor.Internal.Backends.Epoll;

/// <summary>
/// A recvmmsg batch in native memory, allocated once: the <c>mmsghdr</c> array, one iovec per message, a
/// <c>sockaddr_storage</c> per message for the peer's address, and the payload buffers, in one block.
/// </summary>
internal sealed unsafe class MessageBatch : IDisposable
{
    /// <summary>
    /// Payload bytes one batch reserves at most. The memory is address space until the kernel writes a datagram into it
    /// (pages are touched only where datagrams land), so a port with a 64 KiB maxPacketSize still reads 64 small
    /// datagrams per system call.
    /// </summary>
    internal const int MaxBatchBytes = 4 * 1024 * 1024;

    /// <summary>Most messages per batch; the measured gains of batching flatten well before this.</summary>
    internal const int MaxMessages = 64;

    /// <summary>Control bytes per message: room for the one control message a GRO read carries, <c>UDP_GRO</c>'s segment size.</summary>
    internal static readonly int ControlSpace = ControlMessage.Space(sizeof(int));

    private byte* _block;
    private byte* _buffers;
    private readonly byte* _controls;

    /// <summary>Room for as many messages of <paramref name="bufferSize"/> bytes as fit in <see cref="MaxBatchBytes"/> (1 to <see cref="MaxMessages"/>).</summary>
    /// <param name="bufferSize">Payload bytes per message.</param>
    /// <param name="withControl">Give each message a control buffer, to learn the segment size of GRO-coalesced reads.</param>
    internal MessageBatch(int bufferSize, bool withControl = false)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bufferSize);
        var count = bufferSize == 0 ? MaxMessages : Math.Clamp(MaxBatchBytes / bufferSize, 1, MaxMessages);
        var headersSize = (nuint)(count * sizeof(Interop.MultiMessageHeader));
        var vectorsSize = (nuint)(count * sizeof(Interop.IoVector));
        var namesSize = (nuint)(count * Interop.SockAddrStorageSize);
        var controlsSize = withControl ? (nuint)(count * ControlSpace) : 0;
        _block = (byte*)NativeMemory.AlignedAlloc(headersSize + vectorsSize + namesSize + controlsSize + ((nuint)count * (nuint)bufferSize), 64);

        var messages = (Interop.MultiMessageHeader*)_block;
        var vectors = (Interop.IoVector*)(_block + headersSize);
        var names = _block + headersSize + vectorsSize;
        _controls = withControl ? names + namesSize : null;
        _buffers = names + namesSize + controlsSize;
        for (var i = 0; i < count; i++)
        {
            vectors[i] = new Interop.IoVector { Base = _buffers + ((nint)i * bufferSize), Length = (nuint)bufferSize };
            messages[i] = new Interop.MultiMessageHeader
            {
                Header = new Interop.MessageHeader
                {
                    Name = names + (i * Interop.SockAddrStorageSize),
                    NameLength = Interop.SockAddrStorageSize,
                    IoVectors = vectors + i,
                    IoVectorCount = 1,
                },
            };
        }

        Messages = messages;
        Count = count;
        BufferSize = bufferSize;
        HasControl = withControl;
    }

    /// <summary>Whether messages carry control buffers (GRO is on).</summary>
    internal bool HasControl { get; }

    /// <summary>The <c>mmsghdr</c> array to hand to the kernel.</summary>
    internal Interop.MultiMessageHeader* Messages { get; private set; }

    /// <summary>How many messages the batch holds.</summary>
    internal int Count { get; }

    /// <summary>Payload bytes per message.</summary>
    internal int BufferSize { get; }

    /// <summary>
    /// Prepares the first <paramref name="count"/> messages for a receive: recvmmsg overwrites <c>msg_namelen</c> and
    /// <c>msg_flags</c>, so they are reset for the slots handed over this time only.
    /// </summary>
    internal void ResetForReceive(int count)
    {
        var messages = Messages;
        for (var i = 0; i < count; i++)
        {
            messages[i].Header.NameLength = Interop.SockAddrStorageSize;
            messages[i].Header.Flags = 0;
            if (_controls is not null)
            {
                messages[i].Header.Control = _controls + (i * ControlSpace);
                messages[i].Header.ControlLength = (nuint)ControlSpace;
            }
        }
    }

    /// <summary>Message <paramref name="index"/>'s peer address as the kernel wrote it.</summary>
    internal ReadOnlySpan<byte> Name(int index)
    {
        ref var header = ref Messages[index].Header;
        return new ReadOnlySpan<byte>(header.Name, (int)Math.Min(header.NameLength, (uint)Interop.SockAddrStorageSize));
    }

    /// <summary>
    /// The segment size of message <paramref name="index"/> when the kernel coalesced several datagrams into it
    /// (a <c>UDP_GRO</c> control message), or 0 for a single datagram.
    /// </summary>
    internal int SegmentSize(int index)
    {
        ref var header = ref Messages[index].Header;
        return header.Control is not null &&
            ControlMessage.TryFind(new ReadOnlySpan<byte>(header.Control, (int)header.ControlLength), Interop.SOL_UDP, Interop.UDP_GRO, out var segment)
            ? segment
            : 0;
    }

    /// <summary>The first <paramref name="length"/> bytes of message <paramref name="index"/>'s buffer.</summary>
    internal ReadOnlySpan<byte> Payload(int index, int length) => new(_buffers + ((nint)index * BufferSize), length);

    public void Dispose()
    {
        if (_block is not null)
        {
            NativeMemory.AlignedFree(_block);
            _block = null;
            _buffers = null;
            Messages = null;
        }
    }
}
