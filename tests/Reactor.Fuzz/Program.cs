using Reactor.Fuzz;

// Reactor.Fuzz --target NAME          : under afl-fuzz, SharpFuzz's fork server runs each input AFL gives on stdin.
// Reactor.Fuzz --target NAME FILE...  : runs each file once and says which fail (a crash replayed without AFL).
if (args.Length < 2 || args[0] != "--target" || !FuzzTargets.All.TryGetValue(args[1], out var target))
{
    Console.Error.WriteLine($"usage: Reactor.Fuzz --target <{string.Join("|", FuzzTargets.All.Keys)}> [FILE...]");
    return 2;
}

if (args.Length > 2)
{
    var failed = 0;
    foreach (var file in args.Skip(2))
    {
        try
        {
            target(File.ReadAllBytes(file));
        }
        catch (Exception e)
        {
            failed++;
            Console.WriteLine($"FAILED {file}: {e}");
        }
    }

    Console.WriteLine($"{args.Length - 2 - failed} passed, {failed} failed");
    return failed == 0 ? 0 : 1;
}

SharpFuzz.Fuzzer.Run(stream =>
{
    using var copy = new MemoryStream();
    stream.CopyTo(copy);
    target(copy.GetBuffer().AsSpan(0, (int)copy.Length));
});
return 0;
