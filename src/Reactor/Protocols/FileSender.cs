using System.Buffers;

namespace Reactor.Protocols;

/// <summary>
/// Streams the contents of a <see cref="Stream"/> into a consumer (a transport), a chunk each time the consumer asks —
/// a pull producer (Twisted's <c>FileSender</c>). Start it with <see cref="BeginFileTransfer"/>; the transport's
/// write buffer paces it, so a large file never sits in memory.
/// </summary>
/// <remarks>
/// Each <see cref="ResumeProducing"/> reads at most <see cref="ChunkSize"/> bytes (16,384 by default) into one pooled
/// buffer, passes them through the optional transform and writes them; the read that finds the end of the stream
/// unregisters the sender and fires the Deferred with the last byte sent. The sender does not dispose the stream.
/// Reactor thread only.
/// </remarks>
/// <example>
/// <code>
/// var sent = await new FileSender().BeginFileTransfer(File.OpenRead(path), Transport!);
/// </code>
/// </example>
public sealed class FileSender : IPullProducer
{
    private int _chunkSize = 16 * 1024;
    private Stream? _file;
    private IConsumer? _consumer;
    private Func<Memory<byte>, ReadOnlyMemory<byte>>? _transform;
    private Deferred<byte?>? _deferred;
    private byte[]? _buffer;
    private byte? _lastSent;

    /// <summary>The most bytes read and written per <see cref="ResumeProducing"/>: 16,384 unless set (Twisted's <c>CHUNK_SIZE</c>).</summary>
    /// <exception cref="ArgumentOutOfRangeException">Set below 1.</exception>
    public int ChunkSize
    {
        get => _chunkSize;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            _chunkSize = value;
        }
    }

    /// <summary>
    /// Registers this sender with <paramref name="consumer"/> as a pull producer and starts sending
    /// <paramref name="file"/> from its current position.
    /// </summary>
    /// <param name="file">The stream to read; it is not disposed.</param>
    /// <param name="consumer">Where to write, usually a protocol's <see cref="Protocol.Transport"/>.</param>
    /// <param name="transform">
    /// Optional: called with each chunk read (a buffer the transform may change in place, valid only during the call);
    /// what it returns is written instead.
    /// </param>
    /// <returns>
    /// A Deferred fired, once everything was written, with the last byte written (<c>null</c> for an empty stream); it
    /// fails with <see cref="OperationCanceledException"/> if the consumer stops the sender first (its connection
    /// closed), or with the exception reading the stream threw.
    /// </returns>
    /// <exception cref="ArgumentNullException"><paramref name="file"/> or <paramref name="consumer"/> is null.</exception>
    /// <exception cref="InvalidOperationException">A transfer is already under way, or the consumer has a producer.</exception>
    public Deferred<byte?> BeginFileTransfer(Stream file, IConsumer consumer, Func<Memory<byte>, ReadOnlyMemory<byte>>? transform = null)
    {
        ArgumentNullException.ThrowIfNull(file);
        ArgumentNullException.ThrowIfNull(consumer);
        if (_deferred is not null)
        {
            throw new InvalidOperationException("This FileSender is already sending a stream.");
        }

        _file = file;
        _consumer = consumer;
        _transform = transform;
        _lastSent = null;
        var deferred = _deferred = new Deferred<byte?>();
        consumer.RegisterProducer(this, streaming: false);
        return deferred;
    }

    /// <summary>Writes the next chunk; at the end of the stream unregisters and fires the Deferred.</summary>
    public void ResumeProducing()
    {
        if (_file is null || _consumer is null)
        {
            return;
        }

        int read;
        try
        {
            _buffer ??= ArrayPool<byte>.Shared.Rent(_chunkSize);
            read = _file.Read(_buffer, 0, Math.Min(_chunkSize, _buffer.Length));
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or NotSupportedException or UnauthorizedAccessException)
        {
            var consumer = _consumer;
            Finish()?.Errback(e);
            consumer.UnregisterProducer();
            return;
        }

        if (read == 0)
        {
            var consumer = _consumer;
            var deferred = Finish();
            consumer.UnregisterProducer();
            deferred?.Callback(_lastSent);
            return;
        }

        var chunk = _transform is null ? _buffer.AsMemory(0, read) : _transform(_buffer.AsMemory(0, read));
        if (!chunk.IsEmpty)
        {
            _lastSent = chunk.Span[^1];
            _consumer.Write(chunk.Span);
        }
    }

    /// <summary>The consumer asks the sender to stop: the transfer ends and the Deferred fails with <see cref="OperationCanceledException"/>.</summary>
    public void StopProducing() =>
        Finish()?.Errback(new OperationCanceledException("Consumer asked us to stop producing"));

    private Deferred<byte?>? Finish()
    {
        var deferred = _deferred;
        _deferred = null;
        _file = null;
        _consumer = null;
        _transform = null;
        if (_buffer is not null)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = null;
        }

        return deferred;
    }
}
