using Reactor.Protocols;
using static Reactor.Tests.Protocols.LineReceiverTests;

namespace Reactor.Tests.Protocols;

/// <summary><c>FileSender</c>, ported from Twisted's <c>test_basic.py</c> <c>FileSenderTests</c>.</summary>
public class FileSenderTests
{
    [Fact]
    public void BeginFileTransfer_registers_the_sender_as_a_pull_producer()
    {
        // test_interface, test_producerRegistered
        var consumer = new StringTransport();
        var sender = new FileSender();
        sender.Should().BeAssignableTo<IPullProducer>();
        _ = sender.BeginFileTransfer(new MemoryStream(B("Test content")), consumer);
        consumer.Producer.Should().BeSameAs(sender);
        consumer.Streaming.Should().BeFalse();
    }

    [Fact]
    public void The_content_is_written_and_the_Deferred_fires_with_the_last_byte_after_the_read_at_the_end()
    {
        // test_transfer
        var consumer = new StringTransport();
        var sender = new FileSender();
        var done = sender.BeginFileTransfer(new MemoryStream(B("Test content")), consumer);
        sender.ResumeProducing();
        done.Called.Should().BeFalse("only the read that finds the end finishes the transfer");
        sender.ResumeProducing();
        consumer.Producer.Should().BeNull();
        Result(done).Should().Be((byte)'t');
        S(consumer.Value()).Should().Be("Test content");
    }

    [Fact]
    public void Each_resume_writes_at_most_ChunkSize_bytes()
    {
        // test_transferMultipleChunks
        var consumer = new StringTransport();
        var sender = new FileSender { ChunkSize = 4 };
        var done = sender.BeginFileTransfer(new MemoryStream(B("Test content")), consumer);
        sender.ResumeProducing();
        S(consumer.Value()).Should().Be("Test");
        sender.ResumeProducing();
        S(consumer.Value()).Should().Be("Test con");
        sender.ResumeProducing();
        S(consumer.Value()).Should().Be("Test content");
        sender.ResumeProducing();
        Result(done).Should().Be((byte)'t');
    }

    [Fact]
    public void The_default_chunk_is_16384_bytes()
    {
        // §5 of the reference: 40,000 bytes go as 16,384, 16,384 and 7,232.
        var consumer = new ChunkRecorder();
        var sender = new FileSender();
        var done = sender.BeginFileTransfer(new MemoryStream(new byte[40_000]), consumer);
        while (!done.Called)
        {
            sender.ResumeProducing();
        }

        consumer.Chunks.Should().Equal([16384, 16384, 7232]);
    }

    [Fact]
    public void A_transform_changes_each_chunk_before_it_is_written()
    {
        // test_transferWithTransform (swapcase, in place)
        var consumer = new StringTransport();
        var sender = new FileSender();
        var done = sender.BeginFileTransfer(new MemoryStream(B("Test content")), consumer, chunk =>
        {
            foreach (ref var b in chunk.Span)
            {
                b = char.IsAsciiLetter((char)b) ? (byte)(b ^ 0x20) : b;
            }

            return chunk;
        });
        sender.ResumeProducing();
        sender.ResumeProducing();
        Result(done).Should().Be((byte)'T');
        S(consumer.Value()).Should().Be("tEST CONTENT");
    }

    [Fact]
    public void StopProducing_before_the_end_fails_the_Deferred()
    {
        // test_abortedTransfer
        var consumer = new StringTransport();
        var sender = new FileSender();
        var done = sender.BeginFileTransfer(new MemoryStream(B("Test content")), consumer);
        sender.StopProducing();
        Exception? failure = null;
        done.AddErrback(f =>
        {
            failure = f.Exception;
            return (byte?)null;
        });
        failure.Should().BeOfType<OperationCanceledException>().Which.Message.Should().Be("Consumer asked us to stop producing");
    }

    [Fact]
    public void An_empty_stream_fires_with_null()
    {
        var consumer = new StringTransport();
        var sender = new FileSender();
        var done = sender.BeginFileTransfer(new MemoryStream(), consumer);
        sender.ResumeProducing();
        Result(done).Should().BeNull();
        consumer.Producer.Should().BeNull();
    }

    private static byte? Result(Deferred<byte?> deferred)
    {
        deferred.Called.Should().BeTrue();
        byte? result = 0xFF;
        deferred.AddCallback(value => result = value);
        return result;
    }

    private sealed class ChunkRecorder : IConsumer
    {
        public List<int> Chunks { get; } = [];

        public void RegisterProducer(IProducer producer, bool streaming)
        {
        }

        public void UnregisterProducer()
        {
        }

        public void Write(ReadOnlySpan<byte> data) => Chunks.Add(data.Length);
    }
}
