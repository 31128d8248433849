using System.Net;
using System.Net.Sockets;

namespace Reactor.Tests.Resolve;

/// <summary>
/// Passes lookups to another resolver and keeps the Deferreds it returns, so a test can check what became of an answer
/// the reactor discarded: it must end consumed (no failure left to be reported as unhandled, no AlreadyCalled error).
/// </summary>
internal sealed class AnswerRecordingResolver(IHostResolver inner) : IHostResolver
{
    public List<Deferred<IReadOnlyList<IPAddress>>> Answers { get; } = [];

    public Deferred<IReadOnlyList<IPAddress>> ResolveHostAddresses(string name, AddressFamily family)
    {
        var answer = inner.ResolveHostAddresses(name, family);
        Answers.Add(answer);
        return answer;
    }

    /// <summary>Every answer has fired and its chain ended without a failure.</summary>
    public void ShouldAllBeConsumed()
    {
        Answers.Should().NotBeEmpty();
        foreach (var answer in Answers)
        {
            answer.HasResultNow.Should().BeTrue();
            (answer.CurrentResult is Failure).Should().BeFalse("the reactor consumes an answer it discards");
        }
    }
}
