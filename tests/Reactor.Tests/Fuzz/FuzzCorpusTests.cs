using Reactor.Fuzz;

namespace Reactor.Tests.Fuzz;

/// <summary>
/// Every seed in tests/fuzz/corpus/&lt;target&gt;/ and every input kept in tests/fuzz/regressions/&lt;target&gt;/ (crashes
/// AFL found, after their fix), replayed through the same target code the fuzzer runs (tests/Reactor.FuzzTargets), so
/// a crash found once stays a test for good. docs/reliability.md, "Fuzzing".
/// </summary>
[Trait("kind", "bad-input")]
public class FuzzCorpusTests
{
    private static readonly string FuzzDirectory = FindFuzzDirectory();

    /// <summary>Each corpus and regression file, as (target, path relative to tests/fuzz).</summary>
    public static TheoryData<string, string> Inputs()
    {
        var data = new TheoryData<string, string>();
        foreach (var kind in new[] { "corpus", "regressions" })
        {
            foreach (var directory in Directory.GetDirectories(Path.Combine(FuzzDirectory, kind)).Order(StringComparer.Ordinal))
            {
                foreach (var file in Directory.GetFiles(directory).Order(StringComparer.Ordinal))
                {
                    data.Add(Path.GetFileName(directory), Path.GetRelativePath(FuzzDirectory, file));
                }
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Inputs))]
    public void The_input_keeps_every_invariant_of_its_target(string target, string file)
    {
        FuzzTargets.All.Should().ContainKey(target, $"tests/fuzz/{file} is in a folder named after a target");
        var input = File.ReadAllBytes(Path.Combine(FuzzDirectory, file));
        FluentActions.Invoking(() => FuzzTargets.All[target](input)).Should().NotThrow();
    }

    [Fact]
    public void Every_target_has_seeds()
    {
        foreach (var target in FuzzTargets.All.Keys)
        {
            Directory.GetFiles(Path.Combine(FuzzDirectory, "corpus", target)).Should().NotBeEmpty($"AFL starts {target} from its seeds");
        }

        Directory.GetDirectories(Path.Combine(FuzzDirectory, "corpus")).Select(Path.GetFileName).Should().BeEquivalentTo(FuzzTargets.All.Keys);
    }

    [Fact]
    public void The_targets_notice_a_broken_rule()
    {
        // The harness itself can fail: a LineReceiver that delivered a line twice would not match the reference.
        FluentActions.Invoking(() => FrameEventsOf(["frame", "frame"]).ShouldEqual(FrameEventsOf(["frame"]), [], 0))
            .Should().Throw<FuzzInvariantException>().WithMessage("*after everything the reference parse found*");
        FluentActions.Invoking(() => FrameEventsOf(["frame"]).ShouldEqual(FrameEventsOf(["tooLong"]), [], 0))
            .Should().Throw<FuzzInvariantException>().WithMessage("*expected tooLong*");
    }

    private static FrameEvents FrameEventsOf(string[] kinds)
    {
        var events = new FrameEvents();
        foreach (var kind in kinds)
        {
            events.Add(kind, "x"u8);
        }

        return events;
    }

    private static string FindFuzzDirectory()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, "tests", "fuzz");
            if (Directory.Exists(Path.Combine(candidate, "corpus")))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException("tests/fuzz/corpus not found above " + AppContext.BaseDirectory);
    }
}
