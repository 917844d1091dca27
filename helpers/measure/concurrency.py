"""Concurrency measured from Lambda's REPORT lines: environments started over time, invocations in flight, and
the model that predicts them (concurrency = arrival rate x duration).

Each REPORT line ends an invocation: its log event's time is the end, its Duration (plus Init Duration on a
cold start) how long the environment was busy before. Replaying those intervals gives how many invocations
ran at the same time in every second, and each log stream's first line when a new environment started (one
stream per environment, on AWS as on pocketcloud). The load generator's call log adds what the client saw.

Example::

    run = burst_run("v2", load_result, reports, scaling_rate=10)
    run.seconds[["second", "succeeded", "throttled", "errors", "environments", "concurrency"]]
    run.model_concurrency, run.steady_peak
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pandas as pd

from .loadtest import LoadTestResult, per_second

THROTTLED_STATUS = 500  # what API Gateway answers when Lambda throttles the invocation of a proxy integration


def busy_intervals(reports: pd.DataFrame, started_at: float) -> pd.DataFrame:
    """One row per invocation: ``start`` and ``end`` in seconds since ``started_at`` (Unix time), the log
    stream (its environment), whether it was a cold start, and its Duration.

    >>> reports = pd.DataFrame({"timestamp": pd.to_datetime([1.5, 2.0], unit="s", utc=True),
    ...     "duration_ms": [500.0, 100.0], "init_ms": [250.0, None], "log_stream": ["a", "a"], "cold": [True, False]})
    >>> busy_intervals(reports, 0.0)[["start", "end"]].values.tolist()
    [[0.75, 1.5], [1.9, 2.0]]
    """
    end = (reports["timestamp"] - pd.Timestamp(started_at, unit="s", tz="UTC")).dt.total_seconds()
    init = pd.to_numeric(reports["init_ms"], errors="coerce").fillna(0.0)
    start = end - (reports["duration_ms"].astype(float) + init) / 1000
    frame = pd.DataFrame(
        {
            "start": start,
            "end": end,
            "log_stream": reports["log_stream"],
            "cold": reports["cold"].astype(bool),
            "duration_ms": reports["duration_ms"].astype(float),
        }
    )
    return frame.sort_values("start").reset_index(drop=True)


def peak_in_flight(intervals: pd.DataFrame, seconds: int, *, slack_s: float = 0.001) -> pd.Series:
    """The most invocations running at the same moment within each second ``0 .. seconds - 1``.

    Log events carry whole milliseconds, so an invocation that follows another in the same environment may
    seem to start up to ``slack_s`` before the previous one ended; starts are moved that much later.

    >>> intervals = pd.DataFrame({"start": [0.1, 0.2, 1.5], "end": [0.5, 0.3, 1.6]})
    >>> peak_in_flight(intervals, 3).tolist()
    [2, 1, 0]
    """
    peaks = np.zeros(max(seconds, 0), dtype=int)
    if intervals.empty or seconds <= 0:
        return pd.Series(peaks, name="concurrency")
    # +1 at each start, -1 at each end; an end sorts before a start at the same instant.
    starts = np.minimum(intervals["start"].to_numpy() + slack_s, intervals["end"].to_numpy())
    times = np.concatenate([starts, intervals["end"].to_numpy()])
    steps = np.concatenate([np.ones(len(intervals), dtype=int), -np.ones(len(intervals), dtype=int)])
    order = np.lexsort((steps, times))
    times, running = times[order], np.cumsum(steps[order])
    bounds = np.searchsorted(times, np.arange(seconds + 1), side="left")  # first event of each second
    for second in range(seconds):
        first, after = bounds[second], bounds[second + 1]
        before = running[first - 1] if first > 0 else 0  # what was running as the second began
        peaks[second] = max(before, running[first:after].max()) if after > first else before
    return pd.Series(peaks, name="concurrency")


def environments_started(intervals: pd.DataFrame, seconds: int) -> pd.Series:
    """How many environments had started by the end of each second (each log stream's first invocation).

    >>> intervals = pd.DataFrame({"start": [0.2, 0.4, 1.1], "log_stream": ["a", "b", "a"]})
    >>> environments_started(intervals, 2).tolist()
    [2, 2]
    """
    if intervals.empty:
        return pd.Series(np.zeros(max(seconds, 0), dtype=int), name="environments")
    first = intervals.groupby("log_stream")["start"].min().clip(lower=0)
    counts = np.searchsorted(np.sort(first.to_numpy()), np.arange(1, seconds + 1), side="left")
    return pd.Series(counts, name="environments")


def scaling_limit(scaling_rate: float, seconds: int) -> pd.Series:
    """The most environments the scaling rate lets a function have started by the end of each second: a full
    bucket at once, then ``scaling_rate`` more every 10 s.

    >>> scaling_limit(10, 3).tolist()
    [11.0, 12.0, 13.0]
    """
    return pd.Series([scaling_rate + scaling_rate * (s + 1) / 10 for s in range(seconds)], name="scaling_limit")


@dataclasses.dataclass
class BurstRun:
    """One load test at a constant arrival rate, measured from the client and from the REPORT lines.

    ``seconds``: one row per second: ``sent``, ``succeeded``, ``throttled`` (answered HTTP 500: API Gateway's
    answer when Lambda throttles the invocation), ``errors`` (any other failure: 502 when the function failed,
    504 when it took too long, 0 without an answer), ``p50_ok_ms``, ``p95_ok_ms``, ``p50_failed_ms``,
    ``environments`` (started by then), ``concurrency`` (most invocations in flight), ``scaling_limit``.
    The CloudWatch ``Throttles`` and ``Errors`` of the same minutes say whether that reading of the statuses holds.
    """

    name: str
    load: LoadTestResult
    reports: pd.DataFrame
    intervals: pd.DataFrame
    seconds: pd.DataFrame
    scaling_rate: float

    @property
    def rate(self) -> float:
        return self.load.rate

    @property
    def succeeded(self) -> int:
        return int(self.load.calls["ok"].sum())

    @property
    def throttled(self) -> int:
        """Calls API Gateway answered with 500, its answer to a throttled Lambda invocation."""
        return int((self.load.calls["status"] == THROTTLED_STATUS).sum())

    @property
    def errors(self) -> int:
        """Calls that failed otherwise (the function failed or timed out, or no answer came)."""
        return int((~self.load.calls["ok"]).sum()) - self.throttled

    @property
    def environments(self) -> int:
        return int(self.reports["log_stream"].nunique())

    @property
    def mean_duration_ms(self) -> float:
        """Mean Duration over every invocation (weighted by calls, not a mean of per-minute means)."""
        return float(self.reports["duration_ms"].mean()) if len(self.reports) else math.nan

    @property
    def cleared_at(self) -> int | None:
        """The first second from which no call failed until the end; None if the last second had failures."""
        failed = (self.seconds["throttled"] + self.seconds["errors"]).to_numpy()
        if len(failed) == 0 or failed[-1] > 0:
            return None
        last = np.flatnonzero(failed > 0)
        return int(last[-1]) + 1 if len(last) else 0

    @property
    def steady(self) -> pd.DataFrame:
        """The seconds once scaled: after the last failed call and the last cold start, and after the first
        quarter of the run, up to the last full second (empty when the run never settled)."""
        if self.cleared_at is None:
            return self.seconds.iloc[0:0]
        cold = self.intervals.loc[self.intervals["cold"], "end"]
        last_cold = math.floor(cold.max()) + 1 if len(cold) else 0
        start = max(self.cleared_at, last_cold, len(self.seconds) // 4)
        return self.seconds.iloc[start : max(start, len(self.seconds) - 1)]

    def _steady_durations(self) -> pd.Series:
        steady = self.steady
        if steady.empty:
            return pd.Series(dtype=float)
        ends = self.intervals["end"]
        window = self.intervals[(ends >= steady["second"].min()) & (ends < steady["second"].max() + 1)]
        return window["duration_ms"]

    @property
    def steady_duration_ms(self) -> float:
        """Mean Duration of the invocations that ended in the steady seconds (weighted by calls)."""
        durations = self._steady_durations()
        return float(durations.mean()) if len(durations) else math.nan

    @property
    def steady_p99_duration_ms(self) -> float:
        """The 99th percentile of the Duration in the steady seconds: the slowest calls, which set the peak."""
        durations = self._steady_durations()
        return float(durations.quantile(0.99)) if len(durations) else math.nan

    @property
    def peak_model(self) -> tuple[int, int]:
        """The peak in flight that concurrency = arrival rate x duration allows with evenly spaced calls: at least
        the average rounded up, less one; at most the rate times the slowest durations (p99), rounded up, plus
        one for a call arriving as another leaves. (0, 0) when the run never settled."""
        if math.isnan(self.model_concurrency):
            return (0, 0)
        low = max(0, math.ceil(self.model_concurrency) - 1)
        return (low, math.ceil(self.rate * self.steady_p99_duration_ms / 1000) + 1)

    @property
    def model_holds(self) -> bool:
        """Whether the measured peak in flight once scaled lies in :attr:`peak_model`."""
        low, high = self.peak_model
        return high > 0 and low <= self.steady_peak <= high

    @property
    def model_concurrency(self) -> float:
        """Concurrency = arrival rate x duration, with the Duration measured once scaled."""
        return self.rate * self.steady_duration_ms / 1000

    @property
    def steady_peak(self) -> int:
        """The most invocations in flight at one moment once scaled."""
        steady = self.steady
        return int(steady["concurrency"].max()) if len(steady) else 0


def burst_run(name: str, load: LoadTestResult, reports: pd.DataFrame, *, scaling_rate: float) -> BurstRun:
    """Put a constant-rate load test and the REPORT lines of its invocations on one per-second time line."""
    client = per_second(load)
    by_second = load.calls.assign(second=lambda c: c["start"].astype(int))
    throttled = by_second[by_second["status"] == THROTTLED_STATUS].groupby("second").size()
    client["throttled"] = throttled.reindex(client["second"], fill_value=0).to_numpy()
    client["errors"] = client.pop("failed") - client["throttled"]
    intervals = (
        busy_intervals(reports, load.started_at)
        if len(reports)
        else pd.DataFrame(columns=["start", "end", "log_stream", "cold", "duration_ms"])
    )
    seconds = len(client)
    client["environments"] = environments_started(intervals, seconds).to_numpy()
    client["concurrency"] = peak_in_flight(intervals, seconds).to_numpy()
    client["scaling_limit"] = scaling_limit(scaling_rate, seconds).to_numpy()
    return BurstRun(name, load, reports, intervals, client, scaling_rate)
