#!/usr/bin/env python3
"""Hostile clients against the TcpEcho sample, on loopback (issue 17).

All at once, for --seconds (30 by default):
  * idle:       connections that connect and never send (2,000)
  * slowloris:  connections that send one byte every 2 s and read the echo (500)
  * non-reader: connections that send as fast as the server takes it and never read (200)
  * storm:      connect-and-reset (SO_LINGER 0) connections, paced over the run (20,000)
  * probe:      one connection sending a 32-byte message every 50 ms and timing the echo
while the server's RSS and descriptors are sampled every 0.5 s. Then every client closes, the server is sent SIGTERM
and its --accounting line (every connection made, and how it ended) is compared with what the clients made.

Client sockets are bound to 127.0.0.2 .. 127.0.0.41 (past ~14,000 connections from one source address connect()
slows down); the server listens on 127.0.0.1, port 0. Every loop is bounded in count and time.

  python3 tests/hostile/tcp_hostile.py --server samples/TcpEcho/bin/Release/net10.0/TcpEcho.dll [--scale 1.0]
      [--seconds 30] [--rss-bound-mib 256] [--check] [--json out.json]

--scale multiplies every client count (CI runs --scale 0.05 --seconds 5 --no-latency-check, from
tests/Reactor.Tests/Samples/TcpEchoHostileClientsTests.cs, on both backends: REACTOR_BACKEND is passed to the server). --check exits 1 unless: every connection is
accounted for (the server's opened = closed, none open at the stop, opened = what the clients saw connect), >= 99 % of
the probes were answered within 100 ms, no probe went unanswered, and the peak RSS stayed within --rss-bound-mib.
"""

import argparse
import asyncio
import json
import multiprocessing as mp
import os
import random
import resource
import signal
import socket
import struct
import subprocess
import sys
import time

SERVER_HOST = "127.0.0.1"
SOURCES = [f"127.0.0.{i}" for i in range(2, 42)]


def raise_nofile():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def new_socket(source):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setblocking(False)
    s.bind((source, 0))
    return s


async def connect(loop, port, source, timeout=10.0):
    s = new_socket(source)
    try:
        await asyncio.wait_for(loop.sock_connect(s, (SERVER_HOST, port)), timeout)
        return s
    except (OSError, asyncio.TimeoutError):
        s.close()
        return None


# ---- holders: idle, slowloris, non-readers ------------------------------------------------------------------------

async def holders_main(port, counts, seconds, out):
    loop = asyncio.get_running_loop()
    stats = {"idle_connected": 0, "slow_connected": 0, "nonreader_connected": 0, "connect_failed": 0,
             "slow_bytes_echoed": 0, "slow_errors": 0, "nonreader_bytes_sent": 0, "nonreader_errors": 0,
             "closed_early_by_server": 0}
    sockets = {"idle": [], "slow": [], "nonreader": []}
    sem = asyncio.Semaphore(200)

    async def open_one(kind, i):
        async with sem:
            s = await connect(loop, port, SOURCES[i % 10])
        if s is None:
            stats["connect_failed"] += 1
            return
        stats[f"{kind}_connected" if kind != "nonreader" else "nonreader_connected"] += 1
        sockets[kind].append(s)

    await asyncio.gather(*[open_one("idle", i) for i in range(counts["idle"])],
                         *[open_one("slow", i) for i in range(counts["slow"])],
                         *[open_one("nonreader", i) for i in range(counts["nonreader"])])
    deadline = loop.time() + seconds

    async def slowloris(s, offset):
        await asyncio.sleep(offset)
        while loop.time() < deadline:
            try:
                s.send(b"x")
                try:
                    data = await asyncio.wait_for(loop.sock_recv(s, 16), 5.0)
                    if not data:
                        stats["closed_early_by_server"] += 1
                        return
                    stats["slow_bytes_echoed"] += len(data)
                except asyncio.TimeoutError:
                    stats["slow_errors"] += 1
            except OSError:
                stats["slow_errors"] += 1
                return
            await asyncio.sleep(2.0)

    async def nonreader(s):
        chunk = os.urandom(64 * 1024)
        while loop.time() < deadline:
            try:
                n = s.send(chunk)
                stats["nonreader_bytes_sent"] += n
            except BlockingIOError:
                await asyncio.sleep(0.25)
                continue
            except OSError:
                stats["nonreader_errors"] += 1
                return
            await asyncio.sleep(0.01)

    tasks = [asyncio.create_task(slowloris(s, random.uniform(0, 2.0))) for s in sockets["slow"]]
    tasks += [asyncio.create_task(nonreader(s)) for s in sockets["nonreader"]]
    await asyncio.sleep(max(0.0, deadline - loop.time()))
    await asyncio.gather(*tasks)
    # Idle ones check they are still connected (a recv that would block), then every holder closes: the idle and
    # slowloris ones cleanly, the non-readers with a reset (they have unread echoes, so the kernel resets anyway).
    for s in sockets["idle"]:
        try:
            if s.recv(1) == b"":
                stats["closed_early_by_server"] += 1
        except BlockingIOError:
            pass
        except OSError:
            stats["closed_early_by_server"] += 1
    for kind in ("idle", "slow", "nonreader"):
        for s in sockets[kind]:
            s.close()
    out.put(("holders", stats))


