"""pocketcloud's start: from launching ``pocketcloud up`` to its first answered AWS API call.

Run: ``.venv/bin/python bench/startup.py`` (about a minute). Target on a 2-core machine: the first
call answered within 1 s of launch. The floor, measured in the same run and in turns with
pocketcloud, is ``python -c "import boto3"``: the least any Python AWS tool pays before it can do
anything. A second table shows what each service's first call costs (moto loads a service's
modules on its first use), in the order the workshop first calls them.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import boto3
from _common import free_port, table
from botocore.config import Config

ROUNDS = 7
BIN = Path(sys.executable).parent
FIRST_CALLS: dict[str, Callable[[Any], object]] = {
    "sts": lambda c: c.get_caller_identity(),
    "lambda": lambda c: c.list_functions(),
}
# The first call of each service, in the order modules 1-5 first use them.
WORKSHOP_ORDER: list[tuple[str, Callable[[Any], object]]] = [
    ("iam", lambda c: c.list_roles()),
    ("s3", lambda c: c.list_buckets()),
    ("sns", lambda c: c.list_topics()),
    ("lambda", lambda c: c.list_functions()),
    ("logs", lambda c: c.describe_log_groups()),
    ("cloudformation", lambda c: c.list_stacks()),
    ("ec2", lambda c: c.describe_vpcs()),
    ("rds", lambda c: c.describe_db_instances()),
    ("secretsmanager", lambda c: c.list_secrets()),
    ("apigateway", lambda c: c.get_rest_apis()),
    ("cloudwatch", lambda c: c.list_metrics()),
    ("xray", lambda c: c.get_trace_summaries(StartTime=0, EndTime=1)),
]


def client(service: str, port: int) -> Any:
    return boto3.client(
        service,
        endpoint_url=f"http://127.0.0.1:{port}",
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        config=Config(retries={"total_max_attempts": 1}),
    )


def floor_seconds() -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import boto3"], check=True)
    return time.perf_counter() - started


class Launch:
    """``pocketcloud up`` as a learner runs it (the CLI, in its own process), on a free port."""

    def __init__(self) -> None:
        self.port = free_port()
        self._state = tempfile.TemporaryDirectory(prefix="bench-startup-")
        self._args = ["--state-dir", self._state.name, "--port", str(self.port)]

    def up(self) -> float:
        started = time.perf_counter()
        subprocess.run(
            [str(BIN / "pocketcloud"), *self._args, "up"],
            check=True,
            stdout=subprocess.DEVNULL,
            env={**_env(), "POCKETCLOUD_XRAY_PORT": "0"},
        )
        return started

    def down(self) -> None:
        subprocess.run([str(BIN / "pocketcloud"), *self._args, "down"], check=True, stdout=subprocess.DEVNULL)
        self._state.cleanup()


def _env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("POCKETCLOUD_")}


def launch_to_first_call(service: str) -> tuple[float, float]:
    """Seconds from launching ``pocketcloud up`` until it returned, and until ``service`` answered."""
    launch = Launch()
    api = client(service, launch.port)  # made before the launch: the learner's tool is already running
    try:
        started = launch.up()
        ready = time.perf_counter()
        FIRST_CALLS[service](api)
        return ready - started, time.perf_counter() - started
    finally:
        launch.down()


def first_use_costs() -> list[tuple[str, float, float]]:
    """Each service's first and second call, in the workshop's order, on one fresh pocketcloud."""
    launch = Launch()
    try:
        launch.up()
        costs = []
        for service, call in WORKSHOP_ORDER:
            api = client(service, launch.port)
            started = time.perf_counter()
            call(api)
            first = time.perf_counter() - started
            started = time.perf_counter()
            call(api)
            costs.append((service, first, time.perf_counter() - started))
        return costs
    finally:
        launch.down()


def main() -> None:
    floors: list[float] = []
    results: dict[str, list[tuple[float, float]]] = {service: [] for service in FIRST_CALLS}
    for _ in range(ROUNDS):  # in turns, so the host's drifting speed falls on every side alike
        floors.append(floor_seconds())
        for service in FIRST_CALLS:
            results[service].append(launch_to_first_call(service))
    floor = statistics.median(floors)
    rows = []
    for service, samples in results.items():
        first = [total for _, total in samples]
        ratio = statistics.median(total / f for (_, total), f in zip(samples, floors, strict=True))
        rows.append(
            (
                f"launch to first answered call ({service}), median",
                statistics.median(first),
                floor,
                "s",
                "<= 1 s",
                ratio,
            )
        )
        rows.append(
            (
                f"launch to first answered call ({service}), worst of {ROUNDS}",
                max(first),
                max(floors),
                "s",
                "(informative)",
            )
        )
    ready = [up for samples in results.values() for up, _ in samples]
    rows.append(("'pocketcloud up' returns (ready), median", statistics.median(ready), floor, "s", "(informative)"))
    print(f'`bench/startup.py`: floor `python -c "import boto3"`, {ROUNDS} rounds in turns')
    print()
    print(table(rows))
    print()
    print("| first call of a service, in the workshop's order | first | second |")
    print("|---|---:|---:|")
    for service, first, second in first_use_costs():
        print(f"| {service} | {first * 1000:,.0f} ms | {second * 1000:,.1f} ms |")
    within = all(statistics.median(t for _, t in s) <= 1.0 for s in results.values())
    print()
    print(f"target (first answered call within 1 s of launch): {'met' if within else 'NOT met'}")


if __name__ == "__main__":
    main()
