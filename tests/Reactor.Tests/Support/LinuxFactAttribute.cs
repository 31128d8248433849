namespace Reactor.Tests.Support;

/// <summary>A fact that runs only on Linux (tests of the epoll backend); skipped, with the reason, elsewhere.</summary>
public sealed class LinuxFactAttribute : FactAttribute
{
    public LinuxFactAttribute()
    {
        if (!OperatingSystem.IsLinux())
        {
            Skip = "Linux only (epoll backend).";
        }
    }
}

/// <summary>A theory that runs only on Linux (tests of the epoll backend); skipped, with the reason, elsewhere.</summary>
public sealed class LinuxTheoryAttribute : TheoryAttribute
{
    public LinuxTheoryAttribute()
    {
        if (!OperatingSystem.IsLinux())
        {
            Skip = "Linux only (epoll backend).";
        }
    }
}
