// The Echo server as a .NET Generic Host application: the reactor runs as a hosted service (Reactor.Hosting), logs
// through the host's logging, and stops with the host.
//
//   dotnet run --project samples/HostedEcho -- [--port 9999] [--interface 0.0.0.0]
//
// Prints "Echo starting on <port>" once listening (so --port 0 is usable) and "Echo stopped" when its port has closed.
// Ctrl+C or SIGTERM stops the host, which stops the reactor cleanly.
//
// Its endpoints are named in the host's configuration (docs/hosting.md): "udp", the UDP echo, defaults to --port and
// --interface; "tcp", a TCP echo, is served only when configured, and prints "TCP echo starting on <address>". Set them
// in appsettings.json ("Reactor": { "Endpoints": { "tcp": "tcp:8000:interface=127.0.0.1" } }) or in the environment:
//
//   Reactor__Endpoints__tcp=tcp:8000 Reactor__Endpoints__udp=udp:9999:interface=127.0.0.1 dotnet run --project samples/HostedEcho
//
// With the configuration key Reactor:Telemetry:Console=true (Reactor__Telemetry__Console=true in the environment),
// OpenTelemetry collects the "Reactor" meter and traces and the console exporter prints them (every
// Reactor:Telemetry:IntervalSeconds, default 10, and at exit); without it the output is only the lines above.
using System.Globalization;
using System.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using Reactor;
using Reactor.Endpoints;
using Reactor.Samples;

var arguments = SampleArguments.Parse(args, "usage: HostedEcho [--port 9999] [--interface 0.0.0.0]", ["--port", "--interface"]);
var port = arguments.GetInt("--port", 9999, 0, 65535);
var @interface = arguments.Get("--interface", "0.0.0.0");

var builder = Host.CreateApplicationBuilder();
builder.Services.AddReactor();

// <snippet hosted-echo-opentelemetry>
if (builder.Configuration.GetValue<bool>("Reactor:Telemetry:Console"))
{
    var interval = builder.Configuration.GetValue("Reactor:Telemetry:IntervalSeconds", 10);
    builder.Services.AddOpenTelemetry()
        .WithMetrics(metrics => metrics
            .AddMeter("Reactor")
            .AddConsoleExporter((_, reader) => reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = interval * 1000))
        .WithTracing(tracing => tracing
            .AddSource("Reactor")
            .AddConsoleExporter());
}
// </snippet>

// Listens once the reactor runs; an endpoint that cannot listen (port in use, ...) fails the host's start.
// maxPacketSize 65535: every datagram UDP can carry comes back whole.
builder.Services.AddReactorDatagramEndpoint(
    "udp",
    _ => new Echo(),
    defaultDescription: string.Create(CultureInfo.InvariantCulture, $"udp:{port}:interface={Endpoint.QuoteStringArgument(@interface)}:maxPacketSize=65535"),
    listening: transport => Console.WriteLine($"Echo starting on {transport.GetHost().Port}"));
if (builder.Configuration[$"{ReactorServiceCollectionExtensions.ConfigurationSection}:tcp"] is not null)
{
    builder.Services.AddReactorEndpoint(
        "tcp",
        _ => Factory.ForProtocol(() => new TcpEcho()),
        listening: listening => Console.WriteLine($"TCP echo starting on {listening.GetHost()}"));
}

try
{
    await builder.Build().RunAsync();
}
catch (Exception e) when (e is CannotListenException or InvalidAddressException or EndpointParseException)
{
    Console.Error.WriteLine(e.Message);
    return 1;
}

return 0;

/// <summary>Every datagram goes back to its sender unchanged.</summary>
internal sealed class Echo : DatagramProtocol
{
    public override void DatagramReceived(ReadOnlySpan<byte> datagram, IPEndPoint sender) =>
        Transport!.Write(datagram, sender);

    public override void StopProtocol() => Console.WriteLine("Echo stopped");
}

/// <summary>Every byte a client sends goes back to it.</summary>
internal sealed class TcpEcho : Protocol
{
    public override void DataReceived(ReadOnlySpan<byte> data) => Transport!.Write(data);
}
