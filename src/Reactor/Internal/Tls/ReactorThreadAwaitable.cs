using System.Runtime.CompilerServices;

namespace Reactor.Internal.Tls;

/// <summary>
/// <c>await</c>ing this resumes on the reactor thread: at once when already there, else by a call posted to it (as
/// <c>CallFromThread</c>). <see cref="System.Net.Security.SslStream"/> may finish a step on a thread-pool thread (the
/// runtime validates certificates and sends some alerts asynchronously); the TLS layer awaits this after each of its
/// awaits, so its own code, and every protocol callback, runs on the reactor thread.
/// </summary>
internal readonly struct ReactorThreadAwaitable(ReactorBase reactor) : ICriticalNotifyCompletion
{
    public bool IsCompleted => reactor.IsInReactorThread;

    public ReactorThreadAwaitable GetAwaiter() => this;

    public void GetResult()
    {
    }

    public void OnCompleted(Action continuation) => reactor.PostFromAnyThread(static c => ((Action)c!)(), continuation);

    public void UnsafeOnCompleted(Action continuation) => OnCompleted(continuation);
}
