"""Headless Locust load tests that a notebook can run and plot.

Locust runs in a subprocess: gevent's monkey-patching does not mix with the Jupyter kernel's own
event loop, and a subprocess can also fork several Locust workers (``processes``) when one core
is not enough to generate the load.

Example::

    result = run_load_test(url, users=20, spawn_rate=5, duration=60)
    summary(result)["succeeded_per_s"]
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pandas as pd

from ..aws.waiting import poll

LOCUSTFILE = Path(__file__).with_name("locustfile.py")

_HISTORY_COLUMNS = {
    "User Count": "users",
    "Requests/s": "requests_per_s",
    "Failures/s": "failures_per_s",
    "50%": "p50_ms",
    "95%": "p95_ms",
    "99%": "p99_ms",
    "Total Request Count": "requests",
    "Total Failure Count": "failures",
    "Total Average Response Time": "mean_ms",
}


@dataclasses.dataclass
class LoadTestResult:
    """What one load test measured.

    ``history``: one row per second (elapsed_s, users, requests_per_s, failures_per_s, p50_ms,
    p95_ms, p99_ms, requests, failures). ``stats``: Locust's final per-path statistics.
    ``failures``: distinct failure messages with their counts.
    """

    history: pd.DataFrame
    stats: pd.DataFrame
    failures: pd.DataFrame
    url: str
    users: int
    duration_s: float

    @property
    def total(self) -> pd.Series:
        """The aggregated final row: request count, failure count, percentiles."""
        return self.stats[self.stats["Name"] == "Aggregated"].iloc[0]

    @property
    def failure_count(self) -> int:
        return int(self.total["Failure Count"])

    @property
    def request_count(self) -> int:
        return int(self.total["Request Count"])


def run_load_test(
    url: str,
    users: int = 10,
    spawn_rate: float = 5,
    duration: float = 60,
    *,
    paths: list[str] | None = None,
    wait_s: float = 0.0,
    processes: int = 1,
    locustfile: str | Path = LOCUSTFILE,
    progress: bool = True,
) -> LoadTestResult:
    """Run Locust headless against ``url`` for ``duration`` seconds and return what it measured.

    ``processes`` > 1 forks that many Locust workers on this machine (Locust's own multi-process
    mode); for more than one machine, run Locust's distributed mode with the same locustfile.
    """
    if users < 1 or duration <= 0:
        raise ValueError("users must be >= 1 and duration > 0")
    workdir = Path(tempfile.mkdtemp(prefix="loadtest-"))
    prefix = workdir / "run"
    env = {
        **os.environ,
        "LOADTEST_PATHS": ",".join(paths or ["/"]),
        "LOADTEST_WAIT": str(wait_s),
        "PYTHONUNBUFFERED": "1",
    }
    cmd = [
        sys.executable, "-m", "locust", "-f", str(locustfile), "--headless",
        "--host", url.rstrip("/"), "-u", str(users), "-r", str(spawn_rate),
        "--run-time", f"{round(duration)}s", "--stop-timeout", "5",
        "--csv", str(prefix), "--csv-full-history", "--only-summary", "--exit-code-on-error", "0",
        "--skip-log-setup",
    ]  # fmt: skip
    if processes > 1:
        cmd += ["--processes", str(processes)]
    log_path = workdir / "locust.log"
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=env)
        _wait_with_progress(proc, prefix, duration, progress)
    try:
        if proc.returncode != 0:
            raise RuntimeError(f"Locust exited with {proc.returncode}:\n{log_path.read_text()[-2000:]}")
        return LoadTestResult(
            history=_history(prefix),
            stats=pd.read_csv(f"{prefix}_stats.csv"),
            failures=pd.read_csv(f"{prefix}_failures.csv"),
            url=url,
            users=users,
            duration_s=duration,
        )
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def _wait_with_progress(proc: subprocess.Popen[bytes], prefix: Path, duration: float, progress: bool) -> None:
    try:
        poll(
            proc.poll,
            lambda returncode: returncode is not None,
            "load test",
            # Bounded: Locust stops itself after --run-time; the extra minute covers start-up and shutdown.
            timeout_s=duration + 60,
            estimate_s=duration,
            interval_s=1,
            progress=progress,
            postfix=lambda: _latest_rate(prefix),
        )
    except TimeoutError:
        proc.kill()
        raise TimeoutError("Locust did not stop in time") from None


def _latest_rate(prefix: Path) -> str:
    try:
        last = pd.read_csv(f"{prefix}_stats_history.csv").query("Name == 'Aggregated'").iloc[-1]
    except (OSError, IndexError, ValueError, KeyError):
        return ""
    return f"{last['Requests/s']:.0f} req/s, {last['Total Failure Count']} failures"


def _history(prefix: Path) -> pd.DataFrame:
    raw = pd.read_csv(f"{prefix}_stats_history.csv")
    aggregated = raw[raw["Name"] == "Aggregated"].copy()
    aggregated["elapsed_s"] = aggregated["Timestamp"] - aggregated["Timestamp"].min()
    history = aggregated.rename(columns=_HISTORY_COLUMNS)
    keep = ["elapsed_s", *_HISTORY_COLUMNS.values()]
    history = history[keep].apply(pd.to_numeric, errors="coerce").reset_index(drop=True)
    # Locust's own Requests/s is a sliding-window estimate that lags; the per-second difference of
    # the running totals is what was really served in each second.
    seconds = history["elapsed_s"].diff().where(lambda s: s > 0)
    history["requests_per_s"] = (history["requests"].diff() / seconds).fillna(0.0)
    history["failures_per_s"] = (history["failures"].diff() / seconds).fillna(0.0)
    return history


def summary(result: LoadTestResult) -> dict[str, float]:
    """The run in a few numbers: requests, failures, failure share, mean rate, median and p95 latency."""
    total = result.total
    requests = int(total["Request Count"])
    failures = int(total["Failure Count"])
    history = result.history
    busy = history[history["users"] > 0] if "users" in history else history
    return {
        "users": result.users,
        "duration_s": result.duration_s,
        "requests": requests,
        "failures": failures,
        "succeeded": requests - failures,
        "succeeded_per_s": round((requests - failures) / result.duration_s, 1),
        "failure_pct": round(100 * failures / requests, 1) if requests else 0.0,
        "requests_per_s": round(float(total["Requests/s"]), 1),
        "peak_requests_per_s": round(float(busy["requests_per_s"].max()), 1) if len(busy) else 0.0,
        "p50_ms": float(total["50%"]),
        "p95_ms": float(total["95%"]),
        "p99_ms": float(total["99%"]),
    }
