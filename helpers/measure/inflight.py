"""Calls in flight over time, from the client's own clock: per-step series for experiments of seconds.

CloudWatch aggregates per minute, so a burst that lasts seconds is one point there. Each call's start and
end, taken on this machine, give the number of calls in flight at every step of ``step_s`` seconds.

>>> rows = pd.DataFrame({"start_s": [0.0, 0.0, 0.05], "end_s": [0.25, 0.05, 0.15], "outcome": ["ok", "no", "ok"]})
>>> series = in_flight(rows, step_s=0.1)
>>> series[series["outcome"] == "ok"]["calls"].tolist()
[1, 2, 1, 0]
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pandas as pd


def stamped(call: Callable[[], dict[str, Any]], origin: float) -> Callable[[], dict[str, Any]]:
    """``call`` with its start and end added to its row (``start_s``, ``end_s``: seconds after ``origin``,
    a ``time.perf_counter()`` reading), e.g. ``burst(stamped(lambda: timed_invoke(lam, fn), t0), 20)``."""

    def run() -> dict[str, Any]:
        started = time.perf_counter() - origin
        row = call()
        return {**row, "start_s": started, "end_s": time.perf_counter() - origin}

    return run


def in_flight(calls: pd.DataFrame, *, step_s: float = 0.1, by: str = "outcome") -> pd.DataFrame:
    """Per step and per ``by`` value, the calls started and not yet ended (columns ``t_s``, ``by``, ``calls``).

    Steps run from the first start to one step past the last end, so every series ends at zero.
    """
    if calls.empty:
        return pd.DataFrame(columns=["t_s", by, "calls"])
    origin = float(calls["start_s"].min())
    steps = int((float(calls["end_s"].max()) - origin) / step_s) + 2
    rows = []
    for key, group in calls.groupby(by, sort=True):
        for i in range(steps):
            t = origin + i * step_s
            running = int(((group["start_s"] <= t) & (group["end_s"] > t)).sum())
            rows.append({"t_s": round(t - origin, 3), by: key, "calls": running})
    return pd.DataFrame(rows)
