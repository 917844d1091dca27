"""Shared pieces of the benchmarks: a floor server, keep-alive clients, percentiles and the table."""

from __future__ import annotations

import contextlib
import http.client
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator

FLOOR_SERVER = """
import sys
from aiohttp import web
async def answer(request):
    await request.read()
    return web.Response(body=b'1', content_type='application/json')
app = web.Application()
app.router.add_route('*', '/{tail:.*}', answer)
web.run_app(app, host='127.0.0.1', port=int(sys.argv[1]), print=None, access_log=None)
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def floor_server() -> Iterator[int]:
    """A trivial aiohttp server in its own process: the fastest an HTTP round trip gets here."""
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-c", FLOOR_SERVER, str(port)])
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        yield port
    finally:
        proc.terminate()
        proc.wait(10)


def connection(port: int) -> http.client.HTTPConnection:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    conn.connect()
    conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return conn


def request(conn: http.client.HTTPConnection, method: str, path: str, body: bytes | None = None) -> int:
    conn.request(method, path, body=body, headers={"Content-Type": "application/json"})
    response = conn.getresponse()
    response.read()
    return response.status


def latencies(call: Callable[[], object], count: int, warmup: int = 20) -> list[float]:
    for _ in range(warmup):
        call()
    samples = []
    for _ in range(count):
        started = time.perf_counter()
        call()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def pct(samples: list[float], q: float) -> float:
    return statistics.quantiles(samples, n=100, method="inclusive")[int(q) - 1] if len(samples) > 1 else samples[0]


def throughput(
    port: int, method: str, path: str, body: bytes | None, clients: int, seconds: float
) -> tuple[float, list[float]]:
    """Requests/s and latencies with ``clients`` keep-alive connections in parallel for ``seconds``."""
    done: list[float] = []
    lock = threading.Lock()

    def worker(ready: Callable[[], object]) -> None:
        conn = connection(port)
        ready()
        mine = []
        end = time.perf_counter() + seconds
        while (now := time.perf_counter()) < end:
            request(conn, method, path, body)
            mine.append((time.perf_counter() - now) * 1000)
        with lock:
            done.extend(mine)
        conn.close()

    elapsed = in_parallel(clients, worker)
    return len(done) / elapsed, done


def in_parallel(clients: int, worker: Callable[[Callable[[], object]], None]) -> float:
    """Run ``worker(ready)`` on ``clients`` threads. Each calls ``ready()`` once connected; the clock
    starts when all have. Returns the seconds from then until the last worker returned."""
    barrier = threading.Barrier(clients + 1)
    threads = [threading.Thread(target=worker, args=(barrier.wait,)) for _ in range(clients)]
    for thread in threads:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started


def alternating(
    measure: Callable[[int], tuple[float, list[float]]], ports: tuple[int, int], rounds: int = 3
) -> tuple[tuple[float, list[float]], tuple[float, list[float]]]:
    """``measure(port)`` for pocketcloud and the floor in turns, ``rounds`` times each: the median rate
    and all latencies of each side. Taking turns spreads a noisy neighbour over both sides alike."""
    rates: tuple[list[float], list[float]] = ([], [])
    samples: tuple[list[float], list[float]] = ([], [])
    for _ in range(rounds):
        for side, port in enumerate(ports):
            rate, latency = measure(port)
            rates[side].append(rate)
            samples[side].extend(latency)
    return (statistics.median(rates[0]), samples[0]), (statistics.median(rates[1]), samples[1])


def table(rows: list[tuple[str, float, float, str, str]]) -> str:
    """Rows of (what, measured, floor, ratio rule, target) as a Markdown table."""
    lines = ["| measure | pocketcloud | floor | ratio | target |", "|---|---:|---:|---:|---|"]
    for what, measured, floor, unit, target in rows:
        ratio = measured / floor if floor else float("inf")
        lines.append(f"| {what} | {measured:,.2f} {unit} | {floor:,.2f} {unit} | {ratio:.2f}x | {target} |")
    return "\n".join(lines)
