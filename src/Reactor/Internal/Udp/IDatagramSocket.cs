using System.Net;
using System.Net.Sockets;

namespace Reactor.Internal.Udp;

/// <summary>
/// The operating-system datagram socket under a <see cref="UdpPort"/>: the only thing that differs between backends
/// (<c>EpollDatagramSocket</c>: P/Invoke and epoll; <c>PortableDatagramSocket</c>: .NET's <see cref="Socket"/>),
/// and the seam where tests inject a fake socket with scripted results and errors.
/// </summary>
/// <remarks>
/// Every member is called on the reactor thread and never blocks. Errors are returned as <see cref="SocketError"/>
/// values, not thrown, so the port decides what each means, from one table (<see cref="UdpErrors"/>).
/// Receive and send never allocate in steady state.
/// </remarks>
internal interface IDatagramSocket : IDisposable
{
    /// <summary><see cref="AddressFamily.InterNetwork"/> or <see cref="AddressFamily.InterNetworkV6"/>.</summary>
    AddressFamily AddressFamily { get; }

    /// <summary>
    /// Binds to <paramref name="endpoint"/>. With <paramref name="reuse"/>, sets SO_REUSEADDR and SO_REUSEPORT first
    /// (so several sockets share the port). An IPv6 wildcard address is bound dual-stack (IPV6_V6ONLY off).
    /// </summary>
    SocketError Bind(IPEndPoint endpoint, bool reuse);

    /// <summary>The bound local address (getsockname). Allocates; call rarely.</summary>
    IPEndPoint GetLocalEndPoint();

    /// <summary>The kernel's connect: fixes the peer, filters incoming datagrams, reports ICMP errors as ECONNREFUSED.</summary>
    SocketError Connect(IPEndPoint remote);

    /// <summary>
    /// Reads up to <paramref name="maxDatagrams"/> datagrams and about <paramref name="maxBytes"/> bytes without blocking,
    /// handing each to <paramref name="sink"/> in arrival order (a batch already read is handed over in full).
    /// </summary>
    /// <param name="sink">Receives each datagram.</param>
    /// <param name="maxDatagrams">At least 1.</param>
    /// <param name="maxBytes">Stop starting new reads once this many payload bytes were read.</param>
    /// <param name="error">
    /// Why reading stopped: <see cref="SocketError.Success"/> when a limit was reached, <see cref="SocketError.WouldBlock"/>
    /// when the socket is drained, or the error a read returned (e.g. <see cref="SocketError.ConnectionRefused"/> for an
    /// ICMP port-unreachable on a connected socket). Datagrams read before the error were handed to the sink.
    /// </param>
    /// <returns>How many datagrams were handed to the sink.</returns>
    int Receive(IDatagramSink sink, int maxDatagrams, int maxBytes, out SocketError error);

    /// <summary>Sends one datagram to <paramref name="destination"/>, or to the connected peer when it is <c>null</c>.</summary>
    /// <returns>
    /// <see cref="SocketError.Success"/> when the kernel took it. <see cref="SocketError.IOPending"/> when the socket
    /// accepted it into its coalescing batch instead, to be sent with others by <see cref="FlushCoalesced"/> (the epoll
    /// socket does this for writes made inside <see cref="Receive"/>, and behind datagrams it still holds); the socket
    /// reports later what became of it, through <see cref="IDatagramSocketHandler.OnCoalescedSent"/> or
    /// <see cref="IDatagramSocketHandler.OnSendFailed"/>. Otherwise the error, and nothing was sent.
    /// </returns>
    SocketError Send(ReadOnlySpan<byte> datagram, IPEndPoint? destination);

    /// <summary>
    /// Hands the datagrams <see cref="Send"/> accepted with <see cref="SocketError.IOPending"/> to the kernel, together
    /// (the epoll socket: one sendmmsg, runs merged by UDP GSO). The port calls it after each <see cref="Receive"/>, so
    /// the replies one batch provoked leave in one system call. What the kernel cannot take yet is sent once the socket
    /// is writable, before <see cref="IDatagramSocketHandler.OnWritable"/>. Does nothing when nothing is held, and on a
    /// socket that never coalesces.
    /// </summary>
    void FlushCoalesced();

    /// <summary>
    /// The largest datagram <see cref="Receive"/> hands over whole (the port's maxPacketSize); a longer one is reported
    /// through <see cref="IDatagramSink.OnTruncated"/>. Set before <see cref="StartReading"/>.
    /// </summary>
    int ReceiveBufferSize { get; set; }

    /// <summary>SO_BROADCAST.</summary>
    bool Broadcast { get; set; }

    /// <summary>Sets SO_RCVBUF and SO_SNDBUF when positive (0 keeps the OS default).</summary>
    void SetBufferSizes(int receiveBufferSize, int sendBufferSize);

    /// <summary>
    /// Sets a socket option from its raw bytes (setsockopt): how multicast options reach either backend. The caller
    /// knows the platform's constants and layouts (see <see cref="Linux.MulticastOptions"/>).
    /// </summary>
    SocketError SetRawOption(int level, int name, ReadOnlySpan<byte> value);

    /// <summary>Reads a socket option's raw bytes (getsockopt) into <paramref name="value"/>; <paramref name="length"/> is how many were written.</summary>
    SocketError GetRawOption(int level, int name, Span<byte> value, out int length);

    /// <summary>Starts calling <paramref name="handler"/> on the reactor thread when the socket is readable (or has an error).</summary>
    void StartReading(IDatagramSocketHandler handler);

    /// <summary>Stops readable notifications (writable ones continue if wanted).</summary>
    void StopReading();

    /// <summary>Asks for (or stops asking for) one <see cref="IDatagramSocketHandler.OnWritable"/> when the send buffer has room.</summary>
    void SetWantWritable(bool want);
}

/// <summary>What a socket tells its port, on the reactor thread.</summary>
internal interface IDatagramSocketHandler
{
    /// <summary>Datagrams (or a pending error) are waiting: call <see cref="IDatagramSocket.Receive"/>.</summary>
    void OnReadable();

    /// <summary>The send buffer has room again.</summary>
    void OnWritable();

    /// <summary>
    /// The kernel took <paramref name="datagrams"/> datagrams (<paramref name="bytes"/> payload bytes in all) that
    /// <see cref="IDatagramSocket.Send"/> had accepted with <see cref="SocketError.IOPending"/>.
    /// </summary>
    void OnCoalescedSent(int datagrams, long bytes);

    /// <summary>
    /// A datagram <see cref="IDatagramSocket.Send"/> had accepted with <see cref="SocketError.IOPending"/> was refused by
    /// the kernel with <paramref name="error"/>; it is dropped.
    /// </summary>
    void OnSendFailed(SocketError error);
}

/// <summary>Receives datagrams from <see cref="IDatagramSocket.Receive"/>.</summary>
internal interface IDatagramSink
{
    /// <summary>
    /// One datagram. <paramref name="datagram"/> is valid only during the call. <paramref name="sender"/> comes from the
    /// socket's <see cref="EndPointCache"/>: the same instance for the same sender, so steady state allocates nothing.
    /// </summary>
    void OnDatagram(ReadOnlySpan<byte> datagram, IPEndPoint sender);

    /// <summary>A datagram longer than the receive buffer (the port's maxPacketSize) arrived and was cut; it is not delivered.</summary>
    void OnTruncated(IPEndPoint sender);
}
