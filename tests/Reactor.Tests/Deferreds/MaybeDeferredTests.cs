using static Reactor.Tests.Deferreds.DeferredAssertions;

namespace Reactor.Tests.Deferreds;

public class MaybeDeferredTests
{
    [Fact]
    public void MaybeDeferred_wraps_a_synchronous_value()
    {
        Deferred<int> d = Deferred.MaybeDeferred(() => 10);

        SuccessResultOf(d).Should().Be(10);
    }

    [Fact]
    public void MaybeDeferred_turns_a_synchronous_exception_into_a_failure()
    {
        var exception = new IOException();

        int Throwing() => throw exception;

        Deferred<int> d = Deferred.MaybeDeferred(Throwing);

        FailureResultOf(d).Exception.Should().BeSameAs(exception);
    }

    [Fact]
    public void MaybeDeferred_passes_a_returned_deferred_through()
    {
        var inner = new Deferred<string>();

        Deferred<string> d = Deferred.MaybeDeferred(() => inner);

        d.Should().BeSameAs(inner);
    }

    [Fact]
    public void MaybeDeferred_passes_a_returned_failed_deferred_through()
    {
        var exception = new IOException();

        Deferred<string> d = Deferred.MaybeDeferred(() => Deferred.Fail<string>(exception));

        FailureResultOf(d).Exception.Should().BeSameAs(exception);
    }

    [Fact]
    public void MaybeDeferred_fails_when_the_function_returns_a_null_deferred()
    {
        Deferred<string> d = Deferred.MaybeDeferred(() => (Deferred<string>)null!);

        FailureResultOf(d).Exception.Should().BeOfType<InvalidOperationException>();
    }
}
