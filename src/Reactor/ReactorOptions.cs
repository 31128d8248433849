using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Reactor.Internal;

namespace Reactor;

/// <summary>
/// How to build a reactor with <see cref="ReactorFactory.Create"/>: the loop's own settings here, each transport's in its
/// own group (<see cref="Udp"/>, <see cref="Tcp"/>).
/// </summary>
public sealed class ReactorOptions
{
    /// <summary>The name of the environment variable that overrides <see cref="ReactorBackend.Auto"/>: <c>epoll</c> or <c>portable</c>.</summary>
    public const string BackendEnvironmentVariable = "REACTOR_BACKEND";

    /// <summary>
    /// The I/O backend. <see cref="ReactorBackend.Auto"/> (the default) picks the best for the OS, unless the
    /// <c>REACTOR_BACKEND</c> environment variable names one.
    /// </summary>
    public ReactorBackend Backend { get; set; } = ReactorBackend.Auto;

    /// <summary>
    /// Where the reactor and its transports log. The default writes warnings and errors (a protocol or timer that threw, a
    /// dropped datagram, a Deferred failure nobody handled) to standard error as plain text, as Twisted prints "Unhandled
    /// Error" with no setup; anything less severe is not written. Give your own factory to log elsewhere, or
    /// <see cref="NullLoggerFactory.Instance"/> to log nothing (decision D41 in docs/decisions.md).
    /// </summary>
    public ILoggerFactory LoggerFactory { get; set; } = StandardErrorLoggerFactory.Instance;

    /// <summary>The source of monotonic time for timers (only its timestamp is used). The default is <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>The most threads the worker pool (<c>CallInThread</c>, <c>DeferToThread</c>, name resolution) runs at once. Default 10.</summary>
    public int MaxWorkerThreads { get; set; } = 10;

    /// <summary>
    /// When <c>true</c>, <c>Run()</c> handles SIGINT (Ctrl+C) and SIGTERM by stopping the reactor cleanly, as Twisted's
    /// <c>reactor.run()</c> does. Off by default, because a library should leave signals to its host.
    /// </summary>
    public bool HandleSignals { get; set; }

    /// <summary>How UDP ports read and queue (read budgets, pending-write bounds, GSO and GRO).</summary>
    public UdpOptions Udp { get; set; } = new();

    /// <summary>How TCP connections and ports read, buffer and accept (read budget, watermarks, accept batch, TCP_NODELAY).</summary>
    public TcpOptions Tcp { get; set; } = new();

    /// <summary>SO_RCVBUF for new sockets, in bytes; 0 (the default) keeps the operating system's default.</summary>
    public int SocketReceiveBufferSize { get; set; }

    /// <summary>SO_SNDBUF for new sockets, in bytes; 0 (the default) keeps the operating system's default.</summary>
    public int SocketSendBufferSize { get; set; }
}
