namespace Reactor.Internal.Streams;

/// <summary>
/// A connection's unsent bytes: a ring of <see cref="BlockPool"/> blocks filled back to back, so appending copies once
/// and sending never re-copies the tail (Twisted #12742). Every block but the last is full; the first starts at
/// <see cref="_headOffset"/>. A mutable struct embedded in its connection: use it only through the field.
/// </summary>
internal struct WriteQueue
{
    private byte[][]? _blocks;
    private int _head;
    private int _count;
    private int _headOffset;
    private int _tailLength;

    /// <summary>Bytes queued.</summary>
    internal long Length { get; private set; }

    /// <summary>Copies <paramref name="data"/> behind what is queued, taking blocks from <paramref name="pool"/> as needed.</summary>
    internal void Append(ReadOnlySpan<byte> data, BlockPool pool)
    {
        Length += data.Length;
        while (!data.IsEmpty)
        {
            if (_count == 0 || _tailLength == BlockPool.BlockSize)
            {
                AddBlock(pool.Rent());
            }

            var tail = _blocks![(_head + _count - 1) & (_blocks.Length - 1)];
            var room = BlockPool.BlockSize - _tailLength;
            var take = Math.Min(room, data.Length);
            data[..take].CopyTo(tail.AsSpan(_tailLength));
            _tailLength += take;
            data = data[take..];
        }
    }

    /// <summary>Describes the queued bytes, in order, as up to <paramref name="segments"/>.Length segments; returns how many.</summary>
    internal readonly int Fill(Span<ArraySegment<byte>> segments)
    {
        var n = Math.Min(_count, segments.Length);
        for (var i = 0; i < n; i++)
        {
            var block = _blocks![(_head + i) & (_blocks.Length - 1)];
            var start = i == 0 ? _headOffset : 0;
            var end = i == _count - 1 ? _tailLength : BlockPool.BlockSize;
            segments[i] = new ArraySegment<byte>(block, start, end - start);
        }

        return n;
    }

    /// <summary>Drops the first <paramref name="bytes"/> (sent), returning emptied blocks to <paramref name="pool"/>.</summary>
    internal void Consume(long bytes, BlockPool pool)
    {
        Length -= bytes;
        while (bytes > 0)
        {
            var end = _count == 1 ? _tailLength : BlockPool.BlockSize;
            var available = end - _headOffset;
            if (bytes < available)
            {
                _headOffset += (int)bytes;
                return;
            }

            bytes -= available;
            RemoveHead(pool);
        }
    }

    /// <summary>Drops everything queued (the connection closed or aborted).</summary>
    internal void Clear(BlockPool pool)
    {
        while (_count > 0)
        {
            RemoveHead(pool);
        }

        Length = 0;
    }

    private void AddBlock(byte[] block)
    {
        _blocks ??= new byte[4][];
        if (_count == _blocks.Length)
        {
            var grown = new byte[_blocks.Length * 2][];
            for (var i = 0; i < _count; i++)
            {
                grown[i] = _blocks[(_head + i) & (_blocks.Length - 1)];
            }

            _blocks = grown;
            _head = 0;
        }

        _blocks[(_head + _count) & (_blocks.Length - 1)] = block;
        _count++;
        _tailLength = 0;
    }

    private void RemoveHead(BlockPool pool)
    {
        var index = _head & (_blocks!.Length - 1);
        pool.Return(_blocks[index]);
        _blocks[index] = null!;
        _head = (_head + 1) & (_blocks.Length - 1);
        _count--;
        _headOffset = 0;
        if (_count == 0)
        {
            _head = 0;
            _tailLength = 0;
        }
    }
}
