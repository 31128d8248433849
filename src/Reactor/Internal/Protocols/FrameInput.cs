using System.Buffers;

namespace Reactor.Internal.Protocols;

/// <summary>
/// The bytes a framing receiver has not consumed yet: a pooled <em>pending</em> buffer (a partial frame kept from earlier
/// calls) followed by the rest of the span the current <c>DataReceived</c> call was given (the <em>input</em>, read in
/// place). Frames that lie wholly inside the input are handed to the protocol straight from it; only a frame cut by a
/// read boundary (or the data left when the protocol pauses) is copied, once, into the pending buffer.
/// </summary>
/// <remarks>
/// <para><see cref="Receive"/> pins the span the receiver was given for the duration of its outermost
/// <c>DataReceived</c> (<see cref="Begin"/> … <see cref="End"/>), so callbacks made in between (<c>ClearLineBuffer</c>, a re-entrant
/// <c>DataReceived</c> from <c>SetLineMode(extra)</c>) can reach the rest of the input too.</para>
/// <para>While <see cref="Busy"/>, bytes already in the pending array are never moved or overwritten, because a callback may
/// hold a span over them: appends go after them, or into a new array, and the array they left is returned to the pool
/// only once no callback can see it (<see cref="BeginCallback"/>, <see cref="End"/>). Outside a call the pending buffer
/// is compacted, and returned to <see cref="ArrayPool{T}.Shared"/> as soon as it is empty, so an idle connection holds
/// no buffer.</para>
/// </remarks>
internal sealed unsafe class FrameInput
{
    private const int MinimumRent = 256;

    private byte[]? _array;
    private int _start;
    private int _end;
    private byte[]? _retired;
    private byte* _input;
    private int _inputLength;
    private int _inputOffset;

    /// <summary>Whether delivery is paused: the receiver, as a push producer of frames, was paused or stopped.</summary>
    public bool Paused { get; private set; }

    /// <summary>Whether a <c>DataReceived</c> is being processed: a nested call only appends (Twisted's <c>_busyReceiving</c>).</summary>
    public bool Busy { get; private set; }

    /// <summary>The pending bytes (kept from earlier calls, or spilled from the input).</summary>
    public ReadOnlySpan<byte> Pending => _array is null ? default : new ReadOnlySpan<byte>(_array, _start, _end - _start);

    /// <summary>The rest of the current call's input.</summary>
    public ReadOnlySpan<byte> Input => new(_input + _inputOffset, _inputLength - _inputOffset);

    /// <summary>How many bytes are pending.</summary>
    public int PendingLength => _end - _start;

    /// <summary>Whether any byte is left, pending or in the input.</summary>
    public bool HasData => _end > _start || _inputOffset < _inputLength;

    /// <summary>The pending buffer's capacity (0 when none is rented): what an idle connection holds.</summary>
    internal int Capacity => _array?.Length ?? 0;

    /// <summary>
    /// A receiver's <c>DataReceived</c>: the outermost call pins <paramref name="data"/> and lets
    /// <paramref name="receiver"/> deliver what it can; a nested call (from inside one of the receiver's callbacks) only
    /// appends, after everything not yet consumed, as Twisted's receivers do.
    /// </summary>
    public void Receive(ReadOnlySpan<byte> data, IFrameReceiver receiver)
    {
        if (Busy)
        {
            AppendNested(data);
            return;
        }

        fixed (byte* input = data)
        {
            Begin(input, data.Length);
            try
            {
                receiver.DeliverFrames();
            }
            finally
            {
                End();
            }
        }
    }

    /// <summary>The receiver's <c>PauseProducing</c>: delivery stops at once (the rest stays here) and the transport stops reading.</summary>
    public void Pause(ITransport? transport)
    {
        Paused = true;
        transport?.PauseProducing();
    }

    /// <summary>The receiver's <c>ResumeProducing</c>: the transport reads again and what was held is delivered.</summary>
    public void Resume(ITransport? transport, IFrameReceiver receiver)
    {
        Paused = false;
        transport?.ResumeProducing();
        Receive(default, receiver);
    }

    /// <summary>The receiver's <c>StopProducing</c>: delivery stops for good and the transport is told to stop (it closes).</summary>
    public void Stop(ITransport? transport)
    {
        Paused = true;
        transport?.StopProducing();
    }

    /// <summary>Starts the outermost call with <paramref name="input"/> (pinned by the caller until <see cref="End"/>).</summary>
    private void Begin(byte* input, int length)
    {
        Busy = true;
        _input = input;
        _inputLength = length;
        _inputOffset = 0;
    }

