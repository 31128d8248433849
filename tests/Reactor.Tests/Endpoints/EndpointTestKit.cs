using Reactor.Tests.Deferreds;
using Reactor.Tests.Tcp;

namespace Reactor.Tests.Endpoints;

/// <summary>Helpers for endpoint tests: the outcome of a Deferred (Twisted's successResultOf and failureResultOf), bounded waits.</summary>
public static class EndpointTestKit
{
    /// <summary>The Deferred's failure; fails the test if it has not failed.</summary>
    public static Exception FailureOf<T>(Deferred<T> deferred) => DeferredAssertions.FailureResultOf(deferred).Exception;

    /// <summary>The Deferred's result; fails the test if it has not succeeded.</summary>
    public static T ResultOf<T>(Deferred<T> deferred) => DeferredAssertions.SuccessResultOf(deferred);

    /// <summary>Waits on a real reactor, bounded, until <paramref name="deferred"/> has fired.</summary>
    public static void RunUntilFired(this IReactor reactor, Deferred deferred, TimeSpan? timeout = null) =>
        reactor.RunUntil(() => deferred.Called, timeout);
}
