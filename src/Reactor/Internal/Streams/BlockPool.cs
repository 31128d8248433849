namespace Reactor.Internal.Streams;

/// <summary>
/// The reactor's pool of write-buffer blocks: 16 KiB arrays on the pinned object heap, so a vectored send can hand their
/// addresses to the kernel without pinning them per call. A connection takes blocks only while it has unsent data and
/// gives them back as the kernel takes it, so an idle connection holds none.
/// </summary>
/// <remarks>
/// At most <see cref="MaxRetained"/> free blocks are kept; past that a returned block is left to the garbage collector,
/// so memory used for one burst (a slow reader, a large transfer) shrinks again afterwards. Reactor thread only.
/// </remarks>
internal sealed class BlockPool
{
    /// <summary>Bytes per block: a TLS record's worth, and 64 of them fill one <c>writev</c> of 1 MiB.</summary>
    internal const int BlockSize = 16 * 1024;

    /// <summary>Free blocks kept for reuse (4 MiB).</summary>
    internal const int MaxRetained = 256;

    private readonly Stack<byte[]> _free = new();

    /// <summary>Blocks now lent out (for tests and the write-buffer metric).</summary>
    internal int Rented { get; private set; }

    /// <summary>Free blocks held for reuse.</summary>
    internal int Retained => _free.Count;

    /// <summary>Blocks the pool has made (for tests: a steady state makes none).</summary>
    internal long Allocated { get; private set; }

    internal byte[] Rent()
    {
        Rented++;
        if (_free.TryPop(out var block))
        {
            return block;
        }

        Allocated++;
        return GC.AllocateUninitializedArray<byte>(BlockSize, pinned: true);
    }

    internal void Return(byte[] block)
    {
        Rented--;
        if (_free.Count < MaxRetained)
        {
            _free.Push(block);
        }
    }
}