    /// <summary>
    /// Ends the outermost call: what is left of the input is copied into the pending buffer (it will not be readable
    /// after the call returns), the pending buffer is compacted, or returned to the pool if empty.
    /// </summary>
    private void End()
    {
        SpillInput();
        _input = null;
        _inputLength = 0;
        _inputOffset = 0;
        Busy = false;
        ReturnRetired();
        if (_start == _end)
        {
            ReturnArray();
        }
        else if (_start > 0)
        {
            Pending.CopyTo(_array);
            _end -= _start;
            _start = 0;
        }
    }

    /// <summary>
    /// Called before each callback that may see a span over the pending array: an array retired earlier in this call
    /// is no longer visible to anyone and goes back to the pool.
    /// </summary>
    public void BeginCallback() => ReturnRetired();

    /// <summary>A re-entrant call's data: appended after everything not yet consumed (the rest of the input included).</summary>
    private void AppendNested(ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty)
        {
            // ResumeProducing from inside a callback: the running loop delivers the rest itself.
            return;
        }

        SpillInput();
        Append(data);
    }

    /// <summary>Consumes <paramref name="count"/> pending bytes (their memory stays readable until the call ends).</summary>
    public void ConsumePending(int count) => _start += count;

    /// <summary>Consumes <paramref name="count"/> bytes of the input.</summary>
    public void ConsumeInput(int count) => _inputOffset += count;

    /// <summary>Copies the first <paramref name="count"/> bytes of the input to the end of the pending buffer.</summary>
    public void MoveInputToPending(int count)
    {
        Append(Input[..count]);
        _inputOffset += count;
    }

    /// <summary>Copies the whole rest of the input into the pending buffer.</summary>
    public void SpillInput()
    {
        if (_inputOffset < _inputLength)
        {
            MoveInputToPending(_inputLength - _inputOffset);
        }
    }

    /// <summary>
    /// Makes everything left one contiguous span (the input is appended to the pending bytes if both have some), and
    /// consumes it. The span stays readable until the call ends.
    /// </summary>
    public ReadOnlySpan<byte> TakeAll()
    {
        if (_start == _end)
        {
            var rest = Input;
            _inputOffset = _inputLength;
            return rest;
        }

        SpillInput();
        var all = Pending;
        _start = _end;
        return all;
    }

    /// <summary>Everything left, as a new array, and forgets it (<c>ClearLineBuffer</c>).</summary>
    public byte[] ToArrayAndClear()
    {
        var pending = Pending;
        var input = Input;
        var copy = GC.AllocateUninitializedArray<byte>(pending.Length + input.Length);
        pending.CopyTo(copy);
        input.CopyTo(copy.AsSpan(pending.Length));
        Clear();
        return copy;
    }

    /// <summary>Forgets everything left, pending and input.</summary>
    public void Clear()
    {
        _start = _end;
        _inputOffset = _inputLength;
        if (!Busy)
        {
            ReturnArray();
        }
    }

    /// <summary>Makes room for <paramref name="total"/> pending bytes at once (a frame whose length is known), so a large frame is not grown by doubling.</summary>
    public void Reserve(int total)
    {
        if (_array is null || _array.Length - _start < total)
        {
            Grow(total);
        }
    }

    private void Append(ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty)
        {
            return;
        }

        var length = _end - _start;
        if (_array is null || _array.Length - _end < data.Length)
        {
            if (!Busy && _array is not null && _array.Length - length >= data.Length)
            {
                // Outside a call nothing can see the array: slide the pending bytes to its front.
                Pending.CopyTo(_array);
                _start = 0;
                _end = length;
            }
            else
            {
                Grow(checked(length + data.Length));
            }
        }

        data.CopyTo(_array.AsSpan(_end));
        _end += data.Length;
    }

    private void Grow(int needed)
    {
        var length = _end - _start;

        // Half as much again as is needed now, from the live bytes (never from the old capacity: while busy the array
        // is not compacted, so sizing from it would double without end).
        var capacity = (int)Math.Min(Array.MaxLength, Math.Max(MinimumRent, needed + (needed / 2L)));
        var grown = ArrayPool<byte>.Shared.Rent(Math.Max(capacity, needed));
        if (_array is not null)
        {
            Pending.CopyTo(grown);
            Retire(_array);
        }

        _array = grown;
        _start = 0;
        _end = length;
    }

    private void Retire(byte[] array)
    {
        if (!Busy)
        {
            ArrayPool<byte>.Shared.Return(array);
        }
        else if (_retired is null)
        {
            // A callback may still read this array: keep it out of the pool until it cannot.
            _retired = array;
        }
        else
        {
            // Only the array a callback was given can be seen (_retired); one grown into since then cannot.
            ArrayPool<byte>.Shared.Return(array);
        }
    }

    private void ReturnRetired()
    {
        if (_retired is not null)
        {
            ArrayPool<byte>.Shared.Return(_retired);
            _retired = null;
        }
    }

    private void ReturnArray()
    {
        if (_array is not null)
        {
            ArrayPool<byte>.Shared.Return(_array);
            _array = null;
        }

        _start = 0;
        _end = 0;
    }
}
