#!/usr/bin/env bash
# 10,000 concurrent connections held by one TcpEcho reactor, each answered once a second (issue 17).
#
#   tests/hostile/tcp_10k.sh [--connections 10000] [--seconds 60] [--sources 40] [--backlog 1024] [--server path/TcpEcho.dll]
#
# Compiles tests/hostile/tcp_10k.c (cc -O2; one thread, epoll), raises the open-files limit (ulimit -n 19000; the hard
# limit here is 20,000), starts TcpEcho (--endpoint tcp:0:interface=127.0.0.1:backlog=1024 --quiet --accounting: a listen
# backlog for a server expecting thousands of clients, rather than Twisted's 50; REACTOR_BACKEND as the environment says,
# epoll by default on Linux) and runs the driver: every connection opened from 127.0.0.2..127.0.0.41,
# each sending a 16-byte message once a second, staggered, and checking its echo. Then SIGTERM, and the server's
# accounting must say every connection was opened and closed, none open at the stop, exit code 0.
# Prints the driver's summary, the server's accounting, and "tcp_10k: PASS" (exit 0) or "tcp_10k: FAIL" (exit 1);
# without a C compiler, "tcp_10k: SKIPPED" (exit 0). .ci/run runs 2,000 connections for 5 s on each backend.
set -uo pipefail
cd "$(dirname "$0")/../.."

connections=10000
seconds=60
sources=40
backlog=1024
server=samples/TcpEcho/bin/Release/net10.0/TcpEcho.dll
while [ $# -gt 0 ]; do
  case "$1" in
    --connections) connections="$2"; shift 2 ;;
    --seconds) seconds="$2"; shift 2 ;;
    --sources) sources="$2"; shift 2 ;;
    --server) server="$2"; shift 2 ;;
    --backlog) backlog="$2"; shift 2 ;;
    *) echo "usage: tests/hostile/tcp_10k.sh [--connections N] [--seconds N] [--sources N] [--backlog N] [--server TcpEcho.dll]" >&2; exit 2 ;;
  esac
done
command -v cc >/dev/null || { echo "tcp_10k: SKIPPED — no C compiler (cc) for the driver"; exit 0; }
[ -f "$server" ] || { echo "tcp_10k: FAIL — $server not found (dotnet build Reactor.sln -c Release)"; exit 1; }

work=$(mktemp -d)
server_pid=
cleanup() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then kill -KILL "$server_pid"; fi
  rm -rf "$work"
}
trap cleanup EXIT

cc -O2 -Wall -Werror -o "$work/tcp_10k" tests/hostile/tcp_10k.c || { echo "tcp_10k: FAIL — the driver did not compile"; exit 1; }
ulimit -n 19000 || { echo "tcp_10k: FAIL — cannot raise the open-files limit to 19,000"; exit 1; }

mkfifo "$work/out"
dotnet "$server" --endpoint "tcp:0:interface=127.0.0.1:backlog=$backlog" --quiet --accounting >"$work/out" 2>"$work/err" &
server_pid=$!
exec 3<"$work/out"
port=
if read -r -t 30 line <&3; then port=${line##* }; fi
case "$port" in ''|*[!0-9]*) echo "tcp_10k: FAIL — the server did not start: $line $(cat "$work/err")"; exit 1 ;; esac
sleep 0.5

"$work/tcp_10k" "$port" "$server_pid" "$connections" "$seconds" "$sources"
driver=$?
sleep 2 # the server sees every close before the stop

kill -TERM "$server_pid"
accounting=
while read -r -t 60 line <&3; do
  case "$line" in connections\ *) accounting=$line ;; esac
done
wait "$server_pid"
exit_code=$?
server_pid=
echo "server: $accounting"
echo "server exit code: $exit_code"
if [ -s "$work/err" ]; then echo "server stderr:"; head -20 "$work/err"; fi

opened=$(sed -n 's/.* opened=\([0-9]*\).*/\1/p' <<<"$accounting")
closed=$(sed -n 's/.* closed=\([0-9]*\).*/\1/p' <<<"$accounting")
open_at_stop=$(sed -n 's/.* open_at_stop=\([0-9]*\).*/\1/p' <<<"$accounting")
if [ "$driver" -eq 0 ] && [ "$exit_code" -eq 0 ] && [ "$opened" = "$connections" ] && [ "$closed" = "$connections" ] && [ "$open_at_stop" = 0 ]; then
  echo "tcp_10k: PASS"
  exit 0
fi
echo "tcp_10k: FAIL"
exit 1
