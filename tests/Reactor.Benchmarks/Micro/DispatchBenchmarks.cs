using System.Net;
using System.Net.Sockets;
using BenchmarkDotNet.Attributes;
using Reactor.Internal;
using Reactor.Internal.Udp;
using Reactor.Internal.Backends;

namespace Reactor.Benchmarks.Micro;

/// <summary>
/// The UDP port's dispatch path without the kernel: a readable event → <c>UdpPort</c> reads a batch from a fake socket →
/// each datagram goes through the port's sink to the protocol's <c>DatagramReceived</c> → (echo) <c>Write</c> → the fake
/// socket's send. What is left when the syscalls are free: the reactor's own per-datagram overhead. Should allocate 0 B.
/// </summary>
[MemoryDiagnoser]
public class DispatchBenchmarks
{
    /// <summary>Datagrams per readable event (the real sockets read up to the read budget per wake-up).</summary>
    private const int Batch = 64;

    private IReactor _reactor = null!;
    private BatchSocket _socket = null!;

    [Params(64, 1024)]
    public int Size { get; set; }

    [GlobalSetup(Target = nameof(Echo))]
    public void SetUpEcho() => SetUp(new EchoProtocol());

    [GlobalSetup(Target = nameof(Receive))]
    public void SetUpReceive() => SetUp(new DiscardProtocol());

    [GlobalCleanup]
    public void CleanUp() => _reactor.Dispose();

    /// <summary>Receive → DatagramReceived → Write back to the sender, per datagram.</summary>
    [Benchmark(OperationsPerInvoke = Batch)]
    public void Echo() => _socket.RaiseReadable();

    /// <summary>Receive → DatagramReceived only, per datagram.</summary>
    [Benchmark(OperationsPerInvoke = Batch)]
    public void Receive() => _socket.RaiseReadable();

    private void SetUp(DatagramProtocol protocol)
    {
        _reactor = ReactorFactory.Create(new ReactorOptions { Udp = { ReadBudgetDatagrams = Batch, ReadBudgetBytes = int.MaxValue } });
        _socket = new BatchSocket(Size, Batch);
        ((ReactorBase)_reactor).Sockets = new OneSocket(_socket);
        _reactor.ListenUdp(0, protocol, "127.0.0.1", maxPacketSize: 65535);
    }

    /// <summary>Hands the benchmark's scripted socket to the port.</summary>
    private sealed class OneSocket(IDatagramSocket socket) : ISocketFactory
    {
        public IDatagramSocket CreateDatagramSocket(System.Net.Sockets.AddressFamily family) => socket;

        public Reactor.Internal.Streams.IStreamSocket CreateStreamSocket(System.Net.Sockets.AddressFamily family) => throw new NotSupportedException();

        public Reactor.Internal.Streams.IListenSocket CreateListenSocket(System.Net.Sockets.AddressFamily family) => throw new NotSupportedException();
    }

    private sealed class EchoProtocol : DatagramProtocol
    {
        public override void DatagramReceived(ReadOnlySpan<byte> datagram, IPEndPoint sender) => Transport!.Write(datagram, sender);
    }

    private sealed class DiscardProtocol : DatagramProtocol
    {
        public long Bytes { get; private set; }

        public override void DatagramReceived(ReadOnlySpan<byte> datagram, IPEndPoint sender) => Bytes += datagram.Length;
    }

    /// <summary>
    /// A socket that always has <c>batch</c> datagrams of <c>size</c> bytes from one peer (the same cached endpoint, as the
    /// real sockets hand out) and whose sends always succeed. Allocates nothing after construction.
    /// </summary>
    private sealed class BatchSocket(int size, int batch) : IDatagramSocket
    {
        private static readonly IPEndPoint Peer = new(IPAddress.Loopback, 40_001);
        private readonly byte[] _payload = new byte[size];
        private IDatagramSocketHandler? _handler;

        public AddressFamily AddressFamily => AddressFamily.InterNetwork;

        public int ReceiveBufferSize { get; set; }

        public bool Broadcast { get; set; }

        public long Sent { get; private set; }

        public void RaiseReadable() => _handler!.OnReadable();

        public SocketError Bind(IPEndPoint endpoint, bool reuse) => SocketError.Success;

        public IPEndPoint GetLocalEndPoint() => new(IPAddress.Loopback, 40_000);

        public SocketError Connect(IPEndPoint remote) => SocketError.Success;

        public int Receive(IDatagramSink sink, int maxDatagrams, int maxBytes, out SocketError error)
        {
            var count = Math.Min(batch, maxDatagrams);
            for (var i = 0; i < count; i++)
            {
                sink.OnDatagram(_payload, Peer);
            }

            error = count < maxDatagrams ? SocketError.WouldBlock : SocketError.Success;
            return count;
        }

        public SocketError Send(ReadOnlySpan<byte> datagram, IPEndPoint? destination)
        {
            Sent++;
            return SocketError.Success;
        }

        public void FlushCoalesced()
        {
        }

        public void SetBufferSizes(int receiveBufferSize, int sendBufferSize)
        {
        }

        public SocketError SetRawOption(int level, int name, ReadOnlySpan<byte> value) => SocketError.Success;

        public SocketError GetRawOption(int level, int name, Span<byte> value, out int length)
        {
            length = 0;
            return SocketError.ProtocolOption;
        }

        public void StartReading(IDatagramSocketHandler handler) => _handler = handler;

        public void StopReading()
        {
        }

        public void SetWantWritable(bool want)
        {
        }

        public void Dispose()
        {
        }
    }
}
