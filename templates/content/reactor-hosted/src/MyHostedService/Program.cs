// A .NET Generic Host worker running a Reactor: a TCP echo and a UDP echo, listening where appsettings.json's
// "Reactor:Endpoints" says (endpoint descriptions such as tcp:8000:interface=127.0.0.1), or the environment:
//
//   dotnet run --project src/MyHostedService
//   Reactor__Endpoints__echo=tcp:8001 dotnet run --project src/MyHostedService
//
// The reactor's log (where each endpoint listens) goes through the host's logging; Ctrl+C or SIGTERM stops the host,
// which stops the reactor cleanly.
using Microsoft.Extensions.Hosting;
using MyHostedService;

var builder = Host.CreateApplicationBuilder(args);
builder.Services.AddEchoEndpoints();
await builder.Build().RunAsync();
