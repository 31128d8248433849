using System.Net;
using System.Net.Sockets;
using Reactor.Internal.Linux;
using Reactor.Internal.Udp;

namespace Reactor.Internal.Backends.Epoll;

// The epoll datagram socket's read path: recvmmsg into the MessageBatch, the GRO split, the sink.
internal sealed unsafe partial class EpollDatagramSocket
{
    // ---- Receive ------------------------------------------------------------------------------------------------

    public int Receive(IDatagramSink sink, int maxDatagrams, int maxBytes, out SocketError error)
    {
        ArgumentNullException.ThrowIfNull(sink);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxDatagrams, 1);
        ThrowIfDisposed();
        if (_receiving)
        {
            throw new InvalidOperationException("Receive is not re-entrant.");
        }

        // With GRO a read may hold up to 64 KiB of coalesced datagrams, whatever maxPacketSize is.
        var slotSize = _receiveOffload ? Math.Max(_receiveBufferSize, GroSlotSize) : _receiveBufferSize;
        if (_batch is null || _batch.BufferSize != slotSize || _batch.HasControl != _receiveOffload)
        {
            _batch?.Dispose();
            _batch = new MessageBatch(slotSize, withControl: _receiveOffload);
        }

        _receiving = true;
        try
        {
            return ReceiveBatches(_batch, sink, maxDatagrams, maxBytes, out error);
        }
        finally
        {
            _receiving = false;
            if (_disposed)
            {
                FreeReceiveBatch();
            }
        }
    }

    private int ReceiveBatches(MessageBatch batch, IDatagramSink sink, int maxDatagrams, int maxBytes, out SocketError error)
    {
        var messages = batch.Messages;
        var bufferSize = batch.BufferSize;
        var delivered = 0;
        long bytes = 0;
        while (true)
        {
            var count = Math.Min(batch.Count, maxDatagrams - delivered);
            if (bufferSize > 0)
            {
                // Ask for no more messages than the byte budget could still need, counting each as full size up to
                // 2 KiB: small datagrams stop within one datagram of the budget, as Twisted's "check after each
                // recvfrom" loop does, while a port with a large maxPacketSize still reads a full batch per call.
                var assumed = Math.Min(bufferSize, SmallDatagramAssumption);
                count = (int)Math.Min(count, ((maxBytes - bytes) + assumed - 1) / assumed);
            }

            if (count <= 0)
            {
                // A byte budget of zero or less reads nothing (Twisted's maxThroughput = -1 after connectionLost).
                error = SocketError.Success;
                return delivered;
            }

            batch.ResetForReceive(count);
            int received;
            while ((received = Syscalls.RecvMmsg(_fd, messages, count, Faults)) < 0)
            {
                var errno = Interop.LastError;
                if (errno != Errno.EINTR)
                {
                    LastErrno = errno;
                    error = Errno.ToSocketError(errno);
                    return delivered;
                }
            }

            // The whole batch is handed over even if the sink disposes us meanwhile (the memory outlives Dispose
            // until Receive returns): those datagrams were already taken from the kernel.
            var largest = (uint)_receiveBufferSize;
            for (var i = 0; i < received; i++)
            {
                ref var message = ref messages[i];
                var name = batch.Name(i);
                var sender = _senders.GetOrAdd(name, ((nint)message.Header.Name, name.Length), DecodeSender);
                var length = message.Length;
                if ((message.Header.Flags & Interop.MSG_TRUNC) != 0)
                {
                    sink.OnTruncated(sender);
                    delivered++;
                    bytes += largest;
                    continue;
                }

                var payload = batch.Payload(i, (int)length);
                var segment = batch.HasControl ? batch.SegmentSize(i) : 0;
                if (segment <= 0 || length <= (uint)segment)
                {
                    Deliver(sink, payload, sender, largest);
                    delivered++;
                    bytes += length;
                    continue;
                }

                // GRO: equal-size datagrams from one sender, back to back (the last may be shorter).
                CoalescedReads++;
                for (var offset = 0; offset < payload.Length; offset += segment)
                {
                    Deliver(sink, payload.Slice(offset, Math.Min(segment, payload.Length - offset)), sender, largest);
                    delivered++;
                }

                bytes += length;
            }

            if (_disposed)
            {
                error = SocketError.OperationAborted;
                return delivered;
            }

            if (delivered >= maxDatagrams || bytes >= maxBytes)
            {
                error = SocketError.Success;
                return delivered;
            }

            // A short batch means recvmmsg met EAGAIN (or an error it keeps pending in sk_err for the next call).
            // Epoll is level-triggered, so anything that arrives later, or that pending error, wakes us again:
            // skip the extra system call that would only confirm the socket is empty.
            if (received < count)
            {
                error = SocketError.WouldBlock;
                return delivered;
            }
        }
    }

    private static void Deliver(IDatagramSink sink, ReadOnlySpan<byte> datagram, IPEndPoint sender, uint largest)
    {
        if ((uint)datagram.Length > largest)
        {
            sink.OnTruncated(sender);
        }
        else
        {
            sink.OnDatagram(datagram, sender);
        }
    }

    private void FreeReceiveBatch()
    {
        _batch?.Dispose();
        _batch = null;
    }
}
