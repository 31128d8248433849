using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Reactor;

/// <summary>How to build a reactor with <see cref="ReactorFactory.Create"/>.</summary>
public sealed class ReactorOptions
{
    /// <summary>The name of the environment variable that overrides <see cref="ReactorBackend.Auto"/>: <c>epoll</c> or <c>portable</c>.</summary>
    public const string BackendEnvironmentVariable = "REACTOR_BACKEND";

    /// <summary>
    /// The I/O backend. <see cref="ReactorBackend.Auto"/> (the default) picks the best for the OS, unless the
    /// <c>REACTOR_BACKEND</c> environment variable names one.
    /// </summary>
    public ReactorBackend Backend { get; set; } = ReactorBackend.Auto;

    /// <summary>Where the reactor and its transports log. The default logs nothing.</summary>
    public ILoggerFactory LoggerFactory { get; set; } = NullLoggerFactory.Instance;

    /// <summary>The source of monotonic time for timers (only its timestamp is used). The default is <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>The most threads the worker pool (<c>CallInThread</c>, <c>DeferToThread</c>, name resolution) runs at once. Default 10.</summary>
    public int MaxWorkerThreads { get; set; } = 10;

    /// <summary>
    /// When <c>true</c>, <c>Run()</c> handles SIGINT (Ctrl+C) and SIGTERM by stopping the reactor cleanly, as Twisted's
    /// <c>reactor.run()</c> does. Off by default, because a library should leave signals to its host.
    /// </summary>
    public bool HandleSignals { get; set; }

    /// <summary>
    /// The most datagrams a UDP port reads each time it becomes readable, before the loop moves on to timers and other
    /// sockets (zero-length datagrams count). Default 256. What is left is read on the next iteration.
    /// </summary>
    public int ReadBudgetDatagrams { get; set; } = 256;

    /// <summary>The most payload bytes a UDP port reads each time it becomes readable (Twisted's 256 KiB <c>maxThroughput</c>). Default 262,144.</summary>
    public int ReadBudgetBytes { get; set; } = 256 * 1024;

    /// <summary>How many datagrams a UDP port queues while the socket's send buffer is full; past that they are dropped and counted. Default 1,024.</summary>
    public int MaxPendingWrites { get; set; } = 1024;

    /// <summary>How many bytes a UDP port queues while the socket's send buffer is full. Default 4 MiB.</summary>
    public long MaxPendingWriteBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary>SO_RCVBUF for new sockets, in bytes; 0 (the default) keeps the operating system's default.</summary>
    public int SocketReceiveBufferSize { get; set; }

    /// <summary>SO_SNDBUF for new sockets, in bytes; 0 (the default) keeps the operating system's default.</summary>
    public int SocketSendBufferSize { get; set; }

    /// <summary>
    /// Epoll backend: send runs of equal-size datagrams to one peer (written while a receive batch is dispatched, e.g.
    /// an echo's replies) as one UDP GSO message, where the kernel supports it (Linux 4.18+). On by default; the kernel
    /// splits them back into the same datagrams, so peers see no difference.
    /// </summary>
    public bool UdpSegmentationOffload { get; set; } = true;

    /// <summary>
    /// Epoll backend: let the kernel coalesce a burst of datagrams from one sender into one read (UDP GRO, Linux 5.0+);
    /// the reactor splits it back into datagrams before <c>DatagramReceived</c>. On by default.
    /// </summary>
    public bool UdpReceiveOffload { get; set; } = true;
}
