namespace Reactor.Internal.Backends.Portable;

/// <summary>
/// The backend for every OS: sockets use .NET's asynchronous APIs, and each completion is queued onto the loop
/// (like <c>CallFromThread</c>), so protocol code still runs only on the reactor thread. Waiting for I/O is waiting
/// for that queue to be signalled.
/// </summary>
internal sealed class PortableReactor : ReactorBase
{
    private readonly ManualResetEventSlim _signal = new(initialState: false, spinCount: 0);

    internal PortableReactor(ReactorOptions options)
        : base(options, ReactorBackend.Portable)
    {
    }

    protected override void WaitForIo(int timeoutMilliseconds)
    {
        if (timeoutMilliseconds != 0)
        {
            _signal.Wait(timeoutMilliseconds);
        }

        _signal.Reset();
        ClearWakeUpRequest();
    }

    protected override ISocketFactory CreateSocketFactory() => new PortableSocketFactory(this);

    protected override void WakeUp() => _signal.Set();

    protected override void ReleaseBackend() => _signal.Dispose();
}
