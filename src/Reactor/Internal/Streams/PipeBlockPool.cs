using System.Buffers;

namespace Reactor.Internal.Streams;

/// <summary>
/// The <see cref="MemoryPool{T}"/> of a reactor's pipes (<c>PipeProtocol</c>): 16 KiB blocks on the pinned object heap,
/// each its own reusable <see cref="IMemoryOwner{T}"/>, kept on a stack that only the reactor thread touches — so renting
/// and returning take no lock and allocate nothing (Kestrel keeps its own pinned block pool for the same reason).
/// </summary>
/// <remarks>
/// <para>The shared pool (<see cref="MemoryPool{T}.Shared"/>, the <see cref="ArrayPool{T}.Shared"/> arrays behind it)
/// keeps a few dozen arrays of a size per core; a connection with 1 MiB unread and as much waiting to be sent holds
/// well over a hundred 16 KiB segments, so under load most of them were fresh arrays, allocated and dropped per message.
/// This pool keeps up to <see cref="MaxRetained"/> free blocks (8 MiB).</para>
/// <para><b>Trimming.</b> While it holds free blocks, a timer looks every <see cref="TrimInterval"/>: it keeps as many as
/// the busiest moment since the last look needed beyond what is in use now, and lets the garbage collector have the
/// rest. A steady load keeps its working set; a server gone idle gives its blocks back within two intervals.</para>
/// <para><b>Other threads.</b> An application may write to its pipe from another thread: a block rented there is a new
/// one, and one returned there is dropped, never shared across threads.</para>
/// </remarks>
internal sealed class PipeBlockPool : MemoryPool<byte>
{
    /// <summary>Bytes per block: a pipe segment (<see cref="PipePump.SegmentSize"/>).</summary>
    internal const int BlockSize = BlockPool.BlockSize;

    /// <summary>Free blocks kept for reuse (8 MiB).</summary>
    internal const int MaxRetained = 512;

    /// <summary>How often free blocks are trimmed while there are any.</summary>
    internal static readonly TimeSpan TrimInterval = TimeSpan.FromSeconds(10);

    private readonly ReactorBase _reactor;
    private readonly Stack<Block> _free = new();
    private readonly Action _trim;
    private IDelayedCall? _trimTimer;
    private int _peakRented;

    internal PipeBlockPool(ReactorBase reactor)
    {
        _reactor = reactor;
        _trim = Trim;
    }

    /// <summary>Blocks lent out on the reactor thread and not yet returned (for tests).</summary>
    internal int Rented { get; private set; }

    /// <summary>Free blocks held for reuse (for tests).</summary>
    internal int Retained => _free.Count;

    /// <summary>Blocks the pool has made (for tests: a steady state makes none).</summary>
    internal long Allocated { get; private set; }

    /// <inheritdoc/>
    public override int MaxBufferSize => BlockSize;

    /// <inheritdoc/>
    public override IMemoryOwner<byte> Rent(int minBufferSize = -1)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(minBufferSize, BlockSize);
        if (!_reactor.IsInReactorThread)
        {
            return new Block(this, pooled: false);
        }

        if (!_free.TryPop(out var block))
        {
            Allocated++;
            block = new Block(this, pooled: true);
        }

        block.InUse = true;
        if (++Rented > _peakRented)
        {
            _peakRented = Rented;
        }

        return block;
    }

    /// <summary>
    /// Looks at the free blocks: keeps what the busiest moment since the last look needed beyond what is in use now (at
    /// most <see cref="MaxRetained"/>) and drops the rest; re-arms while any are left.
    /// </summary>
    internal void Trim()
    {
        _trimTimer = null;
        var keep = Math.Max(_peakRented - Rented, 0);
        while (_free.Count > keep)
        {
            _free.Pop();
        }

        _peakRented = Rented;
        ArmTrim();
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        // The reactor's pool lives as long as the reactor; its blocks are managed memory.
    }

    private void Return(Block block)
    {
        if (!block.Pooled || !_reactor.IsInReactorThread)
        {
            // Rented or returned on another thread: left to the garbage collector (the free stack is the reactor's).
            return;
        }

        Rented--;
        if (_free.Count < MaxRetained)
        {
            _free.Push(block);
            ArmTrim();
        }
    }

    private void ArmTrim()
    {
        if (_trimTimer is null && _free.Count > 0 && _reactor.Running)
        {
            _trimTimer = _reactor.CallLater(TrimInterval, _trim);
        }
    }

    /// <summary>One block: its array and, being the owner the pipe disposes, its way back to the pool.</summary>
    private sealed class Block(PipeBlockPool pool, bool pooled) : IMemoryOwner<byte>
    {
        private readonly byte[] _array = GC.AllocateUninitializedArray<byte>(BlockSize, pinned: true);

        internal bool Pooled { get; } = pooled;

        internal bool InUse { get; set; } = !pooled;

        public Memory<byte> Memory => _array;

        public void Dispose()
        {
            // Once per rent: a second Dispose must not put the block on the free stack twice.
            if (!InUse)
            {
                return;
            }

            InUse = false;
            pool.Return(this);
        }
    }
}
