#!/usr/bin/env bash
# Multi-host multicast tests: four "hosts" (network namespaces) joined by a bridge that lives in a fifth, "switch",
# namespace; the multicast samples (and Twisted's and the plain-socket seed's programs, in peers/) run as separate
# processes on different hosts. Nothing is attached to the machine's real interfaces and there is no route out: every
# datagram stays on the private bridge. See README.md in this folder.
#
#   sudo bash tests/multihost/run.sh [Configuration]     (default: $CONFIGURATION, else Release)
#
# Expects the samples already built (dotnet build Reactor.sln -c <Configuration>). Prints "PASS <name>" or
# "FAIL <name>: <why>" per scenario (a failure also prints the logs of that scenario's processes), and ends with
# "multihost: N passed, M failed"; exits non-zero when a scenario failed. MULTIHOST_KEEP_LOGS=1 keeps every process's
# output (the folder is named at the end). Without root or network namespaces it prints
# "SKIP: ..." and exits 0. Everything it creates (namespaces, links, processes, a mktemp -d folder) is removed on exit.
set -euo pipefail

configuration="${1:-${CONFIGURATION:-Release}}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
peers="$root/tests/multihost/peers"
python="${PYTHON:-/usr/bin/python3}"   # Debian's python3, which has python3-twisted (the one on PATH may not)

skip() {
  echo "SKIP: multihost tests: $1"
  echo "multihost: 0 passed, 0 failed"
  exit 0
}

if [ "$(id -u)" != "0" ]; then
  skip "need root to create network namespaces (run: sudo bash tests/multihost/run.sh)"
fi
for tool in ip ss timeout dotnet; do
  command -v "$tool" >/dev/null 2>&1 || skip "'$tool' is not installed"
done
[ -x "$python" ] || skip "$python is not installed (set PYTHON to a Python 3)"

declare -A dll
for sample in MulticastServer MulticastClient MulticastSender MulticastReceiver; do
  dll[$sample]="$root/samples/$sample/bin/$configuration/net10.0/$sample.dll"
  if [ ! -f "${dll[$sample]}" ]; then
    echo "error: ${dll[$sample]} is missing; build the samples first: dotnet build Reactor.sln -c $configuration"
    echo "multihost: 0 passed, 1 failed"
    exit 1
  fi
done
have_twisted=1
timeout 20 "$python" -c "import twisted.internet" >/dev/null 2>&1 || have_twisted=0

# ---------------------------------------------------------------------------------------------------------------------
# What this run creates, and its removal.

tag="reactor-mh-$$"
switch="$tag-sw"
hosts=("$tag-h1" "$tag-h2" "$tag-h3" "$tag-h4")
namespaces=()
started=()           # PIDs of the `timeout` wrappers of every process started here
declare -A reaped    # those of them already waited for (their PIDs may have been reused since: never signal them)
work=""

