using Reactor.Internal;
using Reactor.Internal.Backends.Epoll;
using Reactor.Internal.Linux;
using Reactor.Internal.Backends.Portable;

namespace Reactor;

/// <summary>The entry point: creates a reactor with the best backend for the operating system.</summary>
/// <example>
/// <code>
/// using var reactor = ReactorFactory.Create();
/// reactor.CallLater(TimeSpan.FromSeconds(1), () => reactor.Stop());
/// reactor.Run();
/// </code>
/// </example>
public static class ReactorFactory
{
    /// <summary>
    /// Creates a reactor. The calling thread is its reactor thread until <see cref="IReactorCore.Run"/> is called.
    /// </summary>
    /// <param name="options">How to build it; <c>null</c> for the defaults.</param>
    /// <returns>A reactor that is not yet running.</returns>
    /// <exception cref="PlatformNotSupportedException">The epoll backend was asked for on an OS other than Linux.</exception>
    /// <exception cref="ArgumentException">The <c>REACTOR_BACKEND</c> environment variable names no backend.</exception>
    public static IReactor Create(ReactorOptions? options = null)
    {
        options ??= new ReactorOptions();
        ArgumentNullException.ThrowIfNull(options.LoggerFactory);
        ArgumentNullException.ThrowIfNull(options.TimeProvider);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxWorkerThreads, 1);
        ArgumentNullException.ThrowIfNull(options.Udp);
        options.Udp.Validate();
        ArgumentNullException.ThrowIfNull(options.Tcp);
        options.Tcp.Validate();
        ArgumentOutOfRangeException.ThrowIfNegative(options.SocketReceiveBufferSize);
        ArgumentOutOfRangeException.ThrowIfNegative(options.SocketSendBufferSize);
        return ResolveBackend(options.Backend) switch
        {
            ReactorBackend.Epoll => new EpollReactor(options),
            _ => new PortableReactor(options),
        };
    }

    /// <summary>Which backend <see cref="Create"/> would use for <paramref name="requested"/> on this machine.</summary>
    /// <param name="requested">The backend asked for.</param>
    /// <returns><see cref="ReactorBackend.Epoll"/> or <see cref="ReactorBackend.Portable"/>.</returns>
    public static ReactorBackend ResolveBackend(ReactorBackend requested)
    {
        if (requested == ReactorBackend.Auto)
        {
            var fromEnvironment = Environment.GetEnvironmentVariable(ReactorOptions.BackendEnvironmentVariable);
            if (!string.IsNullOrWhiteSpace(fromEnvironment))
            {
                requested = Enum.TryParse<ReactorBackend>(fromEnvironment.Trim(), ignoreCase: true, out var named)
                    ? named
                    : throw new ArgumentException(
                        $"{ReactorOptions.BackendEnvironmentVariable}='{fromEnvironment}' names no backend; use 'epoll' or 'portable'.");
            }
        }

        if (requested == ReactorBackend.Auto)
        {
            return OperatingSystem.IsLinux() ? ReactorBackend.Epoll : ReactorBackend.Portable;
        }

        if (requested == ReactorBackend.Epoll && !OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException("The epoll backend runs on Linux only; use ReactorBackend.Portable.");
        }

        return requested;
    }
}
