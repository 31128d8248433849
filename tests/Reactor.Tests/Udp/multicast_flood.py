"""Floods a multicast group with datagrams of every size while probing the MulticastServer sample, then reports.

Run by MulticastServerHostileTrafficTests inside the private network namespace it creates (NamespaceShell: only a loopback, with the
224.0.0.0/4 route on it), so nothing sent here can leave the machine. Standard library only (/usr/bin/python3).

    multicast_flood.py --server-pid PID [--group 224.0.0.1] [--port 8005] [--interface 127.0.0.1]
                       [--duration 3] [--senders 2] [--max-per-sender 500000]

Prints key=value lines: what was sent, each probe's round trip, the server's VmRSS (before, after a second of flood, after), and the
namespace's UDP counters (/proc/net/snmp, /proc/net/udp) across the run; the machine-wide softnet backlog drops too.
Every loop is bounded in count and time. The senders are child processes of this one, ended by it (by PID).
"""

import argparse
import os
import random
import select
import socket
import subprocess
import sys
import time

LARGEST_DATAGRAM = 65507
PROBE_INTERVAL = 0.1
# A probe asks again this often until answered: under the flood the kernel drops most questions for a full socket
# buffer, and with a 100 ms repeat runs of such drops alone took a probe past a second (measured: 1 in 63 probes).
PROBE_REPEAT = 0.02
PROBE_BOUND = 1.0
QUESTION = b"UniqueID"
ANSWER = b"data"


def multicast_socket(interface):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((interface, 0))
    s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton(interface))
    return s


def send(group, port, interface, seed, duration, most):
    """One sender: datagrams of uniformly random size 0..65,507 as fast as it can until the deadline; prints its counts."""
    rng = random.Random(seed)
    payload = memoryview(os.urandom(LARGEST_DATAGRAM))
    s = multicast_socket(interface)
    s.settimeout(1.0)
    destination = (group, port)
    started = time.monotonic()
    deadline = started + duration
    sent = errors = 0
    for i in range(most):
        # The clock is read once per 64 datagrams: it would otherwise cost as much as the send.
        if i % 64 == 0 and time.monotonic() >= deadline:
            break
        try:
            s.sendto(payload[: rng.randint(0, LARGEST_DATAGRAM)], destination)
            sent += 1
        except OSError:
            errors += 1
    print(sent, errors, time.monotonic() - started)


def probe(group, port, interface, bound):
    """Asks UniqueID from a fresh socket, again every PROBE_REPEAT, until an answer or the bound.

    Returns (round trip in seconds or None, questions sent, datagrams read, reads that were not exactly 'data').
    """
    s = multicast_socket(interface)
    try:
        started = time.monotonic()
        next_send = 0.0
        sends = reads = unexpected = 0
        for _ in range(10000):
            elapsed = time.monotonic() - started
            if elapsed >= bound:
                break
            if elapsed >= next_send:
                s.sendto(QUESTION, (group, port))
                sends += 1
                next_send += PROBE_REPEAT
            ready, _, _ = select.select([s], [], [], 0.02)
            if ready:
                data = s.recv(70000)
                reads += 1
                if data == ANSWER:
                    return time.monotonic() - started, sends, reads, unexpected
                unexpected += 1
        return None, sends, reads, unexpected
    finally:
        s.close()


def udp_counters():
    """The namespace's Udp line of /proc/net/snmp, as a dict."""
    with open("/proc/net/snmp") as f:
        rows = [line.split() for line in f if line.startswith("Udp:")]
    return dict(zip(rows[0][1:], map(int, rows[1][1:])))


def socket_queue_and_drops(port):
    """The receive queue (bytes) and drop count of the UDP socket bound to port, from /proc/net/udp."""
    with open("/proc/net/udp") as f:
        for line in list(f)[1:]:
            fields = line.split()
            if fields[1].endswith(":%04X" % port):
                return int(fields[4].split(":")[1], 16), int(fields[-1])
    return None, None


def softnet_dropped():
    """Packets dropped for a full per-CPU backlog, summed over CPUs: machine-wide, not per namespace."""
    with open("/proc/net/softnet_stat") as f:
        return sum(int(line.split()[1], 16) for line in f)


def drain(port):
    """Waits (at most 20 s) until the server has read everything: its socket's queue is empty and InDatagrams holds
    still for three readings 100 ms apart. Returns whether it did."""
    stable = 0
    last = None
    for _ in range(200):
        queue, _ = socket_queue_and_drops(port)
        now = udp_counters()["InDatagrams"]
        stable = stable + 1 if queue == 0 and now == last else 0
        last = now
        if stable >= 3:
            return True
        time.sleep(0.1)
    return False


