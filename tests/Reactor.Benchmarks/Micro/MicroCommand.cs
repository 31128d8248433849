namespace Reactor.Benchmarks.Micro;

internal static class MicroCommand
{
    public static int Execute(string[] args) => 0;
}
