using System.Text.RegularExpressions;
using Reactor.Tests.Docs;

namespace Reactor.Tests.Api;

/// <summary>
/// The namespace rule of <c>docs/architecture.md</c>: the folders of the programming model (loop, time, Deferreds,
/// resolve, transports, exceptions) all declare <c>namespace Reactor;</c>, so one <c>using Reactor;</c> is enough to write
/// a protocol; everything else under <c>src/</c> is folder = namespace, which the build checks with IDE0130
/// (<c>.editorconfig</c>).
/// </summary>
public partial class NamespaceLayoutTests
{
    /// <summary>The folders of <c>src/Reactor</c> whose types are in the root namespace.</summary>
    internal static readonly string[] ProgrammingModelFolders = ["Loop", "Time", "Deferreds", "Resolve", "Udp", "Streams", "Tcp", "Unix", "Exceptions"];

    [Fact]
    public void Every_file_in_the_programming_model_folders_declares_namespace_Reactor()
    {
        var root = Path.Combine(DocSnippetTests.RepositoryRoot, "src", "Reactor");
        var wrong = new List<string>();
        var files = 0;
        foreach (var folder in ProgrammingModelFolders)
        {
            var directory = Path.Combine(root, folder);
            if (!Directory.Exists(directory))
            {
                continue;
            }

            foreach (var file in Directory.GetFiles(directory, "*.cs", SearchOption.AllDirectories))
            {
                files++;
                var namespaces = NamespaceDeclaration().Matches(File.ReadAllText(file)).Select(m => m.Groups[1].Value).ToList();
                if (namespaces is not ["Reactor"])
                {
                    wrong.Add($"{Path.GetRelativePath(root, file)}: {string.Join(", ", namespaces)}");
                }
            }
        }

        files.Should().BeGreaterThan(30, "the programming model folders hold the public API");
        wrong.Should().BeEmpty("a protocol author needs only `using Reactor;`");
    }

    [Fact]
    public void Public_types_live_in_Reactor_or_in_an_opt_in_layer_named_after_its_folder()
    {
        // The opt-in layers docs/architecture.md names: Reactor.Testing, Reactor.Protocols, Reactor.Tls, Reactor.Endpoints.
        var allowed = new HashSet<string> { "Reactor", "Reactor.Testing", "Reactor.Protocols", "Reactor.Tls", "Reactor.Endpoints" };
        var strays = typeof(IReactor).Assembly.GetExportedTypes()
            .Where(t => !allowed.Contains(t.Namespace ?? ""))
            .Select(t => t.FullName)
            .ToList();
        strays.Should().BeEmpty();

        var layers = typeof(IReactor).Assembly.GetExportedTypes().Select(t => t.Namespace!).Where(n => n != "Reactor").Distinct();
        foreach (var layer in layers)
        {
            Directory.Exists(Path.Combine(DocSnippetTests.RepositoryRoot, "src", "Reactor", layer["Reactor.".Length..]))
                .Should().BeTrue($"the opt-in layer {layer} lives in the folder of the same name");
        }
    }

    [Fact]
    public void The_loop_names_no_transport()
    {
        // The loop's files (Internal/ root) track open resources through IOpenResource and get sockets from
        // ISocketFactory; only each transport's entry-point partial (ReactorBase.Udp.cs, ReactorBase.Tcp.cs, ...) names
        // its transport's types.
        var loop = Path.Combine(DocSnippetTests.RepositoryRoot, "src", "Reactor", "Internal");
        var transportEntryPoint = TransportEntryPoint();
        var mentions = Directory.GetFiles(loop, "*.cs")
            .Where(f => !transportEntryPoint.IsMatch(Path.GetFileName(f)))
            .SelectMany(f => TransportType().Matches(File.ReadAllText(f)).Select(m => $"{Path.GetFileName(f)}: {m.Value}"))
            .ToList();
        mentions.Should().BeEmpty();
    }

    [Fact]
    public void Every_public_API_file_declares_one_type_named_after_it()
    {
        // One concept per file: a file of the public API (src/*/ outside Internal/) declares one top-level type and is
        // named after it. A partial adds a suffix (MemoryReactor.Udp.cs); Deferred<T> is DeferredOfT.cs.
        var src = Path.Combine(DocSnippetTests.RepositoryRoot, "src");
        var wrong = new List<string>();
        var files = 0;
        foreach (var file in Directory.EnumerateFiles(src, "*.cs", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(src, file);
            if (relative.Split(Path.DirectorySeparatorChar).Any(part => part is "Internal" or "bin" or "obj"))
            {
                continue;
            }

            files++;
            var types = TopLevelType().Matches(File.ReadAllText(file)).Select(m => m.Groups[1].Value).ToList();
            var stem = Path.GetFileName(file).Split('.')[0];
            stem = stem.EndsWith("OfT", StringComparison.Ordinal) ? stem[..^3] : stem;
            if (types.Count != 1 || types[0] != stem)
            {
                wrong.Add($"{relative}: {string.Join(", ", types)}");
            }
        }

        files.Should().BeGreaterThan(40);
        wrong.Should().BeEmpty();
    }

    [GeneratedRegex(@"^ReactorBase\.(Udp|Tcp|Unix|Socket)\.cs$")]
    private static partial Regex TransportEntryPoint();

    [GeneratedRegex(@"\b\w*(Udp|Datagram|Multicast|Tcp|StreamSocket|Listen(Udp|Tcp|Unix))\w*\b")]
    private static partial Regex TransportType();

    /// <summary>A type declared at the top of a file (file-scoped namespaces put them in column 0; nested types are indented).</summary>
    [GeneratedRegex(@"^(?:(?:public|internal|sealed|static|abstract|readonly|partial|file)\s+)*(?:class|interface|enum|struct|record(?:\s+struct|\s+class)?)\s+(\w+)", RegexOptions.Multiline)]
    private static partial Regex TopLevelType();

    [GeneratedRegex(@"^namespace\s+([\w.]+)\s*[;{]", RegexOptions.Multiline)]
    private static partial Regex NamespaceDeclaration();
}
