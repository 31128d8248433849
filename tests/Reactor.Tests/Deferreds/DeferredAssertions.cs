namespace Reactor.Tests.Deferreds;

/// <summary>Twisted's <c>successResultOf</c>, <c>failureResultOf</c> and <c>assertNoResult</c>.</summary>
internal static class DeferredAssertions
{
    /// <summary>The current result of a fired, successful Deferred.</summary>
    public static T SuccessResultOf<T>(Deferred<T> deferred)
    {
        bool fired = false;
        T value = default!;
        Failure? failure = null;
        deferred.AddCallbacksUntyped(
            result =>
            {
                fired = true;
                value = Deferred<T>.Unbox(result);
                return result;
            },
            f =>
            {
                fired = true;
                failure = f;
                return f;
            });
        fired.Should().BeTrue("the Deferred should have a result");
        failure.Should().BeNull("the Deferred should have succeeded");
        return value;
    }

    /// <summary>The current failure of a fired, failed Deferred; the failure counts as handled.</summary>
    public static Failure FailureResultOf<T>(Deferred<T> deferred)
    {
        bool fired = false;
        Failure? failure = null;
        deferred.AddCallbacksUntyped(
            result =>
            {
                fired = true;
                return result;
            },
            f =>
            {
                fired = true;
                failure = f;
                deferred.MarkFailureHandled(f);
                return f;
            });
        fired.Should().BeTrue("the Deferred should have a result");
        failure.Should().NotBeNull("the Deferred should have failed");
        return failure!;
    }

    /// <summary>Waits at most five seconds for <paramref name="task"/>, asserts it completed, and returns its result (or throws its exception).</summary>
    public static T BoundedResult<T>(Task<T> task)
    {
        ((IAsyncResult)task).AsyncWaitHandle.WaitOne(TimeSpan.FromSeconds(5)).Should().BeTrue("the task should complete");
        return task.GetAwaiter().GetResult();
    }

    /// <summary>The Deferred has not fired yet.</summary>
    public static void AssertNoResult(Deferred deferred) => deferred.HasResultNow.Should().BeFalse();
}
