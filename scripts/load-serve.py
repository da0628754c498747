#!/usr/bin/env python3
"""Load benchmark of `hindsight serve` (a report, not a timed test).

    scripts/load-serve.py BIN SITE_DIR [--requests 1000] [--connections 50]
                          [--stalled 10] [--live 20] [--rounds 3]

Starts the server on an ephemeral port, then, all at once:
- `--live` clients hold the live-reload event stream open;
- `--stalled` clients connect and send half a request that they never finish;
- `--connections` keep-alive connections share `--requests` page requests (the home
  page, list pages and every incident page, round robin), each waiting for its answer.
It does so `--rounds` times and reports, per round, how many requests were answered
(and with which statuses), latency percentiles and the server's resident memory. It
exits 1 when a request is not answered or the memory grows by more than 25% between
the first and the last round; 0 otherwise.
"""

import json
import os
import re
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


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def read_response(sock, buffer):
    """Read one HTTP/1.1 response (Content-Length bodies); returns (status, rest)."""
    while b"\r\n\r\n" not in buffer:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("closed before the headers")
        buffer += chunk
    head, _, rest = buffer.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    length = 0
    for line in lines[1:]:
        name, _, value = line.partition(":")
        if name.strip().lower() == "content-length":
            length = int(value.strip())
    while len(rest) < length:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("closed inside the body")
        rest += chunk
    return status, rest[length:]


def fetch(host, port, path):
    with socket.create_connection((host, port), timeout=30) as c:
        c.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
        data = b""
        while True:
            chunk = c.recv(65536)
            if not chunk:
                break
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    return int(head.split()[1]), body


def main():
    args = sys.argv[1:]
    if len(args) < 2:
        sys.exit(__doc__)
    binary, root = args[0], args[1]

    def option(name, default):
        return int(args[args.index(name) + 1]) if name in args else default

    requests = option("--requests", 1000)
    connections = option("--connections", 50)
    stalled = option("--stalled", 10)
    live = option("--live", 20)
    rounds = option("--rounds", 3)

    server = subprocess.Popen(
        [binary, "serve", "--watch", "--port", "0", "--as-of", "2025-12-01", "--root", root],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    log = []
    threading.Thread(target=lambda: log.extend(server.stderr), daemon=True).start()
    line = server.stdout.readline()
    match = re.match(r"serving http://([\d.]+):(\d+)/", line)
    if not match:
        server.kill()
        sys.exit(f"unexpected first line {line!r}: {''.join(log[-5:])}")
    host, port = match.group(1), int(match.group(2))

    status, body = fetch(host, port, "/api/incidents.json")
    incidents = json.loads(body)["incidents"] if status == 200 else []
    paths = ["/", "/incidents/", "/services/", "/action-items/", "/dashboard/"]
    paths += ["/" + i["url"].removesuffix("index.html") for i in incidents]

    held = []
    for _ in range(live):
        s = socket.create_connection((host, port))
        s.sendall(b"GET /__hindsight/events HTTP/1.1\r\nHost: x\r\n\r\n")
        held.append(s)
    for _ in range(stalled):
        s = socket.create_connection((host, port))
        s.sendall(b"GET /index.html HTTP/1.1\r\nHost: x\r\n")  # never finished
        held.append(s)

    failed = 0
    memory = []
    for round_no in range(1, rounds + 1):
        latencies, statuses, errors = [], {}, []
        lock = threading.Lock()
        per = [requests // connections + (1 if i < requests % connections else 0)
               for i in range(connections)]

        def client(n, count):
            try:
                sock = socket.create_connection((host, port), timeout=30)
            except OSError as e:
                with lock:
                    errors.extend([str(e)] * count)
                return
            buffer = b""
            for k in range(count):
                path = paths[(n * 7919 + k) % len(paths)]
                started = time.perf_counter()
                try:
                    sock.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
                    status, buffer = read_response(sock, buffer)
                except (OSError, ConnectionError, ValueError) as e:
                    with lock:
                        errors.extend([f"{path}: {e}"] * (count - k))
                    break
                with lock:
                    latencies.append(time.perf_counter() - started)
                    statuses[status] = statuses.get(status, 0) + 1
            sock.close()

        started = time.perf_counter()
        threads = [threading.Thread(target=client, args=(n, c)) for n, c in enumerate(per)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.perf_counter() - started
        rss = rss_mib(server.pid)
        memory.append(rss)
        answered = len(latencies)
        failed += len(errors)
        ms = [x * 1000 for x in latencies] or [float("nan")]
        print(
            f"round {round_no}: {answered}/{requests} answered in {wall:.2f} s over {connections} connections "
            f"(+{stalled} stalled, +{live} live-reload); statuses {dict(sorted(statuses.items()))}; "
            f"latency median {statistics.median(ms):.1f} ms, p95 {percentile(ms, 95):.1f} ms, "
            f"max {max(ms):.1f} ms; RSS {rss:.0f} MiB"
        )
        for e in errors[:5]:
            print(f"  unanswered: {e}")

    alive = server.poll() is None
    for s in held:
        s.close()
    server.terminate()
    try:
        server.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.kill()
    growth = (memory[-1] - memory[0]) / memory[0] if memory and memory[0] else 0.0
    print(f"memory first → last round: {memory[0]:.0f} → {memory[-1]:.0f} MiB ({growth:+.0%}); "
          f"server {'still up' if alive else 'DIED'}")
    sys.exit(0 if failed == 0 and alive and growth <= 0.25 else 1)


if __name__ == "__main__":
    main()
