using Reactor.Internal.Endpoints;

namespace Reactor.Endpoints;

/// <summary>
/// The endpoint kinds a description may name — the registry behind <see cref="Endpoint.ServerFromString"/> and
/// <see cref="Endpoint.ClientFromString"/> (Twisted's endpoint plugins). <see cref="Default"/> holds the built-in kinds
/// (server: <c>tcp</c>, <c>tcp6</c>, <c>unix</c>, <c>systemd</c>, <c>ssl</c>, <c>tls</c>; client: <c>tcp</c>, <c>tcp6</c>,
/// <c>hostname</c>, <c>unix</c>, <c>tls</c>, <c>ssl</c>; datagram: <c>udp</c>, <c>systemd</c>); add your own to it, or to a registry of your own.
/// </summary>
/// <remarks>
/// <para>A kind is registered with its parameters, in positional order, and a function that makes the endpoint from the
/// bound <see cref="EndpointArguments"/>. Kinds match case-insensitively. An exception the function throws that is not
/// an <see cref="EndpointParseException"/> or <see cref="NotSupportedException"/> (an <see cref="ArgumentException"/>
/// from an endpoint's constructor, say) is reported as an <see cref="EndpointParseException"/> of that kind.</para>
/// <para>Thread-safe: kinds may be added from any thread, also while other threads parse.</para>
/// </remarks>
public sealed class EndpointParsers
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Kind<IStreamServerEndpoint>> _servers = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, Kind<IStreamClientEndpoint>> _clients = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, Kind<IDatagramEndpoint>> _datagrams = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Creates a registry holding the built-in kinds.</summary>
    public EndpointParsers()
        : this(systemd: null)
    {
    }

    /// <summary>A registry whose <c>systemd:</c> kind reads <paramref name="systemd"/> (tests); <c>null</c>: this process's sockets.</summary>
    internal EndpointParsers(SystemdSockets? systemd) => BuiltInKinds.AddTo(this, systemd);

    /// <summary>The registry <see cref="Endpoint.ServerFromString"/> and <see cref="Endpoint.ClientFromString"/> use when given none.</summary>
    public static EndpointParsers Default { get; } = new();

    /// <summary>The server kinds, lower case, sorted.</summary>
    public IReadOnlyList<string> ServerKinds => Names(_servers);

    /// <summary>The client kinds, lower case, sorted.</summary>
    public IReadOnlyList<string> ClientKinds => Names(_clients);

    /// <summary>The datagram kinds, lower case, sorted.</summary>
    public IReadOnlyList<string> DatagramKinds => Names(_datagrams);

    /// <summary>Adds a server kind: descriptions <c><paramref name="kind"/>:…</c> then make endpoints with <paramref name="create"/>.</summary>
    /// <param name="kind">The kind's name: letters, digits, <c>-</c> and <c>_</c>, starting with a letter.</param>
    /// <param name="parameters">The kind's parameters, in the order positional arguments fill them.</param>
    /// <param name="create">Makes the endpoint from the reactor and the bound arguments; it should open nothing.</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">The name or a parameter is not a valid name, or a parameter is listed twice.</exception>
    /// <exception cref="InvalidOperationException">A server kind of that name exists.</exception>
    public void AddServerKind(string kind, IReadOnlyList<string> parameters, Func<IReactor, EndpointArguments, IStreamServerEndpoint> create) =>
        Add(_servers, "server", kind, parameters, create);

    /// <summary>Adds a client kind: descriptions <c><paramref name="kind"/>:…</c> then make endpoints with <paramref name="create"/>.</summary>
    /// <param name="kind">The kind's name: letters, digits, <c>-</c> and <c>_</c>, starting with a letter.</param>
    /// <param name="parameters">The kind's parameters, in the order positional arguments fill them.</param>
    /// <param name="create">Makes the endpoint from the reactor and the bound arguments; it should open nothing.</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">The name or a parameter is not a valid name, or a parameter is listed twice.</exception>
    /// <exception cref="InvalidOperationException">A client kind of that name exists.</exception>
    public void AddClientKind(string kind, IReadOnlyList<string> parameters, Func<IReactor, EndpointArguments, IStreamClientEndpoint> create) =>
        Add(_clients, "client", kind, parameters, create);

    /// <summary>Adds a datagram kind: descriptions <c><paramref name="kind"/>:…</c> given to <see cref="Endpoint.DatagramFromString"/> then make endpoints with <paramref name="create"/>.</summary>
    /// <param name="kind">The kind's name: letters, digits, <c>-</c> and <c>_</c>, starting with a letter.</param>
    /// <param name="parameters">The kind's parameters, in the order positional arguments fill them.</param>
    /// <param name="create">Makes the endpoint from the reactor and the bound arguments; it should open nothing.</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">The name or a parameter is not a valid name, or a parameter is listed twice.</exception>
    /// <exception cref="InvalidOperationException">A datagram kind of that name exists.</exception>
    public void AddDatagramKind(string kind, IReadOnlyList<string> parameters, Func<IReactor, EndpointArguments, IDatagramEndpoint> create) =>
        Add(_datagrams, "datagram", kind, parameters, create);

    internal IDatagramEndpoint ParseDatagram(IReactor reactor, string description) => Parse(_datagrams, "datagram", reactor, description);

    internal IStreamServerEndpoint ParseServer(IReactor reactor, string description) => Parse(_servers, "server", reactor, description);

    internal IStreamClientEndpoint ParseClient(IReactor reactor, string description) => Parse(_clients, "client", reactor, description);

    private T Parse<T>(Dictionary<string, Kind<T>> kinds, string role, IReactor reactor, string description)
    {
        ArgumentNullException.ThrowIfNull(description);
        var parsed = EndpointGrammar.Parse(description);
        Kind<T>? kind;
        lock (_lock)
        {
            kinds.TryGetValue(parsed.Kind, out kind);
        }

        if (kind is null)
        {
            throw new EndpointParseException(parsed.Kind, null,
                $"Unknown endpoint kind '{parsed.Kind}' in '{description}'; the {role} kinds are: {string.Join(", ", Names(kinds))}.");
        }

        var arguments = Bind(kind, parsed, description);
        try
        {
            return kind.Create(reactor, arguments);
        }
        catch (Exception e) when (e is not (EndpointParseException or NotSupportedException))
        {
            var argument = (e as ArgumentException)?.ParamName;
            throw new EndpointParseException(parsed.Kind, argument, $"Bad endpoint description '{description}': {e.Message}", e);
        }
    }

    /// <summary>Keywords by name, then positional arguments into the parameters left, in order (Twisted's <c>clientFromString</c> rule).</summary>
    private static EndpointArguments Bind<T>(Kind<T> kind, EndpointGrammar.Parsed parsed, string description)
    {
        var values = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (key, value) in parsed.Keywords)
        {
            var parameter = Array.Find(kind.Parameters, p => string.Equals(p, key, StringComparison.OrdinalIgnoreCase));
            if (parameter is null)
            {
                throw new EndpointParseException(parsed.Kind, key,
                    $"Bad endpoint description '{description}': kind '{parsed.Kind}' has no argument '{key}'; its arguments are: {string.Join(", ", kind.Parameters)}.");
            }

            if (!values.TryAdd(parameter, value))
            {
                throw new EndpointParseException(parsed.Kind, parameter,
                    $"Bad endpoint description '{description}': argument '{parameter}' of kind '{parsed.Kind}' is given twice.");
            }
        }

        var free = Array.FindAll(kind.Parameters, p => !values.ContainsKey(p));
        if (parsed.Positional.Count > free.Length)
        {
            throw new EndpointParseException(parsed.Kind, null,
                $"Bad endpoint description '{description}': kind '{parsed.Kind}' takes {free.Length} more positional argument(s), " +
                $"not {parsed.Positional.Count}; its arguments are, in order: {string.Join(", ", kind.Parameters)}.");
        }

        for (var i = 0; i < parsed.Positional.Count; i++)
        {
            values[free[i]] = parsed.Positional[i];
        }

        return new EndpointArguments(parsed.Kind, description, values);
    }

    private void Add<T>(Dictionary<string, Kind<T>> kinds, string role, string kind, IReadOnlyList<string> parameters, Func<IReactor, EndpointArguments, T> create)
    {
        ArgumentNullException.ThrowIfNull(kind);
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(create);
        if (!IsName(kind))
        {
            throw new ArgumentException($"'{kind}' is not a valid endpoint kind: use letters, digits, '-' and '_', starting with a letter.", nameof(kind));
        }

        var names = parameters.ToArray();
        foreach (var parameter in names)
        {
            if (parameter is null || !IsName(parameter))
            {
                throw new ArgumentException($"'{parameter}' is not a valid parameter name.", nameof(parameters));
            }
        }

        if (names.Distinct(StringComparer.OrdinalIgnoreCase).Count() != names.Length)
        {
            throw new ArgumentException("A parameter is listed twice.", nameof(parameters));
        }

        lock (_lock)
        {
            if (!kinds.TryAdd(kind, new Kind<T>(names, create)))
            {
                throw new InvalidOperationException($"A {role} endpoint kind '{kind}' is already registered.");
            }
        }
    }

    private IReadOnlyList<string> Names<T>(Dictionary<string, Kind<T>> kinds)
    {
        lock (_lock)
        {
            return [.. kinds.Keys.Select(k => k.ToLowerInvariant()).Order(StringComparer.Ordinal)];
        }
    }

    private static bool IsName(string name) =>
        name.Length > 0 && char.IsAsciiLetter(name[0]) && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');

    private sealed record Kind<T>(string[] Parameters, Func<IReactor, EndpointArguments, T> Create);
}
