#!/usr/bin/env bash
# The consumer test: packs the library, then builds and runs a fresh console project OUTSIDE the solution that takes
# Reactor as a NuGet package (a PackageReference resolved from a local folder feed, not a project reference),
# subclasses DatagramProtocol and completes an echo round trip on 127.0.0.1; then builds the README's echo server the
# same way. Ends with "consumer test: PASS" (exit 0)
# or "consumer test: FAIL ..." (exit 1).
#
#   bash tests/consumer/run.sh            # packs into a temporary feed, removed afterwards
#   PACKAGES_DIR=artifacts/packages bash tests/consumer/run.sh   # keeps the packages there
set -uo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
feed="${PACKAGES_DIR:-$work/feed}"
mkdir -p "$feed"
feed="$(cd "$feed" && pwd)"

fail() {
  echo "consumer test: FAIL ($1)"
  exit 1
}

echo "== pack (Release) into $feed"
for project in "$root"/src/*/*.csproj; do
  dotnet pack "$project" -c Release -o "$feed" --nologo -v:q || fail "dotnet pack $(basename "$project") failed"
done

nupkg="$(ls "$feed"/Reactor.[0-9]*.nupkg 2>/dev/null | grep -v '\.snupkg$' | sort -V | tail -1)"
[ -n "$nupkg" ] || fail "no Reactor.<version>.nupkg in $feed"
version="$(basename "$nupkg" .nupkg)"
version="${version#Reactor.}"
[ -f "$feed/Reactor.$version.snupkg" ] || fail "no symbols package Reactor.$version.snupkg"
for package in Reactor.Hosting; do
  [ -f "$feed/$package.$version.nupkg" ] && [ -f "$feed/$package.$version.snupkg" ] \
    || fail "no $package.$version.nupkg and .snupkg: every package under src/ is packed with the same version"
done
echo "== packages Reactor and Reactor.Hosting $version"

# A project of its own: no Directory.Build.props, Directory.Packages.props or NuGet settings from the repository or
# above, and a packages folder of its own, so the package is really restored from the feed (never from a cache of
# an earlier run with the same version).
app="$work/app"
mkdir -p "$app"
cat >"$work/Directory.Build.props" <<'XML'
<Project />
XML
cat >"$work/Directory.Packages.props" <<'XML'
<Project />
XML
cat >"$work/nuget.config" <<XML
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <config>
    <add key="globalPackagesFolder" value="$work/packages" />
  </config>
  <packageSources>
    <clear />
    <add key="local" value="$feed" />
    <add key="nuget.org" value="https://api.nuget.org/v3/index.json" protocolVersion="3" />
  </packageSources>
  <!-- Reactor only ever from the local feed, whatever a public feed may hold under that name. -->
  <packageSourceMapping>
    <packageSource key="local">
      <package pattern="Reactor" />
      <package pattern="Reactor.*" />
    </packageSource>
    <packageSource key="nuget.org">
      <package pattern="*" />
    </packageSource>
  </packageSourceMapping>
</configuration>
XML
cat >"$app/Consumer.csproj" <<XML
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <OutputType>Exe</OutputType>
    <TargetFramework>net10.0</TargetFramework>
    <Nullable>enable</Nullable>
    <ImplicitUsings>enable</ImplicitUsings>
    <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
  </PropertyGroup>
  <ItemGroup>
    <PackageReference Include="Reactor" Version="$version" />
  </ItemGroup>
</Project>
XML
cat >"$app/Program.cs" <<'CS'
using System.Net;
using System.Text;
using Reactor;

using var reactor = ReactorFactory.Create();
var server = reactor.ListenUdp(0, new Echo(), "127.0.0.1");
var client = new Client(new IPEndPoint(IPAddress.Loopback, server.GetHost().Port), reactor);
reactor.ListenUdp(0, client, "127.0.0.1");
reactor.CallLater(TimeSpan.FromSeconds(10), () =>
{
    Console.WriteLine("no echo within 10 seconds");
    reactor.Stop();
});
reactor.Run();
Console.WriteLine(client.Reply == "ping" ? "echo round trip: ok" : $"echo round trip: got {client.Reply ?? "nothing"}");
return client.Reply == "ping" ? 0 : 1;

sealed class Echo : DatagramProtocol
{
    public override void DatagramReceived(ReadOnlySpan<byte> datagram, IPEndPoint sender) =>
        Transport!.Write(datagram, sender);
}

sealed class Client(IPEndPoint server, IReactor reactor) : DatagramProtocol
{
    public string? Reply { get; private set; }

    public override void StartProtocol() => Transport!.Write("ping"u8, server);

    public override void DatagramReceived(ReadOnlySpan<byte> datagram, IPEndPoint sender)
    {
        Reply = Encoding.UTF8.GetString(datagram);
        reactor.Stop();
    }
}
CS

echo "== restore, build and run $app (outside the solution)"
(cd "$app" && dotnet restore --nologo -v:q) || fail "restore of Reactor $version from the local feed failed"
grep -q "\"Reactor/$version\"" "$app/obj/project.assets.json" || fail "Reactor $version was not restored as a package"
[ -f "$work/packages/reactor/$version/reactor.$version.nupkg" ] || fail "Reactor $version did not come from the feed"
(cd "$app" && dotnet build --nologo -v:q --no-restore -c Release) || fail "the consumer project does not build"
output="$(cd "$app" && timeout 60 dotnet bin/Release/net10.0/Consumer.dll 2>&1)"
status=$?
echo "$output"
[ "$status" -eq 0 ] || fail "the consumer program exited with $status"
# The README's echo server (its csharp block marked as samples/GettingStarted), built as the Program.cs of another fresh
# project: the program a user copies compiles against the package as published.
readme="$work/readme"
mkdir -p "$readme"
sed "s/Consumer/Readme/" "$app/Consumer.csproj" >"$readme/Readme.csproj"
awk '/<!-- snippet: samples\/GettingStarted\/Program.cs -->/ { marked = 1; next }
     marked && /^```csharp/ { inside = 1; next }
     inside && /^```/ { exit }
     inside { print }' "$root/README.md" >"$readme/Program.cs"
[ -s "$readme/Program.cs" ] || fail "no marked csharp block in README.md"
(cd "$readme" && dotnet build --nologo -v:q -c Release) || fail "the README's echo server does not build against the package"
echo "README echo server: builds ($(wc -l <"$readme/Program.cs") lines)"

echo "consumer test: PASS (Reactor $version from a local feed, echo round trip on 127.0.0.1, README example builds)"
