"""Headless Locust load tests that a notebook can run and plot.

Locust runs in a subprocess: gevent's monkey-patching does not mix with the Jupyter kernel's own
event loop, and a subprocess can also fork several Locust workers (``processes``) when one core
is not enough to generate the load.

Two load shapes: a closed loop (each user calls again ``wait_s`` after its answer: the rate follows the
answers) and a constant arrival rate (``rate`` calls per second, evenly spaced over the users, whatever the
answers: the shape that makes ``concurrency = arrival rate x duration`` hold). Every call is logged with its
start, latency and HTTP status (``LoadTestResult.calls``), so successful and failed calls are counted and
timed apart, per second.

Example::

    result = run_load_test(url, rate=40, duration=30)
    summary(result)["succeeded_per_s"]
    per_second(result)[["second", "succeeded", "failed"]]
"""

from __future__ import annotations

import dataclasses
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

from ..aws.waiting import poll
from ..text import say

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
    ``failures``: distinct failure messages with their counts. ``calls``: one row per call (``start`` in
    seconds since the run's first call, ``latency_ms``, ``status``: the HTTP status, 0 without an answer,
    ``ok``: status 200). ``rate``: the arrival rate asked for (0 for a closed loop).
    """

    history: pd.DataFrame
    stats: pd.DataFrame
    failures: pd.DataFrame
    url: str
    users: int
    duration_s: float
    calls: pd.DataFrame = dataclasses.field(default_factory=pd.DataFrame)
    rate: float = 0.0
    started_at: float = 0.0  # Unix time of the first call

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


def users_for_rate(rate: float, slowest_s: float = 2.0) -> int:
    """Users a constant arrival rate needs: each user waits for its answer, so with answers up to
    ``slowest_s`` seconds every user may have one call open that long.

    >>> users_for_rate(40)
    80
    """
    return max(1, math.ceil(rate * slowest_s))


def run_load_test(
    url: str,
    users: int | None = None,
    spawn_rate: float | None = None,
    duration: float = 60,
    *,
    rate: float = 0.0,
    paths: list[str] | None = None,
    wait_s: float = 0.0,
    processes: int = 1,
    locustfile: str | Path = LOCUSTFILE,
    progress: bool = True,
    opening: int = 0,
) -> LoadTestResult:
    """Run Locust headless against ``url`` for ``duration`` seconds and return what it measured.

    ``rate`` > 0: a constant arrival rate of ``rate`` calls per second from the first second (a step from
    nothing to the full rate: a burst), spread evenly over ``users`` (default :func:`users_for_rate`), all
    started at once; ``opening`` of them also call at the same instant when the burst opens (a crowd arriving
    together), before their place in the schedule. ``rate`` = 0: ``users`` (default 10) in a closed loop, started
    ``spawn_rate`` per second,
    each pausing ``wait_s`` after every answer. ``processes`` > 1 forks that many Locust workers on this
    machine (Locust's own multi-process mode; with a rate, each worker schedules its own users); for more
    than one machine, run Locust's distributed mode with the same locustfile.
    """
    if users is None:
        users = users_for_rate(rate) if rate > 0 else 10
    if spawn_rate is None:
        spawn_rate = users if rate > 0 else 5
    if users < 1 or duration <= 0 or rate < 0 or not 0 <= opening <= users:
        raise ValueError(say("measure.loadtest.bad_parameters"))
    workdir = Path(tempfile.mkdtemp(prefix="loadtest-"))
    prefix = workdir / "run"
    calls_log = workdir / "calls.csv"
    env = {
        **os.environ,
        "LOADTEST_PATHS": ",".join(paths or ["/"]),
        "LOADTEST_WAIT": str(wait_s),
        "LOADTEST_RATE": str(rate / max(1, processes)),
        "LOADTEST_USERS": str(max(1, users // max(1, processes))),
        "LOADTEST_OPENING": str(opening // max(1, processes)),
        # Locust takes about a second to start its users: the schedule begins once they are there.
        "LOADTEST_T0": str(time.time() + 1.5),
        "LOADTEST_LOG": str(calls_log),
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
            raise RuntimeError(
                say("measure.loadtest.locust_failed", code=proc.returncode, log=log_path.read_text()[-2000:])
            )
        calls, started_at = _calls(calls_log)
        return LoadTestResult(
            history=_history(prefix),
            stats=pd.read_csv(f"{prefix}_stats.csv"),
            failures=pd.read_csv(f"{prefix}_failures.csv"),
            url=url,
            users=users,
            duration_s=duration,
            calls=calls,
            rate=rate,
            started_at=started_at,
        )
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def _wait_with_progress(proc: subprocess.Popen[bytes], prefix: Path, duration: float, progress: bool) -> None:
    try:
        poll(
            proc.poll,
            lambda returncode: returncode is not None,
            say("measure.loadtest.label"),
            # Bounded: Locust stops itself after --run-time; the extra minute covers start-up and shutdown.
            timeout_s=duration + 60,
            estimate_s=duration,
            interval_s=1,
            progress=progress,
            postfix=lambda: _latest_rate(prefix),
        )
    except TimeoutError:
        proc.kill()
        raise TimeoutError(say("measure.loadtest.locust_did_not_stop")) from None


def _latest_rate(prefix: Path) -> str:
    try:
        last = pd.read_csv(f"{prefix}_stats_history.csv").query("Name == 'Aggregated'").iloc[-1]
    except (OSError, IndexError, ValueError, KeyError):
        return ""
    return say("measure.loadtest.progress", rate=last["Requests/s"], failures=int(last["Total Failure Count"]))


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


def _calls(path: Path) -> tuple[pd.DataFrame, float]:
    """The call log as a frame (start in seconds since the first call), and the first call's Unix time."""
    columns = ["start", "latency_ms", "status"]
    try:
        calls = pd.read_csv(path, names=columns)
    except (OSError, pd.errors.EmptyDataError):
        calls = pd.DataFrame(columns=columns)
    calls = calls.sort_values("start").reset_index(drop=True)
    started_at = float(calls["start"].min()) if len(calls) else 0.0
    calls["start"] = calls["start"] - started_at
    calls["status"] = calls["status"].astype(int)
    calls["ok"] = calls["status"] == 200
    return calls, started_at


def per_second(result: LoadTestResult) -> pd.DataFrame:
    """One row per second of the run: calls sent, succeeded and failed, and the median and p95 latency of
    the successful and of the failed calls apart (a fast refusal is not a fast answer)."""
    calls = result.calls.assign(second=lambda c: c["start"].astype(int))
    seconds = pd.RangeIndex(int(calls["second"].max()) + 1 if len(calls) else 0, name="second")
    by_second = calls.groupby("second")
    ok = calls[calls["ok"]].groupby("second")["latency_ms"]
    failed = calls[~calls["ok"]].groupby("second")["latency_ms"]
    frame = pd.DataFrame(
        {
            "sent": by_second.size(),
            "succeeded": ok.size(),
            "failed": failed.size(),
            "p50_ok_ms": ok.median(),
            "p95_ok_ms": ok.quantile(0.95),
            "p50_failed_ms": failed.median(),
        }
    ).reindex(seconds)
    counts = ["sent", "succeeded", "failed"]
    frame[counts] = frame[counts].fillna(0).astype(int)
    return frame.reset_index()


def summary(result: LoadTestResult) -> dict[str, float]:
    """The run in a few numbers: calls, how many succeeded and failed, the rates, and the latency of the
    successful and of the failed calls apart (from the call log; Locust's own totals when there is none)."""
    calls = result.calls
    if calls.empty:
        total = result.total
        requests, failures = int(total["Request Count"]), int(total["Failure Count"])
        ok_ms = failed_ms = pd.Series(dtype=float)
    else:
        requests, failures = len(calls), int((~calls["ok"]).sum())
        ok_ms, failed_ms = calls.loc[calls["ok"], "latency_ms"], calls.loc[~calls["ok"], "latency_ms"]

    def pct(values: pd.Series, q: float) -> float:
        return round(float(values.quantile(q)), 1) if len(values) else 0.0

    return {
        "users": result.users,
        "duration_s": result.duration_s,
        "requests": requests,
        "succeeded": requests - failures,
        "failed": failures,
        "failure_pct": round(100 * failures / requests, 1) if requests else 0.0,
        "requests_per_s": round(requests / result.duration_s, 1),
        "succeeded_per_s": round((requests - failures) / result.duration_s, 1),
        "p50_ok_ms": pct(ok_ms, 0.5),
        "p95_ok_ms": pct(ok_ms, 0.95),
        "p50_failed_ms": pct(failed_ms, 0.5),
    }
