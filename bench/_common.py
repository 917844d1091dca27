"""Shared pieces of the benchmarks: a floor server, keep-alive clients, percentiles and the table."""

from __future__ import annotations

import contextlib
import dataclasses
import http.client
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, NamedTuple

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


class Listener(NamedTuple):
    """A server the bench started: where it listens and which process it is."""

    port: int
    pid: int


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def floor_server() -> Iterator[Listener]:
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
        yield Listener(port, proc.pid)
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


ROUNDS = 5  # rounds per side, taken in turns


@dataclasses.dataclass
class CpuUse:
    """CPU seconds a side used while measured: its server process, that process's children (the
    execution environments) and this bench process (the client threads), and the requests served."""

    server: float = 0.0
    environments: float = 0.0
    clients: float = 0.0
    requests: int = 0

    def per_request_us(self) -> tuple[float, float, float]:
        n = max(self.requests, 1)
        return self.server / n * 1e6, self.environments / n * 1e6, self.clients / n * 1e6


@dataclasses.dataclass
class Side:
    """One server's measurements from :func:`alternating`: a rate per round, every latency and,
    when its pid was given, where the CPU went."""

    rates: list[float]
    samples: list[float]
    cpu: CpuUse = dataclasses.field(default_factory=CpuUse)

    @property
    def rate(self) -> float:
        return statistics.median(self.rates)


def cpu_seconds(pid: int) -> float:
    """User plus system CPU seconds process ``pid`` (all its threads) used so far; 0 once gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def children(pid: int) -> list[int]:
    """The processes ``pid`` started (any of its threads) that are still running."""
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        with contextlib.suppress(OSError):
            found += [int(child) for child in (task / "children").read_text().split()]
    return found


def alternating(
    measure: Callable[[int], tuple[float, list[float]]],
    ports: Sequence[int],
    rounds: int = ROUNDS,
    pids: Sequence[int] | None = None,
) -> list[Side]:
    """``measure(port)`` for each port in turns, ``rounds`` times each. Taking turns spreads a noisy
    neighbour over every side alike; see :func:`paired_ratio` for comparing two sides. With the
    servers' ``pids``, each side also records its :class:`CpuUse`."""
    sides = [Side([], []) for _ in ports]
    for _ in range(rounds):
        for i, (side, port) in enumerate(zip(sides, ports, strict=True)):
            pid = pids[i] if pids else None
            kids = children(pid) if pid else []
            before = (cpu_seconds(pid) if pid else 0.0, sum(map(cpu_seconds, kids)), _own_cpu())
            rate, latency = measure(port)
            if pid:
                side.cpu.server += cpu_seconds(pid) - before[0]
                side.cpu.environments += sum(map(cpu_seconds, kids)) - before[1]
                side.cpu.clients += _own_cpu() - before[2]
                side.cpu.requests += len(latency)
            side.rates.append(rate)
            side.samples.extend(latency)
    return sides


def _own_cpu() -> float:
    times = os.times()
    return times.user + times.system


def cpu_report(title: str, ours: Side, relay: Side, floor: Side, target: float, cores: int | None = None) -> str:
    """Microseconds of CPU per request for pocketcloud, the relay and the floor, split by process,
    as a Markdown table; then what reaching ``target`` x the floor's rate leaves pocketcloud's server
    when the machine's ``cores`` (default: all of them) are what limits it."""
    lines = [f"| {title} | server | environments | clients | total |", "|---|---:|---:|---:|---:|"]
    for name, side in (("pocketcloud", ours), ("relay-only server", relay), ("floor", floor)):
        server, environments, clients = side.cpu.per_request_us()
        total = server + environments + clients
        lines.append(f"| {name} | {server:,.0f} µs | {environments:,.0f} µs | {clients:,.0f} µs | {total:,.0f} µs |")
    cores = cores or os.cpu_count() or 1
    # The cores, not the floor's CPU, are the budget: the floor does not fill them (its clients are
    # threads of one process), so its own CPU per request would understate what a rate allows.
    budget = cores * 1e6 / (target * floor.rate)
    floor_busy = sum(floor.cpu.per_request_us()) * floor.rate / 1e6
    server, environments, clients = ours.cpu.per_request_us()
    lines.append("")
    lines.append(
        f"At {target}x of the floor's rate ({target * floor.rate:,.0f}/s) the {cores} cores give a request "
        f"{budget:,.0f} µs of CPU in all (the floor kept {floor_busy:.1f} of them busy); pocketcloud's "
        f"environments and clients took {environments + clients:,.0f} µs of that, leaving "
        f"{budget - environments - clients:,.0f} µs for its server, which took {server:,.0f} µs."
    )
    return "\n".join(lines)


def paired_ratio(side: Side, reference: Side) -> float:
    """The median over rounds of ``side``'s rate / ``reference``'s rate in the same round: this host's
    speed drifts by a third within minutes, and a ratio of neighbours cancels most of that drift."""
    return statistics.median(a / b for a, b in zip(side.rates, reference.rates, strict=True))


Row = tuple[str, float, float, str, str] | tuple[str, float, float, str, str, float]


def relay_rows(label: str, ours: Side, relay: Side, floor: Side) -> list[Row]:
    """The two informative rows a relay-only server gives (see ``_relay.py``): the ceiling any
    server reaches against the floor, and pocketcloud against that ceiling."""
    return [
        (f"{label}: relay-only server vs floor (ceiling)", relay.rate, floor.rate, "/s", "(informative)",
         paired_ratio(relay, floor)),
        (f"{label}: pocketcloud vs relay-only server", ours.rate, relay.rate, "/s", "(informative)",
         paired_ratio(ours, relay)),
    ]  # fmt: skip


def table(rows: list[Row]) -> str:
    """Rows of (what, measured, reference, unit, target[, ratio]) as a Markdown table; the ratio is
    measured / reference unless given (rates give their :func:`paired_ratio`)."""
    lines = ["| measure | measured | reference | ratio | target |", "|---|---:|---:|---:|---|"]
    for what, measured, reference, unit, target, *given in rows:
        ratio = given[0] if given else (measured / reference if reference else float("inf"))
        lines.append(f"| {what} | {measured:,.2f} {unit} | {reference:,.2f} {unit} | {ratio:.2f}x | {target} |")
    return "\n".join(lines)


LAMBDA_TRUST = (
    '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", '
    '"Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}'
)


def lambda_role(cloud: Any, name: str = "bench") -> str:
    """An execution role Lambda can assume (trust policy, basic execution policy), returned once IAM has
    propagated it, as a client on AWS waits before CreateFunction."""
    iam = cloud.client("iam")
    arn = str(iam.create_role(RoleName=name, AssumeRolePolicyDocument=LAMBDA_TRUST)["Role"]["Arn"])
    iam.attach_role_policy(RoleName=name, PolicyArn="arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole")
    time.sleep(cloud.status()["services"]["iam"]["settles_in_seconds"])
    return arn
