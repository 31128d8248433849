using Reactor.Internal;

namespace Reactor.Tests.Support;

/// <summary>Runs a test body once per backend that can run on this machine.</summary>
public static class TestBackends
{
    /// <summary>xunit member data: every backend available here.</summary>
    public static TheoryData<ReactorBackend> All
    {
        get
        {
            var data = new TheoryData<ReactorBackend>();
            if (OperatingSystem.IsLinux())
            {
                data.Add(ReactorBackend.Epoll);
            }

            data.Add(ReactorBackend.Portable);
            return data;
        }
    }

    public static IReactor Create(ReactorBackend backend, TestLoggerFactory? logs = null, TimeProvider? time = null) =>
        ReactorFactory.Create(new ReactorOptions
        {
            Backend = backend,
            LoggerFactory = (Microsoft.Extensions.Logging.ILoggerFactory?)logs ?? Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance,
            TimeProvider = time ?? TimeProvider.System,
        });

    internal static ReactorBase Internal(this IReactor reactor) => (ReactorBase)reactor;
}
