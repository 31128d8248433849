namespace Reactor.Fuzz;

/// <summary>
/// How a framing target reads its input: three header bytes, then the cut lengths, then the stream.
/// </summary>
/// <remarks>
/// <para>Byte 0 is the target's options (bits it documents); byte 1 picks the limit (<see cref="Limit"/>); the low 3
/// bits of byte 2 say how many cut lengths follow (0 to 7). The rest is the stream the peer sends. It reaches the
/// protocol in chunks whose lengths are the cut lengths, used in turn and round again (a cut of 0 means the whole rest),
/// so where reads split frames is fuzzed as much as the bytes themselves. Missing bytes count as 0: every input is a
/// valid script.</para>
/// </remarks>
public readonly ref struct FuzzScript
{
    private readonly ReadOnlySpan<byte> _cuts;

    /// <summary>Reads <paramref name="input"/> as a script.</summary>
    /// <param name="input">The fuzzer's bytes.</param>
    public FuzzScript(ReadOnlySpan<byte> input)
    {
        Options = input.Length > 0 ? input[0] : (byte)0;
        LimitByte = input.Length > 1 ? input[1] : (byte)0;
        var header = Math.Min(input.Length, 3);
        var cutCount = input.Length > 2 ? input[2] & 7 : 0;
        var cuts = Math.Min(cutCount, input.Length - header);
        _cuts = input.Slice(header, cuts);
        Stream = input[(header + cuts)..];
    }

    /// <summary>The options byte.</summary>
    public byte Options { get; }

    /// <summary>The limit byte, as given.</summary>
    public byte LimitByte { get; }

    /// <summary>The bytes the peer sends.</summary>
    public ReadOnlySpan<byte> Stream { get; }

    /// <summary>
    /// The limit the target sets: below 0x80 a small one (the byte's low 6 bits: 0 to 63), so every input can reach it;
    /// from 0x80 on, <paramref name="otherwise"/> (the protocol's default).
    /// </summary>
    /// <param name="otherwise">The limit for bytes from 0x80 on.</param>
    /// <returns>The limit.</returns>
    public int Limit(int otherwise) => LimitByte < 0x80 ? LimitByte & 0x3F : otherwise;

    /// <summary>The chunks the stream arrives in, in order; together they are <see cref="Stream"/>.</summary>
    /// <returns>The (offset, length) of each chunk.</returns>
    public List<(int Offset, int Length)> Chunks()
    {
        var chunks = new List<(int Offset, int Length)>();
        var at = 0;
        var next = 0;
        while (at < Stream.Length)
        {
            var cut = _cuts.IsEmpty ? 0 : _cuts[next++ % _cuts.Length];
            var length = cut == 0 ? Stream.Length - at : Math.Min(cut, Stream.Length - at);
            chunks.Add((at, length));
            at += length;
        }

        return chunks;
    }
}
