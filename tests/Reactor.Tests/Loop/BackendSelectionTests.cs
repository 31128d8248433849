namespace Reactor.Tests.Loop;

/// <summary>Which backend the factory picks, and how to override it.</summary>
[Collection(EnvironmentVariableCollection.Name)]
public class BackendSelectionTests
{
    [Fact]
    public void Auto_picks_epoll_on_Linux_and_portable_elsewhere()
    {
        using var _ = new EnvironmentVariableScope(ReactorOptions.BackendEnvironmentVariable, null);
        using var reactor = ReactorFactory.Create();
        reactor.Backend.Should().Be(OperatingSystem.IsLinux() ? ReactorBackend.Epoll : ReactorBackend.Portable);
    }

    [Fact]
    public void The_option_chooses_the_backend()
    {
        using var reactor = ReactorFactory.Create(new ReactorOptions { Backend = ReactorBackend.Portable });
        reactor.Backend.Should().Be(ReactorBackend.Portable);
    }

    [Fact]
    public void The_environment_variable_overrides_Auto_but_not_an_explicit_choice()
    {
        using var _ = new EnvironmentVariableScope(ReactorOptions.BackendEnvironmentVariable, "portable");
        ReactorFactory.ResolveBackend(ReactorBackend.Auto).Should().Be(ReactorBackend.Portable);
        if (OperatingSystem.IsLinux())
        {
            ReactorFactory.ResolveBackend(ReactorBackend.Epoll).Should().Be(ReactorBackend.Epoll);
        }
    }

    [Fact]
    public void An_unknown_backend_name_in_the_environment_is_a_clear_error()
    {
        using var _ = new EnvironmentVariableScope(ReactorOptions.BackendEnvironmentVariable, "kqueue-please");
        var act = () => ReactorFactory.ResolveBackend(ReactorBackend.Auto);
        act.Should().Throw<ArgumentException>().WithMessage("*REACTOR_BACKEND*kqueue-please*");
    }

    [Fact]
    public void Invalid_options_are_rejected()
    {
        var act = () => ReactorFactory.Create(new ReactorOptions { MaxWorkerThreads = 0 });
        act.Should().Throw<ArgumentOutOfRangeException>();
    }
}

/// <summary>Tests that change process environment variables must not run alongside each other.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public class EnvironmentVariableCollection
{
    public const string Name = "environment variables";
}

/// <summary>Sets an environment variable for a test and restores it afterwards.</summary>
public sealed class EnvironmentVariableScope : IDisposable
{
    private readonly string _name;
    private readonly string? _previous;

    public EnvironmentVariableScope(string name, string? value)
    {
        _name = name;
        _previous = Environment.GetEnvironmentVariable(name);
        Environment.SetEnvironmentVariable(name, value);
    }

    public void Dispose() => Environment.SetEnvironmentVariable(_name, _previous);
}
