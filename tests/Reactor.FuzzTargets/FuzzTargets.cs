namespace Reactor.Fuzz;

/// <summary>The fuzz targets by name, as <c>Reactor.Fuzz --target NAME</c> and the corpus tests run them.</summary>
public static class FuzzTargets
{
    /// <summary>Each target's name (also its corpus folder under tests/fuzz/corpus/) and its function.</summary>
    public static IReadOnlyDictionary<string, FuzzTarget> All { get; } = new Dictionary<string, FuzzTarget>(StringComparer.Ordinal)
    {
        ["lines"] = LinesTarget.Run,
        ["intn"] = IntNTarget.Run,
        ["netstring"] = NetstringTarget.Run,
        ["resp"] = RespTarget.Run,
        ["endpoint"] = EndpointTarget.Run,
    };
}

/// <summary>One fuzz target: runs one input, and throws when the code under test broke a rule.</summary>
/// <param name="input">The fuzzer's bytes.</param>
public delegate void FuzzTarget(ReadOnlySpan<byte> input);
