using System.Globalization;
using System.Net;

namespace Reactor.Benchmarks.Servers;

/// <summary>The options every benchmark-side TCP server takes: <c>--port 0 --interface 127.0.0.1 --stats</c> and flags of its own.</summary>
internal sealed class ServerArguments
{
    private ServerArguments()
    {
    }

    public int Port { get; private set; }

    public IPAddress Address { get; private set; } = IPAddress.Loopback;

    public bool Stats { get; private set; }

    public HashSet<string> Flags { get; } = [];

    /// <summary>Parses <paramref name="args"/>; returns null (having printed <paramref name="usage"/>) when they are wrong.</summary>
    public static ServerArguments? Parse(string[] args, string usage, params string[] flags)
    {
        var parsed = new ServerArguments();
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--port" when i + 1 < args.Length:
                    parsed.Port = int.Parse(args[++i], CultureInfo.InvariantCulture);
                    break;
                case "--interface" when i + 1 < args.Length:
                    parsed.Address = IPAddress.Parse(args[++i]);
                    break;
                case "--stats":
                    parsed.Stats = true;
                    break;
                case "--quiet":
                    break;
                case var flag when flags.Contains(flag):
                    parsed.Flags.Add(flag);
                    break;
                default:
                    Console.Error.WriteLine(usage);
                    return null;
            }
        }

        return parsed;
    }
}
