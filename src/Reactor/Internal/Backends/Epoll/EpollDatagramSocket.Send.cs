using System.Net;
using System.Net.Sockets;
using Reactor.Internal.Linux;
using Reactor.Internal.Udp;

namespace Reactor.Internal.Backends.Epoll;

// The epoll datagram socket's write path: a plain send(to), or coalescing into the SendBatch.
internal sealed unsafe partial class EpollDatagramSocket
{
    // ---- Send ---------------------------------------------------------------------------------------------------

    // One datagram, one plain sendto: sendmmsg only pays off for several (libuv #4366).
    public SocketError Send(ReadOnlySpan<byte> datagram, IPEndPoint? destination)
    {
        ThrowIfDisposed();
        var address = stackalloc byte[SockAddr.MaxLength];
        var addressLength = destination is null ? 0 : SockAddr.Encode(destination, new Span<byte>(address, SockAddr.MaxLength));
        if (_receiving || _sendBatch is { Count: > 0 })
        {
            // Inside a receive batch (an echo's reply), or behind datagrams still waiting: coalesce, keep the order.
            return Coalesce(datagram, new ReadOnlySpan<byte>(address, addressLength));
        }

        fixed (byte* data = datagram)
        {
            while (true)
            {
                if (Syscalls.SendTo(_fd, data, datagram.Length, address, addressLength, Faults) >= 0)
                {
                    return SocketError.Success;
                }

                var error = LastError();
                if (error != SocketError.Interrupted)
                {
                    return error;
                }
            }
        }
    }

    public void FlushCoalesced()
    {
        if (!_disposed && _sendBatch is { Count: > 0 })
        {
            FlushSendBatch();
        }
    }

    /// <summary>Holds a datagram in the send batch: <see cref="SocketError.IOPending"/>, or WouldBlock when neither the batch nor the kernel has room.</summary>
    private SocketError Coalesce(ReadOnlySpan<byte> datagram, ReadOnlySpan<byte> name)
    {
        var batch = _sendBatch ??= new SendBatch();
        if (datagram.Length > SendBatch.ArenaSize)
        {
            return SocketError.MessageSize;
        }

        if (!batch.HasRoomFor(datagram.Length) && !FlushSendBatch())
        {
            // The kernel is full and so is the batch: the port queues it behind ours.
            return SocketError.WouldBlock;
        }

        batch.Add(datagram, name);
        return SocketError.IOPending;
    }

    /// <summary>
    /// Hands the coalesced datagrams to the kernel (the handler hears what was sent and what was dropped); when the
    /// kernel is full, watches for EPOLLOUT to send the rest. Returns whether nothing is held any more.
    /// </summary>
    private bool FlushSendBatch()
    {
        var drained = _sendBatch!.Flush(_fd, ref _segmentation, _handler, Faults);
        if (drained == _batchWaitsForWritable)
        {
            _batchWaitsForWritable = !drained;
            WatchFor(_reading, _wantWritable);
        }

        return drained;
    }
}