def holders(port, counts, seconds, out):
    raise_nofile()
    asyncio.run(holders_main(port, counts, seconds, out))


# ---- storm: connect and reset ---------------------------------------------------------------------------------------

async def storm_main(port, total, seconds, out):
    loop = asyncio.get_running_loop()
    stats = {"storm_connected": 0, "storm_failed": 0}
    sem = asyncio.Semaphore(64)
    linger = struct.pack("ii", 1, 0)
    start = loop.time()

    async def one(i):
        # Paced: attempt i starts at its share of the run.
        await asyncio.sleep(max(0.0, start + seconds * i / total - loop.time()))
        async with sem:
            s = await connect(loop, port, SOURCES[10 + i % 30])
            if s is None:
                stats["storm_failed"] += 1
                return
            stats["storm_connected"] += 1
            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, linger)
            s.close()

    # In slices, so 20,000 sleeping tasks are never alive at once.
    step = 500
    for first in range(0, total, step):
        await asyncio.gather(*[one(i) for i in range(first, min(total, first + step))])
    out.put(("storm", stats))


def storm(port, total, seconds, out):
    raise_nofile()
    asyncio.run(storm_main(port, total, seconds, out))


# ---- probe ------------------------------------------------------------------------------------------------------------

def probe(port, seconds, out):
    s = socket.create_connection((SERVER_HOST, port), timeout=5)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    s.settimeout(5.0)
    latencies = []
    unanswered = 0
    deadline = time.monotonic() + seconds
    n = 0
    while time.monotonic() < deadline:
        message = n.to_bytes(4, "big") + b"p" * 28
        n += 1
        t0 = time.monotonic()
        try:
            s.sendall(message)
            got = b""
            while len(got) < len(message):
                chunk = s.recv(len(message) - len(got))
                if not chunk:
                    raise OSError("closed")
                got += chunk
            if got != message:
                raise OSError("wrong echo")
            latencies.append(time.monotonic() - t0)
        except OSError:
            unanswered += 1
            break
        time.sleep(max(0.0, 0.05 - (time.monotonic() - t0)))
    s.close()
    out.put(("probe", {"latencies": latencies, "unanswered": unanswered}))


# ---- the server -------------------------------------------------------------------------------------------------------

def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def fds(pid):
    return len(os.listdir(f"/proc/{pid}/fd"))


