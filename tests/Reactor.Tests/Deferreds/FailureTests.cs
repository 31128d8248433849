namespace Reactor.Tests.Deferreds;

public class FailureTests
{
    [Fact]
    public void Failure_exposes_the_exception_and_its_type()
    {
        var exception = new IOException("disk");
        var failure = new Failure(exception);

        failure.Exception.Should().BeSameAs(exception);
        failure.ExceptionType.Should().Be(typeof(IOException));
    }

    [Fact]
    public void Check_matches_the_type_and_its_base_types()
    {
        var failure = new Failure(new FileNotFoundException());

        failure.Check(typeof(FormatException), typeof(IOException)).Should().BeTrue();
        failure.Check(typeof(FormatException)).Should().BeFalse();
        failure.Check<IOException>().Should().BeTrue();
        failure.Check<FormatException>().Should().BeFalse();
    }

    [Fact]
    public void Trap_returns_a_matching_exception()
    {
        var exception = new FileNotFoundException();

        new Failure(exception).Trap<IOException>().Should().BeSameAs(exception);
    }

    [Fact]
    public void Trap_rethrows_a_non_matching_exception_with_its_original_stack()
    {
        Exception thrown = CaptureThrown();
        var failure = new Failure(thrown);

        FluentActions.Invoking(() => failure.Trap<IOException>()).Should().Throw<FormatException>()
            .Which.StackTrace.Should().Contain(nameof(CaptureThrown));
    }

    [Fact]
    public void Rethrow_throws_the_same_exception_instance()
    {
        var exception = new IOException();

        FluentActions.Invoking(() => new Failure(exception).Rethrow()).Should().Throw<IOException>().Which.Should().BeSameAs(exception);
    }

    [Fact]
    public void ToString_contains_type_message_and_stack()
    {
        string text = new Failure(CaptureThrown()).ToString();

        text.Should().Contain("System.FormatException").And.Contain("thrown here").And.Contain(nameof(CaptureThrown));
    }

    private static Exception CaptureThrown()
    {
        try
        {
            throw new FormatException("thrown here");
        }
        catch (FormatException exception)
        {
            return exception;
        }
    }
}
