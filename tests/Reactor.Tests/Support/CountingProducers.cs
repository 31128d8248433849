namespace Reactor.Tests.Support;

/// <summary>A streaming producer that counts the transport's calls.</summary>
public sealed class CountingPushProducer : IPushProducer
{
    public int Pauses { get; private set; }

    public int Resumes { get; private set; }

    public int Stops { get; private set; }

    public bool Paused { get; private set; }

    public Action? OnResume { get; set; }

    public void PauseProducing()
    {
        Pauses++;
        Paused = true;
    }

    public void ResumeProducing()
    {
        Resumes++;
        Paused = false;
        OnResume?.Invoke();
    }

    public void StopProducing() => Stops++;
}

/// <summary>A pull producer that counts the transport's calls and writes one chunk per call (through <see cref="OnResume"/>).</summary>
public sealed class CountingPullProducer : IPullProducer
{
    public int Resumes { get; private set; }

    public int Stops { get; private set; }

    public Action<CountingPullProducer>? OnResume { get; set; }

    public void ResumeProducing()
    {
        Resumes++;
        OnResume?.Invoke(this);
    }

    public void StopProducing() => Stops++;
}
