#!/usr/bin/env python3
"""Opens connections that never send a byte to a running backend, then asks /health.

    scripts/idle-connections.py --url http://127.0.0.1:8080 --count 25000

Prints one JSON line: how many connections were opened and held, and whether /health
answered within --timeout seconds while they were open. The connections are spread
over worker processes, each from a loopback address of its own (127.0.0.2, .3, ...), so
that neither the client's open-files limit nor its port range is the bound.
"""

import argparse
import http.client
import json
import multiprocessing
import resource
import socket
import time
from urllib.parse import urlparse

PER_WORKER = 10_000


def raise_open_files_limit():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def hold(host, port, source, count, opened, release):
    raise_open_files_limit()
    sockets = []
    failures_in_a_row = 0
    while len(sockets) < count and failures_in_a_row < 20:
        s = socket.socket()
        s.settimeout(0.5)
        try:
            s.bind((source, 0))
            s.connect((host, port))
            sockets.append(s)
            failures_in_a_row = 0
        except OSError:
            s.close()
            failures_in_a_row += 1
    opened.put(len(sockets))
    release.wait()
    # How many the server closed meanwhile (a read that ends the stream).
    closed = 0
    for s in sockets:
        s.setblocking(False)
        try:
            if s.recv(1) == b"":
                closed += 1
        except BlockingIOError:
            pass
        except OSError:
            closed += 1
        s.close()
    opened.put(closed)


def health(host, port, timeout):
    started = time.monotonic()
    try:
        connection = http.client.HTTPConnection(
            host, port, timeout=timeout, source_address=("127.0.0.1", 0)
        )
        connection.request("GET", "/health")
        status = connection.getresponse().status
    except OSError as error:
        status = type(error).__name__
    return status, round((time.monotonic() - started) * 1000, 1)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--count", type=int, required=True)
    parser.add_argument("--timeout", type=float, default=3.0)
    parser.add_argument("--hold-seconds", type=float, default=1.0)
    args = parser.parse_args()
    url = urlparse(args.url)
    host, port = url.hostname, url.port

    opened, release = multiprocessing.Queue(), multiprocessing.Event()
    workers = []
    left = args.count
    while left > 0:
        share = min(left, PER_WORKER)
        left -= share
        source = f"127.0.0.{len(workers) + 2}"
        worker = multiprocessing.Process(
            target=hold, args=(host, port, source, share, opened, release)
        )
        worker.start()
        workers.append(worker)
    held = sum(opened.get() for _ in workers)
    time.sleep(args.hold_seconds)
    status, ms = health(host, port, args.timeout)
    release.set()
    closed_by_server = sum(opened.get() for _ in workers)
    for worker in workers:
        worker.join()
    print(json.dumps({
        "asked": args.count,
        "held": held,
        "closed_by_server": closed_by_server,
        "health": status,
        "health_ms": ms,
    }))


if __name__ == "__main__":
    main()