cleanup() {
  set +e
  local pid i alive
  local running=()
  for pid in "${started[@]}"; do
    [ -z "${reaped[$pid]:-}" ] && running+=("$pid")
  done
  for pid in "${running[@]}"; do
    kill -TERM "$pid" 2>/dev/null
  done
  for ((i = 0; i < 30; i++)); do
    alive=0
    for pid in "${running[@]}"; do
      kill -0 "$pid" 2>/dev/null && alive=1
    done
    [ "$alive" = 0 ] && break
    sleep 0.1
  done
  for pid in "${running[@]}"; do
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
  done
  for ns in "${namespaces[@]}"; do
    timeout 10 ip netns del "$ns" 2>/dev/null || echo "warning: could not remove namespace $ns"
  done
  if [ -n "$work" ] && [ -n "${MULTIHOST_KEEP_LOGS:-}" ]; then
    echo "multihost: logs kept in $work"
  elif [ -n "$work" ]; then
    rm -rf "$work"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

work="$(mktemp -d "${TMPDIR:-/tmp}/reactor-multihost.XXXXXX")"

ipc() { timeout 10 ip "$@"; }

if ! ipc netns add "$switch" 2>"$work/netns.err"; then
  skip "'ip netns add' failed: $(head -1 "$work/netns.err")"
fi
namespaces+=("$switch")

# ---------------------------------------------------------------------------------------------------------------------
# Topology: h1..h4 each have mh0 (198.18.0.N/24, fd00:6d68::N/64) = veth = pN on br0 in the switch namespace.

setup() {
  local i ns
  ipc netns exec "$switch" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
  ipc -n "$switch" link set lo up
  # No IGMP/MLD snooping: the bridge floods every group to every port, so it is the hosts' own membership (not the
  # switch) that decides who receives a group.
  ipc -n "$switch" link add name br0 type bridge mcast_snooping 0
  ipc -n "$switch" link set br0 up
  for i in 1 2 3 4; do
    ns="${hosts[$((i - 1))]}"
    ipc netns add "$ns"
    namespaces+=("$ns")
    # Both ends are created inside the switch namespace, then one end moves into the host: no link ever exists in
    # the machine's own namespace.
    ipc -n "$switch" link add name "p$i" type veth peer name "mh$i"
    ipc -n "$switch" link set "mh$i" netns "$ns"
    ipc -n "$ns" link set "mh$i" name mh0
    ipc -n "$switch" link set "p$i" master br0
    ipc -n "$switch" link set "p$i" up
    ipc -n "$ns" link set lo up
    ipc netns exec "$ns" sysctl -qw net.ipv6.conf.mh0.accept_dad=0
    ipc -n "$ns" addr add "198.18.0.$i/24" dev mh0
    ipc -n "$ns" -6 addr add "fd00:6d68::$i/64" dev mh0 nodad
    ipc -n "$ns" link set mh0 up
    # Joins and sends that name no interface use this route, as they would use the default route on a real host.
    ipc -n "$ns" route add 224.0.0.0/4 dev mh0
  done
}

if ! setup 2>"$work/setup.err"; then
  echo "FAIL setup: could not build the namespaces: $(tail -1 "$work/setup.err")"
  echo "multihost: 0 passed, 1 failed"
  exit 1
fi
h1="${hosts[0]}" h2="${hosts[1]}" h3="${hosts[2]}" h4="${hosts[3]}"

# ---------------------------------------------------------------------------------------------------------------------
# Processes: start NAME HOST SECONDS COMMAND... runs COMMAND in HOST under `timeout SECONDS`, output in $work/NAME.out.

declare -A pid_of
scenario_names=()

start() {
  local name=$1 ns=$2 limit=$3
  shift 3
  timeout -k 2 "$limit" ip netns exec "$ns" "$@" >"$work/$name.out" 2>&1 &
  pid_of[$name]=$!
  started+=("$!")
  scenario_names+=("$name")
}

# finish NAME: waits for NAME to exit (bounded by its timeout) and returns its exit code.
finish() {
  local code=0 pid=${pid_of[$1]}
  [ -z "${reaped[$pid]:-}" ] || return 0
  wait "$pid" || code=$?
  reaped[$pid]=1
  return "$code"
}

# stop NAME...: asks those still running to stop (SIGTERM, which timeout forwards; the samples handle it), and waits.
stop() {
  local name pid
  for name in "$@"; do
    pid=${pid_of[$name]}
    [ -n "${reaped[$pid]:-}" ] || kill -TERM "$pid" 2>/dev/null || true
  done
  for name in "$@"; do
    finish "$name" 2>/dev/null || true
  done
}

out() { cat "$work/$1.out" 2>/dev/null || true; }

# count NAME TEXT: how many lines of NAME's output contain TEXT.
count() {
  local n
  n=$(grep -cF -- "$2" "$work/$1.out" 2>/dev/null || true)
  echo "${n:-0}"
}

# wait_bound HOST PORT N: until N UDP sockets are bound to PORT in HOST (15 s at most).
wait_bound() {
  local i n
  for ((i = 0; i < 150; i++)); do
    n=$(timeout 5 ip netns exec "$1" ss -Huan "sport = :$2" 2>/dev/null | wc -l)
    [ "$n" -ge "$3" ] && return 0
    sleep 0.1
  done
  return 1
}

# wait_joined HOST GROUP [USERS]: until mh0 in HOST is a member of GROUP for at least USERS sockets (15 s at most).
wait_joined() {
  local i users want=${3:-1}
  for ((i = 0; i < 150; i++)); do
    users=$(timeout 5 ip -n "$1" maddr show dev mh0 2>/dev/null \
      | awk -v g="$2" '($1 == "inet" || $1 == "inet6") && $2 == g { print ($3 == "users" ? $4 : 1) }')
    [ -n "$users" ] && [ "$users" -ge "$want" ] && return 0
    sleep 0.1
  done
  return 1
}

# wait_line NAME TEXT: until NAME's output has a line containing TEXT (15 s at most).
wait_line() {
  local i
  for ((i = 0; i < 150; i++)); do
    grep -qF -- "$2" "$work/$1.out" 2>/dev/null && return 0
    sleep 0.1
  done
  return 1
}

# ---------------------------------------------------------------------------------------------------------------------
# Scenarios. Each sets $why and returns 1 on failure.

passed=0
failed=0
why=""

run_scenario() {
  local name=$1 started_at=$SECONDS
  shift
  scenario_names=()
  why=""
  local ok=1
  "$@" || ok=0
  [ "${#scenario_names[@]}" -eq 0 ] || stop "${scenario_names[@]}"
  if [ "$ok" = 1 ]; then
    echo "PASS $name ($((SECONDS - started_at)) s)"
    passed=$((passed + 1))
  else
    echo "FAIL $name: ${why:-failed}"
    failed=$((failed + 1))
    local n
    for n in "${scenario_names[@]}"; do
      echo "  --- output of $n:"
      out "$n" | tail -40 | sed 's/^/  | /'
    done
  fi
}

receiver="${dll[MulticastReceiver]}"
sender="${dll[MulticastSender]}"
server="${dll[MulticastServer]}"
client="${dll[MulticastClient]}"

# expect NAME TEXT N: NAME printed exactly N lines containing TEXT.
expect() {
  local got
  got=$(count "$1" "$2")
  if [ "$got" != "$3" ]; then
    why="$1 printed '$2' $got times, not $3"
    return 1
  fi
}

# sent_ok NAME: NAME exited 0.
sent_ok() {
  local code=0
  finish "$1" || code=$?
  if [ "$code" != 0 ]; then
    why="$1 exited with $code"
    return 1
  fi
}

ready() { # ready DESCRIPTION COMMAND...: runs a wait_* helper and turns a timeout into $why.
  local what=$1
  shift
  "$@" || { why="$what"; return 1; }
}

# (a) A datagram to the group reaches every host that joined it, and no host that did not.
scenario_group_reaches_joined_hosts_only() {
  start a-h1-receiver "$h1" 40 dotnet "$receiver" --timeout 30
  start a-h2-receiver "$h2" 40 dotnet "$receiver" --interface 198.18.0.2 --timeout 30
  start a-h3-plain "$h3" 40 "$python" "$peers/plain_listener.py" --port 1600 --duration 30
  start a-h3-other-group "$h3" 40 dotnet "$receiver" --group 224.168.2.10 --interface mh0 --timeout 30
  ready "h1 did not join 224.168.2.9" wait_joined "$h1" 224.168.2.9 || return 1
  ready "h2 did not join 224.168.2.9" wait_joined "$h2" 224.168.2.9 || return 1
  ready "h3 did not join 224.168.2.10" wait_joined "$h3" 224.168.2.10 || return 1
  ready "h3's listeners did not bind port 1600" wait_bound "$h3" 1600 2 || return 1
  start a-h4-sender "$h4" 30 dotnet "$sender" --interval 0.3 --count 3 --interface mh0
  sent_ok a-h4-sender || return 1
  sleep 0.5
  stop a-h1-receiver a-h2-receiver a-h3-plain a-h3-other-group
  expect a-h1-receiver "DATA: Hello World" 3 || return 1
  expect a-h1-receiver "FROM: 198.18.0.4:1501" 3 || return 1
  expect a-h2-receiver "DATA: Hello World" 3 || return 1
  expect a-h2-receiver "FROM: 198.18.0.4:1501" 3 || return 1
  expect a-h3-plain "got " 0 || return 1
  expect a-h3-other-group "We got data!" 0 || return 1
}

# (b) After LeaveGroup the group's datagrams stop arriving (h2, which stays joined, shows they were still sent).
scenario_leave_stops_delivery() {
  start b-h1-leaver "$h1" 40 dotnet "$receiver" --leave-after 4 --timeout 30
  start b-h2-stayer "$h2" 40 dotnet "$receiver" --timeout 30
  ready "h1 did not join 224.168.2.9" wait_joined "$h1" 224.168.2.9 || return 1
  ready "h2 did not join 224.168.2.9" wait_joined "$h2" 224.168.2.9 || return 1
  start b-h4-sender "$h4" 30 dotnet "$sender" --interval 0.5 --count 12 --interface 198.18.0.4
  sent_ok b-h4-sender || return 1
  sleep 0.5
  # After the leave the host is no longer a member (no other socket there joined).
  if timeout 5 ip -n "$h1" maddr show dev mh0 | grep -qw 224.168.2.9; then
    why="h1 is still a member of 224.168.2.9 after the leave"
    return 1
  fi
  stop b-h1-leaver b-h2-stayer
  expect b-h1-leaver "Left group 224.168.2.9" 1 || return 1
  expect b-h2-stayer "DATA: Hello World" 12 || return 1
  local before after
  before=$(awk '/^Left group/ { exit } /^DATA: Hello World$/ { n++ } END { print n + 0 }' "$work/b-h1-leaver.out")
  after=$(awk '/^Left group/ { left = 1; next } left && /^DATA: / { n++ } END { print n + 0 }' "$work/b-h1-leaver.out")
  if [ "$before" -lt 1 ]; then
    why="h1 got no datagram before its leave (the sender started late?)"
    return 1
  fi
  if [ "$after" -ne 0 ]; then
    why="h1 got $after datagrams after leaving the group"
    return 1
  fi
  if [ "$before" -ge 12 ]; then
    why="every datagram went out before the leave, so the test shows nothing"
    return 1
  fi
}

# (c) Two receivers on one host sharing the port (listenMultiple) both get every datagram.
scenario_listen_multiple_one_host() {
  start c-h1-first "$h1" 40 dotnet "$receiver" --timeout 30
  start c-h1-second "$h1" 40 dotnet "$receiver" --interface mh0 --timeout 30
  ready "h1's two receivers did not both join 224.168.2.9" wait_joined "$h1" 224.168.2.9 2 || return 1
  start c-h4-sender "$h4" 30 dotnet "$sender" --interval 0.3 --count 3
  sent_ok c-h4-sender || return 1
  sleep 0.5
  stop c-h1-first c-h1-second
  expect c-h1-first "DATA: Hello World" 3 || return 1
  expect c-h1-second "DATA: Hello World" 3 || return 1
}

# (d) The same as (a) with an IPv6 group, interfaces named on the receivers and the sender.
scenario_ipv6_group() {
  start d-h1-receiver "$h1" 40 dotnet "$receiver" --group ff05::4242 --interface mh0 --timeout 30
  start d-h2-receiver "$h2" 40 dotnet "$receiver" --group ff05::4242 --interface mh0 --timeout 30
  start d-h3-plain "$h3" 40 "$python" "$peers/plain_listener.py" --port 1600 --family 6 --duration 30
  start d-h3-other-group "$h3" 40 dotnet "$receiver" --group ff05::4243 --interface mh0 --timeout 30
  ready "h1 did not join ff05::4242" wait_joined "$h1" ff05::4242 || return 1
  ready "h2 did not join ff05::4242" wait_joined "$h2" ff05::4242 || return 1
  ready "h3 did not join ff05::4243" wait_joined "$h3" ff05::4243 || return 1
  ready "h3's listeners did not bind port 1600" wait_bound "$h3" 1600 2 || return 1
  start d-h4-sender "$h4" 30 dotnet "$sender" --group ff05::4242 --interval 0.3 --count 3 --interface mh0
  sent_ok d-h4-sender || return 1
  sleep 0.5
  stop d-h1-receiver d-h2-receiver d-h3-plain d-h3-other-group
  expect d-h1-receiver "DATA: Hello World" 3 || return 1
  expect d-h1-receiver "FROM: fd00:6d68::4:1501" 3 || return 1
  expect d-h2-receiver "DATA: Hello World" 3 || return 1
  expect d-h3-plain "got " 0 || return 1
  expect d-h3-other-group "We got data!" 0 || return 1
}

# (e1) Twisted's MulticastServer on h2 answers our MulticastClient on h1.
scenario_twisted_server_our_client() {
  start e1-h2-twisted-server "$h2" 40 "$python" "$peers/twisted_multicast_server.py" 30
  ready "Twisted's server did not start" wait_line e1-h2-twisted-server "Started Listening" || return 1
  ready "Twisted's server did not bind port 8005" wait_bound "$h2" 8005 1 || return 1
  sleep 0.3
  start e1-h1-client "$h1" 30 dotnet "$client" --timeout 3
  sent_ok e1-h1-client || return 1
  stop e1-h2-twisted-server
  expect e1-h2-twisted-server "Server Received:'UniqueID'" 1 || return 1
  expect e1-h1-client "Received: 'data'" 1 || return 1
}

# (e2) Our MulticastServer on h3 answers Twisted's MulticastClient on h1.
scenario_our_server_twisted_client() {
  start e2-h3-server "$h3" 40 dotnet "$server"
  ready "our server did not start" wait_line e2-h3-server "Started Listening" || return 1
  ready "our server did not bind port 8005" wait_bound "$h3" 8005 1 || return 1
  sleep 0.3
  start e2-h1-twisted-client "$h1" 30 "$python" "$peers/twisted_multicast_client.py" 3
  sent_ok e2-h1-twisted-client || return 1
  stop e2-h3-server
  expect e2-h3-server "Server Received: 'UniqueID'" 1 || return 1
  expect e2-h1-twisted-client "Received:'data'" 1 || return 1
}

# (f1) The plain-socket seed's sender on h4 reaches our MulticastReceiver on h1.
scenario_seed_sender_our_receiver() {
  start f1-h1-receiver "$h1" 40 dotnet "$receiver" --timeout 30
  ready "h1 did not join 224.168.2.9" wait_joined "$h1" 224.168.2.9 || return 1
  start f1-h4-seed-sender "$h4" 30 "$python" "$peers/seed_sender.py" --interval 0.3 --count 3
  sent_ok f1-h4-seed-sender || return 1
  sleep 0.5
  stop f1-h1-receiver
  expect f1-h1-receiver "DATA: Hello World" 3 || return 1
  expect f1-h1-receiver "FROM: 198.18.0.4:1501" 3 || return 1
}

# (f2) Our MulticastSender on h4 reaches the plain-socket seed's receiver on h2.
scenario_our_sender_seed_receiver() {
  start f2-h2-seed-receiver "$h2" 40 "$python" "$peers/seed_receiver.py" --duration 30
  ready "the seed receiver did not join 224.168.2.9" wait_joined "$h2" 224.168.2.9 || return 1
  start f2-h4-sender "$h4" 30 dotnet "$sender" --interval 0.3 --count 3
  sent_ok f2-h4-sender || return 1
  sleep 0.5
  stop f2-h2-seed-receiver
  expect f2-h2-seed-receiver "DATA:  Hello World" 3 || return 1
  expect f2-h2-seed-receiver "FROM:  ('198.18.0.4', 1501)" 3 || return 1
}

echo "multihost: hosts ${hosts[*]} on br0 in $switch; samples from $configuration"
run_scenario a-group-reaches-joined-hosts-only scenario_group_reaches_joined_hosts_only
run_scenario b-leave-stops-delivery scenario_leave_stops_delivery
run_scenario c-listen-multiple-one-host scenario_listen_multiple_one_host
run_scenario d-ipv6-group-reaches-joined-hosts-only scenario_ipv6_group
if [ "$have_twisted" = 1 ]; then
  run_scenario e1-twisted-server-answers-our-client scenario_twisted_server_our_client
  run_scenario e2-our-server-answers-twisted-client scenario_our_server_twisted_client
else
  echo "SKIP e1, e2: python3-twisted is not installed for $python"
fi
run_scenario f1-seed-sender-to-our-receiver scenario_seed_sender_our_receiver
run_scenario f2-our-sender-to-seed-receiver scenario_our_sender_seed_receiver

echo "multihost: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
