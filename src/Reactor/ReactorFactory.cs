using System.Diagnostics.CodeAnalysis;
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

    /// <summary>
    /// Runs a program's asynchronous main on a new reactor and returns its exit code (Twisted's <c>task.react</c>): creates
    /// the reactor, calls <paramref name="main"/> on the reactor thread once it runs (so each <c>await</c> in it resumes
    /// there), stops the reactor when the task completes, disposes it, and returns 0. If main throws or its task fails,
    /// the exception is logged (event 13, <c>main function encountered error</c>) and the result is 1.
    /// </summary>
    /// <param name="main">The program: <c>async reactor =&gt; { ... }</c>.</param>
    /// <param name="options">How to build the reactor; <c>null</c> for the defaults with <see cref="ReactorOptions.HandleSignals"/>
    /// on, so that Ctrl+C stops the program cleanly (as <c>task.react</c> does).</param>
    /// <returns>The exit code: 0, or 1 when main failed. A reactor stopped before main finished (Ctrl+C, <c>Stop()</c>) also gives 0.</returns>
    /// <example>
    /// <code>
    /// return ReactorFactory.React(async reactor =&gt;
    /// {
    ///     await reactor.DeferLater(TimeSpan.FromSeconds(1));
    ///     Console.WriteLine("a second later");
    /// });
    /// </code>
    /// </example>
    [SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = "The overloads differ in main's type (Task or Task<int>), so no call is ambiguous; options is optional in both.")]
    public static int React(Func<IReactor, Task> main, ReactorOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(main);
        return React(reactor => ExitZero(main(reactor) ?? throw new InvalidOperationException("main returned null instead of a Task.")), options);
    }

    /// <summary>
    /// Runs a program's asynchronous main on a new reactor and returns the exit code the main's task gives, as
    /// <see cref="React(Func{IReactor, Task}, ReactorOptions?)"/> does otherwise (Twisted's <c>task.react</c> with a
    /// <c>SystemExit</c> code).
    /// </summary>
    /// <param name="main">The program, whose result is the exit code: <c>async reactor =&gt; { ...; return 0; }</c>.</param>
    /// <param name="options">How to build the reactor; <c>null</c> for the defaults with <see cref="ReactorOptions.HandleSignals"/> on.</param>
    /// <returns>main's result; 1 when main failed (the exception is logged); 0 when the reactor stopped before main finished.</returns>
    [SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = "The overloads differ in main's type (Task or Task<int>), so no call is ambiguous; options is optional in both.")]
    public static int React(Func<IReactor, Task<int>> main, ReactorOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(main);
        using var reactor = Create(options ?? new ReactorOptions { HandleSignals = true });
        return ReactorMain.Run((ReactorBase)reactor, main);
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

    private static async Task<int> ExitZero(Task main)
    {
        await main;
        return 0;
    }
}
