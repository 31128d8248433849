#!/usr/bin/env python3
"""10,000 concurrent connections held by one TcpEcho reactor, each answered once a second (issue 17).

Opens --connections (10,000) connections to TcpEcho (bound to 127.0.0.2 .. 127.0.0.41, 250 per source address), then
for --seconds (60) each connection sends a 16-byte message once a second (spread evenly over the second) and checks
its echo. Reports: connections opened, messages sent, echoes received intact, errors (a wrong echo, a close, the run
not over 30 s after its end), the slowest echo, the server's RSS and descriptors, and the server's --accounting at the end.

  python3 tests/hostile/tcp_10k.py --server samples/TcpEcho/bin/Release/net10.0/TcpEcho.dll [--check] [--json out.json]
"""

import argparse
import asyncio
import json
import os
import resource
import signal
import socket
import subprocess
import sys
import time

HOST = "127.0.0.1"


def rss_mib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


async def run(port, n, seconds, pid):
    loop = asyncio.get_running_loop()
    stats = {"opened": 0, "connect_failed": 0, "sent": 0, "echoed": 0, "errors": 0, "slowest_ms": 0.0}
    socks = []
    sem = asyncio.Semaphore(256)

    async def open_one(i):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setblocking(False)
        s.bind((f"127.0.0.{2 + i % 40}", 0))
        async with sem:
            try:
                await asyncio.wait_for(loop.sock_connect(s, (HOST, port)), 10)
                stats["opened"] += 1
                socks.append(s)
            except (OSError, asyncio.TimeoutError):
                stats["connect_failed"] += 1
                s.close()

    await asyncio.gather(*[open_one(i) for i in range(n)])
    samples = []
    start = loop.time()

    async def client(index, s):
        await asyncio.sleep(index / len(socks))  # spread over the first second
        k = 0
        while loop.time() - start < seconds:
            message = index.to_bytes(4, "big") + k.to_bytes(4, "big") + b"e" * 8
            t0 = loop.time()
            try:
                await loop.sock_sendall(s, message)
                stats["sent"] += 1
                got = b""
                while len(got) < 16:
                    # No wait_for per read (a task each: the driver's own cost); the run's deadline bounds it.
                    chunk = await loop.sock_recv(s, 16 - len(got))
                    if not chunk:
                        raise OSError("closed")
                    got += chunk
                if got != message:
                    raise OSError("wrong echo")
                stats["echoed"] += 1
                stats["slowest_ms"] = max(stats["slowest_ms"], 1000 * (loop.time() - t0))
            except (OSError, asyncio.TimeoutError):
                stats["errors"] += 1
                return
            k += 1
            await asyncio.sleep(max(0.0, start + index / len(socks) + k - loop.time()))

    async def sampler():
        while loop.time() - start < seconds:
            samples.append((rss_mib(pid), len(os.listdir(f"/proc/{pid}/fd"))))
            await asyncio.sleep(1.0)

    try:
        await asyncio.wait_for(asyncio.gather(sampler(), *[client(i, s) for i, s in enumerate(socks)]), seconds + 30)
    except asyncio.TimeoutError:
        stats["errors"] += 1
    for s in socks:
        s.close()
    stats["server_rss_mib_peak"] = round(max(r for r, _ in samples), 1) if samples else None
    stats["server_fds_peak"] = max(f for _, f in samples) if samples else None
    return stats


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--server", required=True)
    ap.add_argument("--connections", type=int, default=10000)
    ap.add_argument("--seconds", type=float, default=60.0)
    ap.add_argument("--check", action="store_true")
    ap.add_argument("--json")
    args = ap.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    server = subprocess.Popen((["dotnet", args.server] if args.server.endswith(".dll") else [args.server]) +
                              ["--port", "0", "--interface", HOST, "--quiet", "--accounting"],
                              stdout=subprocess.PIPE, text=True)
    try:
        port = int(server.stdout.readline().strip().rsplit(" ", 1)[1])
        time.sleep(0.5)
        rss_start = rss_mib(server.pid)
        result = asyncio.run(run(port, args.connections, args.seconds, server.pid))
        result["server_rss_mib_start"] = round(rss_start, 1)
        time.sleep(2.0)
        result["server_rss_mib_end"] = round(rss_mib(server.pid), 1)
        server.send_signal(signal.SIGTERM)
        stdout, _ = server.communicate(timeout=60)
        line = [l for l in stdout.splitlines() if l.startswith("connections ")]
        result["accounting"] = {k: int(v) for k, v in (kv.split("=") for kv in line[-1].split()[1:])} if line else {}
        result["server_exit_code"] = server.returncode
    finally:
        if server.poll() is None:
            server.kill()
    expected = args.connections * int(args.seconds)
    problems = []
    if result["opened"] != args.connections:
        problems.append("not every connection opened")
    if result["errors"]:
        problems.append("errors")
    if result["echoed"] < 0.98 * expected:
        problems.append(f"echoed {result['echoed']} of the ~{expected} expected")
    if result.get("server_exit_code") != 0:
        problems.append("server exit code")
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
