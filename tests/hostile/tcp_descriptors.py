#!/usr/bin/env python3
"""Descriptor exhaustion against the TcpEcho sample, on loopback (issue 17, decision D22).

TcpEcho runs under `prlimit --nofile=N:N` (N = --nofile, 256 by default). Then:
  1. 20 "existing" clients connect and echo;
  2. a flood of --flood (1,000) connections arrives and is held open: the server runs out of descriptors (EMFILE);
  3. while it is out of them, for --hold seconds: each existing client echoes once a second, the server's CPU time is
     measured (a busy loop would use a whole core), and its descriptor count is sampled;
  4. the flood closes; a fresh client connects and echoes (the port accepts again);
  5. SIGTERM; the server's --accounting line says how many connections were shed (D22: accepted and closed at once —
     on epoll with the reserve descriptor once out of them, on the portable backend once they reach the headroom it
     leaves the .NET runtime). REACTOR_BACKEND in the environment picks the backend.

  python3 tests/hostile/tcp_descriptors.py --server samples/TcpEcho/bin/Release/net10.0/TcpEcho.dll [--check] [--json out.json]

--check exits 1 unless every echo was answered, the fresh client after the flood was served, some connections were
shed (the limit was reached), every connection is accounted for, and the server used under --max-cpu-percent (20 %)
of one core while out of descriptors.
"""

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import time

HOST = "127.0.0.1"


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks


def fds(pid):
    return len(os.listdir(f"/proc/{pid}/fd"))


def echo(s, payload):
    s.sendall(payload)
    got = b""
    while len(got) < len(payload):
        chunk = s.recv(len(payload) - len(got))
        if not chunk:
            return False
        got += chunk
    return got == payload


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--server", required=True)
    ap.add_argument("--nofile", type=int, default=256)
    ap.add_argument("--flood", type=int, default=1000)
    ap.add_argument("--hold", type=float, default=5.0)
    ap.add_argument("--max-cpu-percent", type=float, default=20.0)
    ap.add_argument("--check", action="store_true")
    ap.add_argument("--json")
    args = ap.parse_args()

    command = ["prlimit", f"--nofile={args.nofile}:{args.nofile}"] + (
        ["dotnet", args.server] if args.server.endswith(".dll") else [args.server]) + [
        "--port", "0", "--interface", HOST, "--quiet", "--accounting"]
    server = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    result = {"nofile": args.nofile, "flood": args.flood}
    existing, flood = [], []
    try:
        first = server.stdout.readline().strip()
        port = int(first.rsplit(" ", 1)[1])
        pid = server.pid  # prlimit execs the program: same process
        result["fds_start"] = fds(pid)

        for i in range(20):
            s = socket.create_connection((HOST, port), timeout=5)
            existing.append(s)
        result["existing_echo_before"] = all(echo(s, b"before") for s in existing)

        flood_connected = 0
        for i in range(args.flood):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.settimeout(5)
            s.bind((f"127.0.0.{2 + i % 20}", 0))
            try:
                s.connect((HOST, port))
                flood_connected += 1
                flood.append(s)
            except OSError:
                s.close()
        result["flood_connected"] = flood_connected
        time.sleep(0.5)

        # Out of descriptors now: measure.
        cpu0, t0 = cpu_seconds(pid), time.monotonic()
        echoes, answered, fd_samples = 0, 0, []
        while time.monotonic() - t0 < args.hold:
            for s in existing:
                echoes += 1
                try:
                    answered += echo(s, b"during")
                except OSError:
                    pass
            fd_samples.append(fds(pid))
            time.sleep(1.0)
        cpu1, t1 = cpu_seconds(pid), time.monotonic()
        result["cpu_percent_while_exhausted"] = round(100.0 * (cpu1 - cpu0) / (t1 - t0), 1)
        result["fds_while_exhausted"] = max(fd_samples)
        result["existing_echoes"] = echoes
        result["existing_echoes_answered"] = answered

        # Shed flood clients saw a close; held ones are still connected. Close them all.
        shed_seen = 0
        for s in flood:
            s.setblocking(False)
            try:
                if s.recv(1) == b"":
                    shed_seen += 1
            except BlockingIOError:
                pass
            except OSError:
                shed_seen += 1
            s.close()
        result["flood_closed_by_server"] = shed_seen
        flood = []
        time.sleep(1.0)

        fresh_ok = False
        for _ in range(50):
            try:
                with socket.create_connection((HOST, port), timeout=5) as s:
                    fresh_ok = echo(s, b"after")
                    break
            except OSError:
                time.sleep(0.1)
        result["fresh_client_served_after"] = fresh_ok
        result["existing_echo_after"] = all(echo(s, b"after") for s in existing)
        for s in existing:
            s.close()
        existing = []
        time.sleep(0.5)
        server.send_signal(signal.SIGTERM)
        stdout, _ = server.communicate(timeout=30)
        line = [l for l in stdout.splitlines() if l.startswith("connections ")]
        result["accounting"] = {k: int(v) for k, v in (kv.split("=") for kv in line[-1].split()[1:])} if line else {}
        result["server_exit_code"] = server.returncode
    finally:
        for s in existing + flood:
            s.close()
        if server.poll() is None:
            server.kill()

    a = result.get("accounting", {})
    problems = []
    if result.get("server_exit_code") != 0:
        problems.append("server exit code")
    if not (result.get("existing_echo_before") and result.get("existing_echo_after")):
        problems.append("an existing client was not served")
    if result.get("existing_echoes_answered") != result.get("existing_echoes"):
        problems.append("an echo went unanswered while out of descriptors")
    if not result.get("fresh_client_served_after"):
        problems.append("the port did not accept again")
    if not a or a.get("shed", 0) == 0:
        problems.append("no connection was shed: the limit was not reached")
    elif a["opened"] != a["closed"] or a["open_at_stop"] != 0:
        problems.append("opened != closed")
    elif a["opened"] + a["shed"] + a["reset_before_accept"] + a["accept_errors"] != 20 + result["flood_connected"] + 1:
        problems.append("a connection is not accounted for")
    if result.get("cpu_percent_while_exhausted", 100) > args.max_cpu_percent:
        problems.append("the server used too much CPU while out of descriptors (a busy loop?)")
    result["problems"] = problems
    text = json.dumps(result, indent=2)
    print(text)
    if args.json:
        with open(args.json, "w") as f:
            f.write(text)
    if args.check and problems:
        sys.exit(1)


if __name__ == "__main__":
    main()
