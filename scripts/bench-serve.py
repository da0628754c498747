#!/usr/bin/env python3
"""Benchmark `hindsight serve --watch` (a report, not a test).

    scripts/bench-serve.py BIN SITE_DIR [--edits N] [--title]

Starts the server on an ephemeral port, opens the live-reload event stream, then saves
one post-mortem at a time (a different file each time, written in place the way most
editors do) and measures the wall time from the save to the `reload` event arriving on
the stream, to the edited page being served, and to the background analysis having
caught up (`/__hindsight/status`). Also reports the server's own figures (first event → reload sent, and where
the rebuild time went), the resident memory after the first build and after all edits,
and checks that Ctrl-C (SIGINT) stops the server cleanly. --title edits the title
(which changes list pages too) instead of appending a sentence to the body.
"""

import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time


def rss_mib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def cpu_seconds(pid):
    """User + system CPU time the process has used so far (all threads)."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def main():
    args = sys.argv[1:]
    if len(args) < 2:
        sys.exit(__doc__)
    binary, root = args[0], args[1]
    edits = int(args[args.index("--edits") + 1]) if "--edits" in args else 30
    title_edits = "--title" in args

    started = time.perf_counter()
    server = subprocess.Popen(
        [binary, "serve", "--watch", "--port", "0", "--as-of", "2025-12-01", "--root", root],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    log = []
    # Read stderr from the start: the first build's warnings could fill the pipe.
    threading.Thread(target=lambda: log.extend(server.stderr), daemon=True).start()
    line = server.stdout.readline()
    startup = time.perf_counter() - started
    match = re.match(r"serving http://([\d.]+):(\d+)/", line)
    if not match:
        server.kill()
        sys.exit(f"unexpected first line {line!r}: {''.join(log[-5:])}")
    host, port = match.group(1), int(match.group(2))
    rss_start = rss_mib(server.pid)

    events = socket.create_connection((host, port))
    events.sendall(b"GET /__hindsight/events HTTP/1.1\r\nHost: x\r\n\r\n")
    received = b""

    def get(path):
        """GET `path` on the server; returns (status, body bytes)."""
        with socket.create_connection((host, port)) as c:
            c.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
            data = b""
            while chunk := c.recv(1 << 20):
                data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        return int(head.split()[1]), body

    def settled():
        return b'"analysing":false' in get("/__hindsight/status")[1]

    def wait_for(count):
        nonlocal received
        deadline = time.monotonic() + 60
        while received.count(b"event: reload") < count:
            if time.monotonic() > deadline:
                raise SystemExit(f"no reload event #{count}; log:\n{''.join(log[-8:])}")
            events.settimeout(max(0.01, deadline - time.monotonic()))
            try:
                received += events.recv(65536)
            except TimeoutError:
                pass

    while b"event: hello" not in received:
        received += events.recv(65536)

    files = []
    for dirpath, _, names in os.walk(os.path.join(root, "content")):
        files += [os.path.join(dirpath, n) for n in names if n.endswith(".md")]
    files.sort()
    latencies = []
    served = []
    caught_up = []
    cpu = []
    rss_samples = []
    for k in range(edits):
        # Start each edit from a settled server, so that the reload counted is the save's.
        while not settled():
            time.sleep(0.01)
        time.sleep(0.05)
        # Take in the events already sent (the analysis's reload of the last edit).
        events.setblocking(False)
        try:
            while chunk := events.recv(65536):
                received += chunk
        except BlockingIOError:
            pass
        events.setblocking(True)
        before = received.count(b"event: reload")
        path = files[(k * 7919) % len(files)]
        with open(path, encoding="utf-8") as f:
            text = f.read()
        if title_edits:
            def retitle(m):
                title = m.group(1).strip()
                if len(title) > 1 and title[0] == title[-1] and title[0] in "\"'":
                    return f"title: {title[:-1]} (rev {k}){title[-1]}"
                return f"title: {title} (rev {k})"
            new = re.sub(r"^title: (.*)$", retitle, text, count=1, flags=re.M)
            if new == text:
                # No front matter: the title is the first heading.
                new = re.sub(r"^(# .*)$", lambda m: f"{m.group(1)} (rev {k})", text, count=1, flags=re.M)
        else:
            new = text + f"\nRevision {k}: the author added a sentence.\n"
        c = cpu_seconds(server.pid)
        t = time.perf_counter()
        with open(path, "w", encoding="utf-8") as f:
            f.write(new)
        wait_for(before + 1)
        latencies.append((time.perf_counter() - t) * 1000)
        stem = os.path.splitext(os.path.basename(path))[0]
        status, _ = get(f"/incidents/{stem}/")
        if status != 200 and "status: draft" not in new:
            raise SystemExit(f"/incidents/{stem}/ answered {status}")
        served.append((time.perf_counter() - t) * 1000)
        while not settled():
            time.sleep(0.005)
        caught_up.append((time.perf_counter() - t) * 1000)
        cpu.append((cpu_seconds(server.pid) - c) * 1000)
        if (k + 1) % 10 == 0:
            rss_samples.append(f"{k + 1}: {rss_mib(server.pid):.0f}")
    time.sleep(0.3)
    rss_end = rss_mib(server.pid)

    server.send_signal(signal.SIGINT)
    code = server.wait(timeout=10)
    events.close()

    reported = [float(m.group(1)) for l in log if (m := re.search(r"reload sent .* ([\d.]+) ms after the first event", l))]
    rebuilds = [float(m.group(1)) for l in log if (m := re.search(r"\(rebuild ([\d.]+) ms:", l))]
    breakdown = [l.split("ms: ", 1)[1].strip() for l in log if "(rebuild " in l][-1:]
    print(f"site: {root} ({len(files)} post-mortems), {edits} {'title' if title_edits else 'body'} edits")
    print(f"startup to address printed: {startup * 1000:.0f} ms")
    print(f"save -> reload event (client): median {statistics.median(latencies):.1f} ms, p90 {percentile(latencies, 90):.1f} ms, max {max(latencies):.1f} ms")
    print(f"save -> edited page served (reload event, then GET of the page): median {statistics.median(served):.1f} ms, max {max(served):.1f} ms")
    print(f"save -> full analysis caught up: median {statistics.median(caught_up):.1f} ms, max {max(caught_up):.1f} ms")
    if reported:
        print(f"first event -> reload sent (server): median {statistics.median(reported):.1f} ms, max {max(reported):.1f} ms")
        print(f"rebuild alone: median {statistics.median(rebuilds):.1f} ms; last: {breakdown[0] if breakdown else ''}")
    print(f"server CPU per edit (user+sys, all threads): median {statistics.median(cpu):.0f} ms")
    print(f"RSS: {rss_start:.0f} MiB after the first build, {rss_end:.0f} MiB after {edits} edits; by edits: {', '.join(rss_samples)}")
    print(f"load average during the run: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    print(f"exit after SIGINT: {code}")


if __name__ == "__main__":
    main()
