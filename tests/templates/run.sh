#!/usr/bin/env bash
# The templates test: the ReactorNet.Templates package as a user gets it. In a new folder outside the repository, with
# a private template hive, CLI home and NuGet package cache (the machine's installed templates and packages are
# untouched, and every ReactorNet package really comes from the local feed), it installs the packed template package
# from artifacts/packages, then for each template (reactor-udp, reactor-tcp, reactor-hosted): instantiates it with
# --Feed pointing at artifacts/packages, checks that it references the ReactorNet packages of the version packed and
# has its README, builds it (warnings as errors) and runs its tests with `dotnet test`.
# Prints "templates test: <template>: PASS" or "...: FAIL (why)" per template, and ends with "templates test: PASS"
# (exit 0) or "templates test: FAIL ..." (exit 1).
#
#   bash tests/templates/run.sh            # packs first (dotnet pack -c Release at the root: every package)
#   bash tests/templates/run.sh --no-pack  # uses the packages already in artifacts/packages (CI: the consumer test's)
set -uo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
export NUGET_PACKAGES="$work/packages" DOTNET_CLI_HOME="$work/home"
hive="$work/hive"
feed="$root/artifacts/packages"
templates=(reactor-udp reactor-tcp reactor-hosted)

fail() {
  echo "templates test: FAIL ($1)"
  exit 1
}

# Nothing above the new folder may configure its build (a newcomer's folder has no Directory.Build.props either).
for d in "$work" "$(dirname "$work")" /; do
  for f in Directory.Build.props Directory.Build.targets Directory.Packages.props; do
    [ ! -e "$d/$f" ] || fail "$d/$f would configure the templates' builds"
  done
done

version="$(cd "$root" && dotnet msbuild src/Reactor/Reactor.csproj -getProperty:PackageVersion -p:Configuration=Release 2>/dev/null | tr -d '[:space:]')"
[ -n "$version" ] || fail "cannot read the package version"
if [ "${1:-}" != "--no-pack" ]; then
  echo "== dotnet pack -c Release ($root)"
  (cd "$root" && dotnet pack -c Release --nologo -v:q) >"$work/pack.log" 2>&1 || { cat "$work/pack.log"; fail "dotnet pack failed"; }
fi
for package in ReactorNet ReactorNet.Hosting ReactorNet.Templates; do
  [ -f "$feed/$package.$version.nupkg" ] || fail "no $package.$version.nupkg in artifacts/packages (dotnet pack -c Release at the root writes it)"
done

echo "== dotnet new install ReactorNet.Templates.$version.nupkg (hive $hive)"
dotnet new install "$feed/ReactorNet.Templates.$version.nupkg" --debug:custom-hive "$hive" >"$work/install.log" 2>&1 \
  || { cat "$work/install.log"; fail "dotnet new install failed"; }
for template in "${templates[@]}"; do
  grep -q "$template" "$work/install.log" || { cat "$work/install.log"; fail "the package did not install $template"; }
done

failed=""
for template in "${templates[@]}"; do
  name="$(sed -E 's/(^|-)([a-z])/\U\2/g' <<<"$template")App"   # reactor-tcp -> ReactorTcpApp
  out="$work/$name"
  log="$work/$template.log"
  why=""
  if ! (cd "$work" && dotnet new "$template" -o "$name" --Feed "$feed" --debug:custom-hive "$hive") >"$log" 2>&1; then
    why="dotnet new $template failed"
  elif [ ! -s "$out/README.md" ] || [ ! -f "$out/nuget.config" ] || [ ! -f "$out/$name.slnx" ]; then
    why="no README.md, nuget.config or $name.slnx in what it made"
  elif ! grep -rqs --include='*.csproj' "Include=\"ReactorNet[.A-Za-z]*\" Version=\"$version\"" "$out/src"; then
    why="its project does not reference the ReactorNet packages at $version"
  elif grep -rqsE "MyUdpService|MyTcpService|MyHostedService|REACTOR_VERSION|REACTOR_FEED" "$out"; then
    why="a placeholder was left unreplaced: $(grep -rlE 'MyUdpService|MyTcpService|MyHostedService|REACTOR_VERSION|REACTOR_FEED' "$out" | head -3 | tr '\n' ' ')"
  elif ! (cd "$out" && dotnet test -c Release -p:TreatWarningsAsErrors=true --nologo) >>"$log" 2>&1; then
    why="dotnet test failed"
  elif ! ls -d "$NUGET_PACKAGES"/reactornet*/"$version" >/dev/null 2>&1; then
    why="ReactorNet $version was not restored from the feed"
  fi
  summary="$(grep -E '^(Passed|Failed)!' "$log" | sed -E 's/.*Failed: +([0-9]+), Passed: +([0-9]+).*/\2 tests passed, \1 failing/' | head -1)"
  if [ -z "$why" ]; then
    echo "templates test: $template: PASS (dotnet new $template -o $name; dotnet test: ${summary:-no summary})"
  else
    sed 's/^/   | /' "$log" | tail -40
    echo "templates test: $template: FAIL ($why)"
    failed="$failed $template"
  fi
done

[ -z "$failed" ] || fail "failed:$failed"
echo "templates test: PASS (ReactorNet.Templates $version from artifacts/packages: ${templates[*]} each instantiated, built and tested)"