def half_open(port):
    """
    The server's connections on `port` that its kernel still calls ESTABLISHED although their client has gone (IPv4,
    /proc/net/tcp): the client's end no longer exists, or is only a TIME_WAIT entry (which also stands for an orphaned
    FIN_WAIT_2). The kernel never delivered the client's FIN or RST to the server's socket — not a close the server
    missed (that would leave it in CLOSE_WAIT), so no server can notice until it writes or an idle timeout or TCP
    keepalive fires. Seen under this run's listen-queue overflow and SYN cookies (a handshake completed from a later
    ACK of a client that had given up), and on non-readers whose reset met a zero receive window while challenge ACKs
    were rate-limited (the kernel's zero-window probes find them later, with backoff). Counted apart from connections
    the server failed to close.
    """
    with open("/proc/net/tcp") as f:
        rows = [line.split() for line in f.read().splitlines()[1:]]
    states = {}
    for r in rows:
        states.setdefault((r[1], r[2]), []).append(r[3])
    suffix = f":{port:04X}"
    return sum(1 for r in rows
               if r[1].endswith(suffix) and r[3] == "01" and set(states.get((r[2], r[1]), [])) <= {"06"})


def listen_drops():
    """The kernel's ListenOverflows and ListenDrops (TcpExt, this network namespace)."""
    with open("/proc/net/netstat") as f:
        lines = f.read().splitlines()
    for names, values in zip(lines[0::2], lines[1::2]):
        if names.startswith("TcpExt:"):
            table = dict(zip(names.split()[1:], map(int, values.split()[1:])))
            return table.get("ListenOverflows", 0), table.get("ListenDrops", 0)
    return 0, 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--server", required=True, help="TcpEcho.dll (run with dotnet) or an executable")
    ap.add_argument("--seconds", type=float, default=30.0)
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--rss-bound-mib", type=float, default=256.0)
    ap.add_argument("--check", action="store_true")
    ap.add_argument("--no-latency-check", action="store_true",
                    help="with --check, leave out the 99 %% within 100 ms figure (CI's short run on a shared machine)")
    ap.add_argument("--json")
    args = ap.parse_args()
    raise_nofile()

    counts = {k: max(1, int(v * args.scale)) for k, v in
              {"idle": 2000, "slow": 500, "nonreader": 200, "storm": 20000}.items()}
    command = (["dotnet", args.server] if args.server.endswith(".dll") else [args.server]) + [
        "--port", "0", "--interface", SERVER_HOST, "--quiet", "--accounting"]
    server = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    result = {"counts": counts, "seconds": args.seconds}
    try:
        first = server.stdout.readline().strip()
        if not first.startswith("Echo starting on "):
            raise SystemExit(f"unexpected first line: {first!r}")
        port = int(first.rsplit(" ", 1)[1])
        time.sleep(0.5)
        drops_start = listen_drops()
        rss_start = rss_kib(server.pid)
        fds_start = fds(server.pid)

        out = mp.Queue()
        workers = [mp.Process(target=holders, args=(port, counts, args.seconds, out)),
                   mp.Process(target=storm, args=(port, counts["storm"], args.seconds, out)),
                   mp.Process(target=probe, args=(port, args.seconds, out))]
        for w in workers:
            w.start()
        samples = []
        t0 = time.monotonic()
        reports = {}
        # Sample until every worker reported (bounded: the run plus two minutes).
        while len(reports) < len(workers) and time.monotonic() - t0 < args.seconds + 120:
            try:
                kind, stats = out.get(timeout=0.5)
                reports[kind] = stats
            except Exception:
                pass
            samples.append((round(time.monotonic() - t0, 1), rss_kib(server.pid), fds(server.pid)))
        for w in workers:
            w.join(timeout=10)
            if w.is_alive():
                w.kill()

        # Every client has closed: wait (bounded) for the server to be back to its descriptors at the start.
        for _ in range(100):
            if fds(server.pid) <= fds_start:
                break
            time.sleep(0.1)
        fds_end = fds(server.pid)
        half_open_end = half_open(port)
        drops_end = listen_drops()
        rss_end = rss_kib(server.pid)
        server.send_signal(signal.SIGTERM)
        stdout, _ = server.communicate(timeout=30)
        accounting_line = [l for l in stdout.splitlines() if l.startswith("connections ")]
        accounting = dict(kv.split("=") for kv in accounting_line[-1].split()[1:]) if accounting_line else {}
        accounting = {k: int(v) for k, v in accounting.items()}
        exit_code = server.returncode
    finally:
        if server.poll() is None:
            server.kill()

    latencies = sorted(reports.get("probe", {}).get("latencies", []))
    within = sum(1 for l in latencies if l <= 0.100)
    holders_stats = reports.get("holders", {})
    storm_stats = reports.get("storm", {})
    client_connects = (holders_stats.get("idle_connected", 0) + holders_stats.get("slow_connected", 0)
                       + holders_stats.get("nonreader_connected", 0) + storm_stats.get("storm_connected", 0) + 1)
    rss_peak = max(s[1] for s in samples) if samples else 0
    result.update({
        "server_exit_code": exit_code,
        "accounting": accounting,
        "client_connects": client_connects,
        "holders": holders_stats,
        "storm": storm_stats,
        "probe": {
            "sent": len(latencies) + reports.get("probe", {}).get("unanswered", 0),
            "answered": len(latencies),
            "unanswered": reports.get("probe", {}).get("unanswered", 0),
            "within_100ms": within,
            "within_100ms_percent": round(100.0 * within / len(latencies), 2) if latencies else 0.0,
            "p50_ms": round(1000 * latencies[len(latencies) // 2], 2) if latencies else None,
            "p99_ms": round(1000 * latencies[int(len(latencies) * 0.99) - 1], 2) if latencies else None,
            "max_ms": round(1000 * latencies[-1], 2) if latencies else None,
        },
        "server_rss_mib": {"start": round(rss_start / 1024, 1), "peak": round(rss_peak / 1024, 1),
                           "end": round(rss_end / 1024, 1)},
        "kernel_listen_overflows": drops_end[0] - drops_start[0],
        "kernel_listen_drops": drops_end[1] - drops_start[1],
        "server_fds": {"start": fds_start, "peak": max(s[2] for s in samples) if samples else 0, "end": fds_end},
        "half_open_at_stop": half_open_end,
    })
    problems = []
    if exit_code != 0:
        problems.append(f"server exit code {exit_code}")
    if not accounting:
        problems.append("no accounting line")
    else:
        if accounting["opened"] != accounting["closed"]:
            problems.append("opened != closed")
        # Open at the stop: only those whose client still exists are the server's to have closed; the rest are
        # half-open connections the kernel made from SYN cookies after their client had gone (half_open above).
        if accounting["open_at_stop"] > half_open_end:
            problems.append(f"{accounting['open_at_stop'] - half_open_end} connection(s) still open at the stop "
                            f"(besides {half_open_end} half-open one(s) whose client is gone)")
        # A storm connection reset while it waited in the backlog never reaches a protocol: accept() reports
        # ECONNABORTED and the reactor counts it (reactor.tcp.accepts.dropped, reason aborted).
        accounted = (accounting["opened"] + accounting["reset_before_accept"] + accounting["refused"]
                     + accounting["shed"] + accounting["accept_errors"])
        # And a client's connect() can complete while the server's accept queue is full: the kernel then drops the
        # handshake's last ACK (ListenOverflows), and a storm client that resets at once leaves nothing to accept.
        # Those are the kernel's, counted machine-wide (so an upper bound); the rest must match exactly.
        unaccounted = client_connects - accounted
        result["unaccounted_by_the_server"] = unaccounted
        if unaccounted < 0 or unaccounted > result["kernel_listen_drops"]:
            problems.append(f"server accounted for {accounted} connections, clients connected {client_connects}, "
                            f"kernel listen drops {result['kernel_listen_drops']}")
        if accounting["error"] != 0 or accounting["overflow"] != 0:
            problems.append("connections closed by a protocol error or an overflow")
    if holders_stats.get("closed_early_by_server", 0):
        problems.append("the server closed held connections")
    if result["probe"]["unanswered"] or not result["probe"]["answered"]:
        problems.append("probe: an echo went unanswered")
    if not args.no_latency_check and result["probe"]["within_100ms_percent"] < 99.0:
        problems.append("probe: fewer than 99 % answered within 100 ms")
    if rss_peak / 1024 > args.rss_bound_mib:
        problems.append(f"peak RSS {rss_peak / 1024:.0f} MiB over {args.rss_bound_mib} MiB")
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
