using Microsoft.Extensions.Logging;
using Reactor.Internal;

namespace Reactor.Tests.Logging;

/// <summary>The default logger never throws into the loop, even when standard error cannot be written.</summary>
public class StandardErrorLoggerOutOfDescriptorsTests
{
    [Fact]
    public void A_write_that_fails_with_an_IOException_is_dropped_and_the_next_one_is_written()
    {
        var writer = new FailingOnceWriter();
        var logger = new StandardErrorLoggerFactory(writer).CreateLogger("Reactor.Tcp");

        var first = () => logger.LogWarning("first");
        first.Should().NotThrow("a log call must not throw into the reactor loop (EMFILE while opening standard error)");
        logger.LogWarning("second");

        writer.ToString().Should().Contain("second").And.NotContain("first");
    }

    private sealed class FailingOnceWriter : StringWriter
    {
        private bool _failed;

        public override void Write(string? value)
        {
            if (!_failed)
            {
                _failed = true;
                throw new IOException("Too many open files");
            }

            base.Write(value);
        }
    }
}
