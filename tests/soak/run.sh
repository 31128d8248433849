#!/usr/bin/env bash
# The soak run (issue 7): UDP echo, multicast, timers and TCP and TLS echo connections together under load, in one process, for a bounded time, then a
# report (datagrams handled, TCP/TLS connections and bytes, drops by reason, RSS and descriptors at start and end, timer lateness p50/p99/max) and a
# verdict line. Exit code 0 = no growth beyond the margins and no lost timers.
#
#   tests/soak/run.sh [--minutes N | --seconds N] [--report-seconds N] [--configuration Release|Debug]
#
# Default: 10 minutes, Release. It runs inside a private network namespace (unshare -rn) whose only interface is its
# own loopback, with multicast routed to lo there, so no real interface ever sees a datagram. Without user namespaces
# it skips with a message and exit code 0 (prints "soak: SKIPPED").
set -uo pipefail
cd "$(dirname "$0")/../.."

configuration=Release
args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --configuration) configuration="$2"; shift 2 ;;
    --minutes|--seconds|--report-seconds) args+=("$1" "$2"); shift 2 ;;
    *) echo "usage: tests/soak/run.sh [--minutes N | --seconds N] [--report-seconds N] [--configuration C]" >&2; exit 2 ;;
  esac
done

if ! unshare -rn true >/dev/null 2>&1; then
  echo "soak: SKIPPED — network namespaces are unavailable here (unshare -rn failed); the soak needs a private loopback"
  exit 0
fi

dotnet build tests/Reactor.Soak -c "$configuration" -warnaserror -v quiet -nologo >/dev/null || { echo "soak: FAIL — build failed"; exit 1; }
dll="tests/Reactor.Soak/bin/$configuration/net10.0/Reactor.Soak.dll"

# The namespace's lo: up, multicast on, 224.0.0.0/4 routed to it. Never a real interface.
exec unshare -rn bash -c 'ip link set lo up && ip link set lo multicast on && ip route add 224.0.0.0/4 dev lo \
  && exec dotnet "$0" "$@"' "$dll" "${args[@]}"
