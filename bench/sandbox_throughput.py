"""How many single-record GETs per second the sandbox serves to 8 client threads.

    python bench/sandbox_throughput.py [--requests 4000] [--rounds 3] [--threads 8]

The sandbox runs in its own process (`sheetsync sandbox --memory`, no latency, a rate limit too
high to matter), so the client's threads do not share its GIL. The baseline, in the same run, is
a bare stdlib `ThreadingHTTPServer` in its own process answering every GET with a fixed body of
the same size as an average researcher record: the same HTTP framework doing no work at all.
The ratio sandbox/baseline says what the sandbox's own work (keys, limits, SQLite, JSON) costs.
Rounds alternate baseline and sandbox; the median of each is reported. The issue's bar is
400 GETs/s on this 2-core machine.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import requests

TARGET_PER_SECOND = 400.0
HEADERS = {"Authorization": "apikey sandbox-ro", "Accept": "application/json"}


class _FixedBodyHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    body = b"{}"

    def do_GET(self) -> None:
        self.wfile.write(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
            + str(len(self.body)).encode()
            + b"\r\n\r\n"
            + self.body
        )

    def log_message(self, format: str, *args: Any) -> None:
        pass


def serve_baseline(body_size: int) -> None:
    """Run the baseline server (in a child process); print its port as JSON, serve forever."""
    _FixedBodyHandler.body = json.dumps({"pad": "x" * max(0, body_size - 11)}).encode()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _FixedBodyHandler)
    server.daemon_threads = True
    print(json.dumps({"base_url": f"http://127.0.0.1:{server.server_address[1]}"}), flush=True)
    server.serve_forever()


def start(command: list[str]) -> tuple[subprocess.Popen[str], str]:
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    return process, json.loads(process.stdout.readline())["base_url"]


def hammer(urls: list[str], threads: int, total: int) -> float:
    """GET `total` URLs (random picks) from `threads` threads; return requests per second."""
    per_thread = total // threads
    failures: list[int] = []
    barrier = threading.Barrier(threads + 1)

    def worker(seed: int) -> None:
        session, rng = requests.Session(), random.Random(seed)
        session.get(urls[0], headers=HEADERS, timeout=30)  # connect before the clock starts
        barrier.wait()
        for _ in range(per_thread):
            response = session.get(rng.choice(urls), headers=HEADERS, timeout=30)
            if response.status_code != 200:
                failures.append(response.status_code)

    pool = [threading.Thread(target=worker, args=(n,)) for n in range(threads)]
    for thread in pool:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    for thread in pool:
        thread.join()
    elapsed = time.perf_counter() - started
    if failures:
        raise SystemExit(f"{len(failures)} requests failed, e.g. HTTP {failures[0]}")
    return per_thread * threads / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=4000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--baseline-server", type=int, metavar="BODY_SIZE", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.baseline_server is not None:
        serve_baseline(args.baseline_server)
        return

    sandbox, sandbox_url = start(
        [sys.executable, "-m", "sheetsync", "sandbox", "--port", "0", "--memory", "--json",
         "--rate-limit", "1000000", "--researchers", "500", "--assets", "10"]
    )  # fmt: skip
    try:
        page = requests.get(
            f"{sandbox_url}/esploro/v1/researchers?limit=100", headers=HEADERS, timeout=30
        ).json()
        urls = [user["link"] for user in page["user"]]
        size = statistics.mean(
            len(requests.get(u, headers=HEADERS, timeout=30).content) for u in urls
        )
        baseline, baseline_url = start(
            [sys.executable, __file__, "--baseline-server", str(int(size))]
        )
        try:
            baseline_urls = [f"{baseline_url}/esploro/v1/researchers/{n}" for n in range(100)]
            baseline_rates, sandbox_rates = [], []
            for _ in range(args.rounds):
                baseline_rates.append(hammer(baseline_urls, args.threads, args.requests))
                sandbox_rates.append(hammer(urls, args.threads, args.requests))
        finally:
            baseline.terminate()
    finally:
        sandbox.terminate()

    sandbox_rate = statistics.median(sandbox_rates)
    baseline_rate = statistics.median(baseline_rates)
    print(f"record size             {size:,.0f} bytes (mean of 100 researchers)")
    print(f"client                  {args.threads} threads, {args.requests} GETs a round, "
          f"{args.rounds} rounds")  # fmt: skip
    print(f"baseline (bare server)  {baseline_rate:8.0f} GETs/s   rounds: "
          + ", ".join(f"{r:.0f}" for r in baseline_rates))  # fmt: skip
    print(f"sandbox                 {sandbox_rate:8.0f} GETs/s   rounds: "
          + ", ".join(f"{r:.0f}" for r in sandbox_rates))  # fmt: skip
    print(f"ratio sandbox/baseline  {sandbox_rate / baseline_rate:8.2f}")
    verdict = "meets" if sandbox_rate >= TARGET_PER_SECOND else "MISSES"
    print(f"target                  {TARGET_PER_SECOND:8.0f} GETs/s: {verdict}")


if __name__ == "__main__":
    main()
