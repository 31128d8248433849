#!/usr/bin/env bash
# The consumer test: the README's "Install" steps, literally, in a new folder outside the repository. It runs every line
# of the README's <!-- consumer-test: steps --> blocks (except `git clone`: the clone is this working tree, linked as
# ./reactor) and writes each <!-- consumer-test: <path> --> block to <path>, in README order, so the packages are packed
# with the documented command and restored through the documented nuget.config. Then, in that project:
#   - the README's echo server (its block marked samples/GettingStarted) builds against the package;
#   - an echo round trip on 127.0.0.1 runs;
#   - a protocol that throws, with no logger configured, prints the error on stderr (decision D41);
# and each package's own README (the one its package page shows) has only absolute links, and its example builds from a
# new project made the same way (ReactorNet.Hosting's after its README's own `dotnet add package` lines).
# Ends with "consumer test: PASS" (exit 0) or "consumer test: FAIL ..." (exit 1).
#
#   bash tests/consumer/run.sh
set -uo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# A package cache of its own, so every package really comes from the feed (never from an earlier pack of the same version).
export NUGET_PACKAGES="$work/packages"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

fail() {
  echo "consumer test: FAIL ($1)"
  exit 1
}

# Nothing above the new folder may configure its build (a newcomer's folder has no Directory.Build.props either).
for d in "$work" "$(dirname "$work")" /; do
  for f in Directory.Build.props Directory.Build.targets Directory.Packages.props; do
    [ ! -e "$d/$f" ] || fail "$d/$f would configure the consumer's build"
  done
done
ln -s "$root" "$work/reactor"

# The README's install steps as one script, in order.
steps="$work/install-steps.sh"
awk -v work="$work" '
  /^<!-- consumer-test: steps -->$/ { kind = "steps"; next }
  /^<!-- consumer-test: [^ ]+ -->$/ { kind = "file"; path = $3; next }
  kind != "" && /^```/ && !inside { inside = 1; if (kind == "file") print "cat > \"" work "/" path "\" <<'"'"'README_BLOCK'"'"'"; next }
  inside && /^```$/ { if (kind == "file") print "README_BLOCK"; inside = 0; kind = ""; next }
  inside && kind == "steps" && /^git clone / { next }
  inside { print }
' "$root/README.md" >"$steps"
grep -q "dotnet pack" "$steps" && grep -q "nuget.config" "$steps" && grep -q "dotnet add package ReactorNet" "$steps" \
  || fail "the README has no complete <!-- consumer-test --> install steps"
echo "== the README's install steps, in $work"
sed 's/^/   | /' "$steps"
(cd "$work" && bash -e "$steps") || fail "the README's install steps failed"

app="$work/EchoServer"
feed="$root/artifacts/packages"
version="$(sed -n 's/.*"ReactorNet\/\([^"]*\)".*/\1/p' "$app/obj/project.assets.json" | head -1)"
[ -n "$version" ] || fail "ReactorNet was not restored as a package"
[ -f "$NUGET_PACKAGES/reactornet/$version/reactornet.$version.nupkg" ] || fail "ReactorNet $version did not come from the feed"
for package in ReactorNet ReactorNet.Hosting; do
  [ -f "$feed/$package.$version.nupkg" ] && [ -f "$feed/$package.$version.snupkg" ] \
    || fail "no $package.$version.nupkg and .snupkg in artifacts/packages: one pack writes every package, with symbols"
done
echo "== ReactorNet $version restored from $feed"

build() { (cd "$1" && dotnet build --nologo -v:q -c Release -p:TreatWarningsAsErrors=true) >"$work/build.log" 2>&1 || { cat "$work/build.log"; fail "$2"; }; }

# 1. The README's echo server, as the README says: the Program.cs of that project.
awk '/<!-- snippet: samples\/GettingStarted\/Program.cs -->/ { marked = 1; next }
     marked && /^```csharp/ { inside = 1; next }
     inside && /^```/ { exit }
     inside { print }' "$root/README.md" >"$app/Program.cs"
[ -s "$app/Program.cs" ] || fail "no marked csharp block in README.md"
build "$app" "the README's echo server does not build against the package"
echo "== README echo server: builds ($(wc -l <"$app/Program.cs") lines)"

# 2. An echo round trip on 127.0.0.1 through the package.
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
build "$app" "the round-trip program does not build"
output="$(cd "$app" && dotnet bin/Release/net10.0/EchoServer.dll 2>&1)"
status=$?
echo "$output"
[ "$status" -eq 0 ] || fail "the round-trip program exited with $status"

# 3. A protocol that throws, and no logger configured: the error is on stderr, with its exception (decision D41).
cat >"$app/Program.cs" <<'CS'
using System.Net;
using Reactor;

using var reactor = ReactorFactory.Create();
var port = reactor.ListenUdp(0, new Faulty(), "127.0.0.1");
reactor.CallWhenRunning(() => port.Write("x"u8, port.GetHost()));
reactor.CallLater(TimeSpan.FromSeconds(1), reactor.Stop);
reactor.Run();

sealed class Faulty : DatagramProtocol
{
    public override void DatagramReceived(ReadOnlySpan<byte> datagram, IPEndPoint sender) =>
        throw new InvalidOperationException("a bug in DatagramReceived");
}
CS
build "$app" "the throwing-protocol program does not build"
stderr="$(cd "$app" && dotnet bin/Release/net10.0/EchoServer.dll 2>&1 >/dev/null)"
echo "== stderr of a throwing protocol with no logger configured:"
echo "$stderr" | head -3 | sed 's/^/   | /'
grep -q "\[Reactor.Udp\] error 204 ProtocolCallbackFailed: Unhandled Error in Faulty (UDP) DatagramReceived" <<<"$stderr" \
  && grep -q "System.InvalidOperationException: a bug in DatagramReceived" <<<"$stderr" \
  || fail "the throwing protocol's error is not on stderr"

# 4. Each package's README, as its package page shows it: its own, absolute links only, and its example builds.
for package in ReactorNet ReactorNet.Hosting; do
  readme="$work/$package.README.md"
  unzip -p "$feed/$package.$version.nupkg" README.md >"$readme" 2>/dev/null || fail "$package.$version.nupkg has no README.md"
  grep -q "^# $package\$" "$readme" || fail "$package carries a README that is not its own"
  relative="$(grep -oE '\]\([^)]*\)' "$readme" | grep -vE '^\]\((https?://|#)' || true)"
  [ -z "$relative" ] || fail "$package's README has links that do not work on a package page: $relative"

  project="$work/${package//./}Readme"
  (cd "$work" && dotnet new console -o "$project" >/dev/null && cp "$app/nuget.config" "$project/") || fail "cannot create $project"
  adds="$(awk '/^```sh$/ { inside = 1; next } inside && /^```$/ { inside = 0 } inside && /^dotnet add package / { print }' "$readme")"
  [ -n "$adds" ] || fail "$package's README says no dotnet add package"
  (cd "$project" && bash -e -c "$adds") >"$work/add.log" 2>&1 || { cat "$work/add.log"; fail "$package's README install lines failed"; }
  awk '/^```csharp$/ { inside = 1; next } inside && /^```$/ { exit } inside { print }' "$readme" >"$project/Program.cs"
  [ -s "$project/Program.cs" ] || fail "$package's README has no csharp example"
  build "$project" "$package's README example does not build against the package"
  echo "== $package README: its own, absolute links only, example builds after: $(tr '\n' ';' <<<"$adds")"
done

echo "consumer test: PASS (ReactorNet $version from the README's local feed, echo round trip on 127.0.0.1, errors on stderr with no logger, README and package README examples build)"
