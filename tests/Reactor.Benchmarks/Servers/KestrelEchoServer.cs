using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Reactor.Benchmarks.Servers;

/// <summary>
/// The Kestrel baseline: the best .NET transport, as a raw TCP server the way ASP.NET Core documents it —
/// <c>ListenOptions.UseConnectionHandler</c> with a <see cref="ConnectionHandler"/> that echoes (<c>ReadAsync</c>, write
/// every segment, <c>AdvanceTo</c>, <c>FlushAsync</c>), Kestrel's socket transport with its defaults.
/// </summary>
/// <remarks>
/// <c>--inline</c> sets <c>UnsafePreferInlineScheduling</c> (the runner adds <c>DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1</c>,
/// as its documentation asks): no thread-pool hops, the fastest Kestrel can be made. <c>--tls</c> puts
/// <c>UseHttps</c> (TLS 1.3 only, a fresh P-256 certificate) in front of the handler. Prints "Echo starting on
/// &lt;port&gt;" once listening; with <c>--stats</c>, the TcpEcho sample's statistics line at SIGTERM.
/// </remarks>
internal static class KestrelEchoServer
{
    public static int Run(string[] args)
    {
        var arguments = ServerArguments.Parse(args, "usage: kestrel-echo [--port 0] [--interface 127.0.0.1] [--stats] [--inline] [--tls]", "--inline", "--tls");
        if (arguments is null)
        {
            return 2;
        }

        var stats = arguments.Stats ? new StreamStats() : null;
        var tls = arguments.Flags.Contains("--tls");
        var certificate = tls ? BenchmarkCertificate.Create() : null;
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(new EchoHandlerOptions(stats));
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(2));
        builder.WebHost.UseSockets(o => o.UnsafePreferInlineScheduling = arguments.Flags.Contains("--inline"));
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Listen(arguments.Address, arguments.Port, listen =>
            {
                if (certificate is not null)
                {
                    listen.UseHttps(new HttpsConnectionAdapterOptions
                    {
                        ServerCertificate = certificate,
                        SslProtocols = System.Security.Authentication.SslProtocols.Tls13,
                    });
                }

                listen.UseConnectionHandler<EchoHandler>();
            });
        });

        using var app = builder.Build();
        app.Lifetime.ApplicationStopping.Register(() =>
        {
            if (stats is not null)
            {
                Console.WriteLine(stats.Close());
            }
        });
        app.Start();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        Console.WriteLine($"Echo starting on {new Uri(address).Port}");
        app.WaitForShutdown();
        return 0;
    }

    /// <summary>What the handler shares (the statistics), from the container.</summary>
    internal sealed record EchoHandlerOptions(StreamStats? Stats);

    /// <summary>The echo, as a Kestrel connection handler.</summary>
    internal sealed class EchoHandler(EchoHandlerOptions options) : ConnectionHandler
    {
        public override async Task OnConnectedAsync(ConnectionContext connection)
        {
            var input = connection.Transport.Input;
            var output = connection.Transport.Output;
            try
            {
                while (true)
                {
                    var result = await input.ReadAsync().ConfigureAwait(false);
                    var buffer = result.Buffer;
                    options.Stats?.Count((int)buffer.Length);
                    foreach (var segment in buffer)
                    {
                        output.Write(segment.Span);
                    }

                    input.AdvanceTo(buffer.End);
                    var flush = await output.FlushAsync().ConfigureAwait(false);
                    if (result.IsCompleted || flush.IsCompleted)
                    {
                        break;
                    }
                }
            }
            catch (ConnectionResetException)
            {
            }
            catch (IOException)
            {
            }
        }
    }
}
