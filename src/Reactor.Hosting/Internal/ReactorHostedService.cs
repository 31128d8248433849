using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Reactor.Hosting.Internal;

/// <summary>
/// Runs a reactor on a dedicated thread for the lifetime of a host: start runs <c>Run()</c> there (and the user's
/// configure callback on the first iteration); stop asks for <c>Stop()</c> and waits, bounded by the host's shutdown
/// token, for <c>Run()</c> to return.
/// </summary>
internal sealed class ReactorHostedService : IHostedService
{
    private readonly Action<IReactor>? _configure;
    private readonly IHostApplicationLifetime? _lifetime;
    private readonly ILogger _logger;
    private readonly HostedEndpoints? _endpoints;
    private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _finished = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Thread? _thread;
    private volatile bool _hostStopping;

    internal ReactorHostedService(IReactor reactor, Action<IReactor>? configure, IHostApplicationLifetime? lifetime, ILogger logger, HostedEndpoints? endpoints = null)
    {
        _endpoints = endpoints;
        Reactor = reactor;
        _configure = configure;
        _lifetime = lifetime;
        _logger = logger;
    }

    internal IReactor Reactor { get; }

    /// <summary>The configured endpoints (null when built without them).</summary>
    internal HostedEndpoints? Endpoints => _endpoints;

    /// <summary>Completes when the host's start has (every endpoint listens), or fails with why it could not.</summary>
    internal Task Started => _started.Task;

    /// <summary>Completes when <c>Run()</c> has returned (or failed).</summary>
    internal Task Finished => _finished.Task;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _thread = new Thread(RunReactor) { Name = "Reactor", IsBackground = true };
        _thread.Start();
        return _started.Task.WaitAsync(cancellationToken);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_thread is null)
        {
            return;
        }

        _hostStopping = true;
        HostingLog.ReactorStopping(_logger);

        // Queued rather than Stop() from here, so it works whatever state the loop is in (not yet running, stopping).
        Reactor.CallFromThread(() =>
        {
            if (Reactor.Running)
            {
                try
                {
                    Reactor.Stop();
                }
                catch (ReactorNotRunningException)
                {
                    // Already stopping.
                }
            }
        });

        try
        {
            await _finished.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            HostingLog.ReactorStopTimedOut(_logger);
        }
    }

    private void RunReactor()
    {
        Reactor.CallFromThread(() =>
        {
            HostingLog.ReactorStarted(_logger, Thread.CurrentThread.Name ?? "", Reactor.Backend);
            try
            {
                _configure?.Invoke(Reactor);
                if (_endpoints is null)
                {
                    _started.TrySetResult();
                }
                else
                {
                    // The host has started once every configured endpoint listens; the first that cannot fails the start.
                    _endpoints.ListenAll(Reactor, _logger, () => _started.TrySetResult(), FailStart);
                }
            }
            catch (Exception e)
            {
                _started.TrySetException(e);
                _hostStopping = true; // the host will not start: nothing to tell it
                Reactor.Stop();
            }
        });

        try
        {
            Reactor.Run();
        }
        catch (Exception e)
        {
            HostingLog.ReactorFailed(_logger, e);
            _started.TrySetException(e);
            StopHost();
        }
        finally
        {
            _finished.TrySetResult();
        }

        if (!_hostStopping)
        {
            HostingLog.ReactorStoppedByItself(_logger);
            StopHost();
        }
    }

    /// <summary>An endpoint could not listen: the host's start fails with why, and the reactor stops.</summary>
    private void FailStart(Exception reason)
    {
        if (_started.TrySetException(reason))
        {
            _hostStopping = true;
            if (Reactor.Running)
            {
                Reactor.Stop();
            }
        }
    }

    private void StopHost()
    {
        if (!_hostStopping)
        {
            _hostStopping = true;
            _lifetime?.StopApplication();
        }
    }
}
