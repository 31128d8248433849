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
        var allowed = new HashSet<string> { "Reactor", "Reactor.Testing" };
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

    [GeneratedRegex(@"^ReactorBase\.(Udp|Tcp|Unix)\.cs$")]
    private static partial Regex TransportEntryPoint();

    [GeneratedRegex(@"\b\w*(Udp|Datagram|Multicast|Tcp|StreamSocket|Listen(Udp|Tcp|Unix))\w*\b")]
    private static partial Regex TransportType();

    [GeneratedRegex(@"^namespace\s+([\w.]+)\s*[;{]", RegexOptions.Multiline)]
    private static partial Regex NamespaceDeclaration();
}
