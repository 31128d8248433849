using System.Threading.Tasks.Sources;
using Reactor.Internal.Streams;

namespace Reactor.Internal.Tls;

/// <summary>
/// The <see cref="System.Net.Security.SslStream"/>'s inner stream: ciphertext the connection received is fed in by the
/// reactor thread, and a read that finds none waits on a value-task source the next feed completes — inline, on the
/// reactor thread, so the TLS state machine (handshake, decrypt, encrypt) runs there, with no thread-pool hop and no
/// allocation per read (stream-anchors.md §3.2). Writes go straight to the connection, synchronously.
/// </summary>
/// <remarks>
/// <para>A zero-byte read (<c>SslStream</c> issues one before each record) waits for data without consuming any. The
/// buffer of ciphertext not yet read is bounded: above <see cref="PauseAbove"/> bytes the connection stops reading,
/// below <see cref="ResumeBelow"/> it reads again, so a TLS protocol that stops reading stops the peer too.</para>
/// <para>The reactor thread feeds it; <c>SslStream</c> usually reads and writes on the reactor thread too, but may do
/// a step on a thread-pool thread (the runtime completes some handshake work asynchronously). So the buffer is guarded
/// by a lock, and a write or a flow-control call made off the reactor thread is posted to it, in order.</para>
/// </remarks>
internal sealed class LoopStream : Stream, IValueTaskSource<int>
{
    internal const int PauseAbove = 64 * 1024;
    internal const int ResumeBelow = 16 * 1024;

    private readonly ReactorBase _reactor;
    private readonly ITransport _lower;
    private readonly BlockPool _blocks;
    private readonly Lock _gate = new();
    private readonly ArraySegment<byte>[] _segment = new ArraySegment<byte>[1];
    private ManualResetValueTaskSourceCore<int> _read = new() { RunContinuationsAsynchronously = false };
    private WriteQueue _buffered;
    private Memory<byte> _pendingBuffer;
    private bool _pending;
    private bool _ended;
    private bool _lowerPaused;
    private bool _disposed;

    internal LoopStream(ReactorBase reactor, ITransport lower, BlockPool blocks)
    {
        _reactor = reactor;
        _lower = lower;
        _blocks = blocks;
    }

    /// <summary>Whether the end of the stream (the connection's close) was handed to the reader.</summary>
    internal bool EndReturned { get; private set; }


    public override bool CanRead => true;

    public override bool CanWrite => true;

    public override bool CanSeek => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    /// <summary>Ciphertext from the connection: completes a waiting read, or is kept for the next.</summary>
    internal void Feed(ReadOnlySpan<byte> ciphertext)
    {
        int take;
        lock (_gate)
        {
            if (ciphertext.IsEmpty || _ended || _disposed)
            {
                return;
            }

            if (!_pending)
            {
                Keep(ciphertext);
                return;
            }

            // Keep what the waiting read does not take, and finish every state change before completing it: the reader
            // continues inline and may read again at once.
            take = Math.Min(_pendingBuffer.Length, ciphertext.Length);
            ciphertext[..take].CopyTo(_pendingBuffer.Span);
            Keep(ciphertext[take..]);
            _pending = false;
            _pendingBuffer = default;
        }

        _read.SetResult(take);
    }

    /// <summary>The connection has closed: a waiting read, and every later one, returns 0.</summary>
    internal void End()
    {
        lock (_gate)
        {
            _ended = true;
            if (!_pending || _buffered.Length > 0)
            {
                return;
            }

            EndReturned = true;
            _pending = false;
            _pendingBuffer = default;
        }

        _read.SetResult(0);
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            if (_pending)
            {
                throw new InvalidOperationException("SslStream reads one record at a time.");
            }

            if (_buffered.Length > 0)
            {
                return new ValueTask<int>(buffer.IsEmpty ? 0 : Take(buffer.Span));
            }

            if (_ended || _disposed)
            {
                EndReturned = true;
                return new ValueTask<int>(0);
            }

            _pendingBuffer = buffer;
            _pending = true;
            _read.Reset();
            return new ValueTask<int>(this, _read.Version);
        }
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) =>
        throw new NotSupportedException("The reactor's TLS stream is read asynchronously only.");

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        if (_reactor.IsInReactorThread)
        {
            _lower.Write(buffer);
            return;
        }

        // SslStream is on a thread-pool thread: the bytes go out from the reactor thread, after what it posted before.
        _reactor.PostFromAnyThread(static state =>
        {
            var (lower, bytes) = ((ITransport, byte[]))state!;
            lower.Write(bytes);
        }, (_lower, buffer.ToArray()));
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        Write(buffer.Span);
        return ValueTask.CompletedTask;
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        Write(buffer.AsSpan(offset, count));
        return Task.CompletedTask;
    }

    public override void Flush()
    {
    }

    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    int IValueTaskSource<int>.GetResult(short token) => _read.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource<int>.GetStatus(short token) => _read.GetStatus(token);

    void IValueTaskSource<int>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _read.OnCompleted(continuation, state, token, flags);

    protected override void Dispose(bool disposing)
    {
        lock (_gate)
        {
            _disposed = true;
            _buffered.Clear(_blocks);
        }

        base.Dispose(disposing);
    }

    private void Keep(ReadOnlySpan<byte> ciphertext)
    {
        if (ciphertext.IsEmpty)
        {
            return;
        }

        _buffered.Append(ciphertext, _blocks);
        if (!_lowerPaused && _buffered.Length > PauseAbove)
        {
            _lowerPaused = true;
            _lower.PauseProducing(); // Keep runs from Feed: on the reactor thread
        }
    }

    private int Take(Span<byte> destination)
    {
        var taken = 0;
        while (taken < destination.Length && _buffered.Length > 0)
        {
            _buffered.Fill(_segment);
            var segment = _segment[0];
            var n = Math.Min(segment.Count, destination.Length - taken);
            segment.AsSpan(0, n).CopyTo(destination[taken..]);
            _buffered.Consume(n, _blocks);
            taken += n;
        }

        if (_lowerPaused && _buffered.Length < ResumeBelow)
        {
            _lowerPaused = false;
            if (_reactor.IsInReactorThread)
            {
                _lower.ResumeProducing();
            }
            else
            {
                _reactor.PostFromAnyThread(static lower => ((ITransport)lower!).ResumeProducing(), _lower);
            }
        }

        return taken;
    }
}