def vm_rss(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError("no VmRSS for %d" % pid)


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "send":
        group, port, interface, seed, duration, most = sys.argv[2:8]
        send(group, int(port), interface, int(seed), float(duration), int(most))
        return 0

    parser = argparse.ArgumentParser()
    parser.add_argument("--server-pid", type=int, required=True)
    parser.add_argument("--group", default="224.0.0.1")
    parser.add_argument("--port", type=int, default=8005)
    parser.add_argument("--interface", default="127.0.0.1")
    parser.add_argument("--duration", type=float, default=3.0)
    parser.add_argument("--senders", type=int, default=2)
    parser.add_argument("--max-per-sender", type=int, default=500000)
    a = parser.parse_args()
    report = []

    counters_before = udp_counters()
    _, drops_before = socket_queue_and_drops(a.port)
    softnet_before = softnet_dropped()
    probe_sends = probe_reads = probe_unexpected = 0

    # The server answers before the flood (its first datagram also warms it up, so the bound is generous).
    rtt, sends, reads, unexpected = probe(a.group, a.port, a.interface, 10.0)
    probe_sends += sends
    probe_reads += reads
    probe_unexpected += unexpected
    report.append("probe_before_ms=%s" % ("none" if rtt is None else "%.1f" % (rtt * 1000)))
    rss_before = vm_rss(a.server_pid)

    started = time.monotonic()
    senders = [
        subprocess.Popen(
            [sys.executable, __file__, "send", a.group, str(a.port), a.interface, str(i), str(a.duration), str(a.max_per_sender)],
            stdout=subprocess.PIPE,
            text=True,
        )
        for i in range(a.senders)
    ]

    # One probe every 100 ms while the flood runs; what must hold is an answer within a second. The server's memory
    # is taken again after a second of flood: by then the GC has grown its young generation to its budget (which
    # follows the CPU's cache size: about 60 MiB on a 105 MiB L3), and from there on it must stay flat.
    rtts = []
    rss_warm = None
    while time.monotonic() - started < a.duration and len(rtts) < 100:
        began = time.monotonic()
        if rss_warm is None and began - started >= 1.0:
            rss_warm = vm_rss(a.server_pid)
        rtt, sends, reads, unexpected = probe(a.group, a.port, a.interface, PROBE_BOUND)
        rtts.append(rtt)
        probe_sends += sends
        probe_reads += reads
        probe_unexpected += unexpected
        rest = PROBE_INTERVAL - (time.monotonic() - began)
        if rest > 0:
            time.sleep(rest)

    sent = send_errors = 0
    flood_seconds = 0.0
    for sender in senders:
        try:
            out, _ = sender.communicate(timeout=a.duration + 10)
            n, e, seconds = out.split()
            sent += int(n)
            send_errors += int(e)
            flood_seconds = max(flood_seconds, float(seconds))
        except subprocess.TimeoutExpired:
            sender.kill()
            sender.communicate(timeout=10)
            report.append("sender_timed_out=%d" % sender.pid)

    drained_after_flood = drain(a.port)
    rtt, sends, reads, unexpected = probe(a.group, a.port, a.interface, PROBE_BOUND)
    probe_sends += sends
    probe_reads += reads
    probe_unexpected += unexpected
    report.append("probe_after_ms=%s" % ("none" if rtt is None else "%.1f" % (rtt * 1000)))

    # The last probe's repeated questions, if any, are read too before the counters are taken.
    drained = drained_after_flood and drain(a.port)
    rss_after = vm_rss(a.server_pid)
    counters_after = udp_counters()
    _, drops_after = socket_queue_and_drops(a.port)
    softnet_after = softnet_dropped()

    report += [
        "sent=%d" % sent,
        "send_errors=%d" % send_errors,
        "flood_seconds=%.1f" % flood_seconds,
        "probes=%d" % len(rtts),
        "probes_answered=%d" % sum(1 for r in rtts if r is not None),
        "probe_rtts_ms=%s" % ",".join("none" if r is None else "%.1f" % (r * 1000) for r in rtts),
        "probe_sends=%d" % probe_sends,
        "probe_reads=%d" % probe_reads,
        "probe_unexpected=%d" % probe_unexpected,
        "drained=%s" % drained,
        "rss_before=%d" % rss_before,
        "rss_warm=%d" % (rss_warm if rss_warm is not None else vm_rss(a.server_pid)),
        "rss_after=%d" % rss_after,
        "socket_drops=%d" % (drops_after - drops_before),
        "softnet_dropped=%d" % (softnet_after - softnet_before),
    ]
    for name in ("InDatagrams", "NoPorts", "InErrors", "RcvbufErrors", "InCsumErrors", "MemErrors"):
        report.append("%s=%d" % (name, counters_after.get(name, 0) - counters_before.get(name, 0)))
    print("\n".join(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
