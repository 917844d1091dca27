"""helpers.measure.concurrency and the burst figure and table, on a burst built by hand: 4 seconds at 10 calls/s,
the first second partly throttled while two environments start (one cold start lasting into the second second),
then one warm environment serving 20 ms calls."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

from helpers.measure.concurrency import burst_run
from helpers.measure.loadtest import LoadTestResult
from helpers.views import loadtests

STARTED_AT = 1_000_000.0


def _burst() -> tuple[LoadTestResult, pd.DataFrame]:
    starts = [i / 10 for i in range(40)]
    statuses = [500, 500, 502] + [200] * 37
    calls = pd.DataFrame({"start": starts, "latency_ms": [5.0] * 40, "status": statuses})
    calls["ok"] = calls["status"] == 200
    load = LoadTestResult(
        history=pd.DataFrame(), stats=pd.DataFrame(), failures=pd.DataFrame(), url="http://x", users=20,
        duration_s=4, calls=calls, rate=10.0, started_at=STARTED_AT,
    )  # fmt: skip
    ends, durations, inits, streams = [], [], [], []
    for i, start in enumerate(starts[3:], start=3):
        cold = i in (3, 4)
        slow = i == 4  # its cold start runs on into the second second
        ends.append(start + (1.0 if slow else 0.15 if cold else 0.02))
        durations.append(20.0)
        inits.append((980.0 if slow else 130.0) if cold else None)
        streams.append("env-a" if i % 2 or i > 4 else "env-b")
    reports = pd.DataFrame(
        {
            "timestamp": pd.to_datetime([STARTED_AT + e for e in ends], unit="s", utc=True),
            "duration_ms": durations,
            "init_ms": inits,
            "log_stream": streams,
            "cold": [i is not None for i in inits],
        }
    )
    return load, reports


def test_a_burst_on_one_time_line() -> None:
    load, reports = _burst()
    run = burst_run("v", load, reports, scaling_rate=5)
    seconds = run.seconds.set_index("second")
    assert list(seconds["sent"]) == [10, 10, 10, 10]
    assert (seconds.loc[0, "throttled"], seconds.loc[0, "errors"], seconds.loc[0, "succeeded"]) == (2, 1, 7)
    assert (run.throttled, run.errors, run.succeeded) == (2, 1, 37)
    assert list(seconds["environments"]) == [2, 2, 2, 2]
    assert list(seconds["concurrency"]) == [2, 2, 1, 1], "a cold start overlaps the warm calls until 1.4 s"
    assert run.cleared_at == 1
    assert list(run.steady["second"]) == [2], "after the failures and the cold starts, before the last second"
    assert run.steady_duration_ms == pytest.approx(20.0)
    assert run.model_concurrency == pytest.approx(0.2)
    assert run.steady_peak == 1
    assert run.peak_model == (0, 2) and run.model_holds, "10/s x 20 ms: 0.2 on average, at most 1 + 1 at the peak"
    assert run.mean_duration_ms == pytest.approx(20.0)


def test_a_run_that_never_settles_has_no_steady_seconds() -> None:
    load, reports = _burst()
    load.calls.loc[39, ["status", "ok"]] = [500, False]
    run = burst_run("v", load, reports, scaling_rate=5)
    assert run.cleared_at is None and run.steady.empty and run.steady_peak == 0
    assert run.peak_model == (0, 0) and not run.model_holds, "no steady seconds: nothing to hold"


def test_burst_table_and_figure_read_at_a_glance() -> None:
    load, reports = _burst()
    runs = {"before": burst_run("before", load, reports, scaling_rate=5)}
    table = loadtests.burst_table(runs)
    assert table.loc["succeeded", "before"] == 37 and isinstance(table.loc["succeeded", "before"], int)
    assert table.loc["throttled", "before"] == 2 and table.loc["other errors", "before"] == 1
    assert table.loc["peak concurrency once scaled", "before"] == 1
    fig = loadtests.burst_figure(runs, "A burst")
    assert fig.layout.title.text == "A burst"
    colours = {trace.name: getattr(trace.marker, "color", None) for trace in fig.data if trace.type == "bar"}
    assert colours == {"succeeded": loadtests.SUCCEEDED, "throttled": loadtests.THROTTLED, "errors": loadtests.ERRORS}
    assert fig.layout.yaxis.title.text and fig.layout.yaxis2.title.text and fig.layout.yaxis3.title.text
    assert fig.layout.xaxis3.title.text.endswith("(s)")


def test_the_ramp_reading_says_which_case_the_run_measured() -> None:
    from helpers.modules.m4_optimize_and_load_test import ramp_reading

    load, reports = _burst()
    throttled = ramp_reading(burst_run("v", load, reports, scaling_rate=5))
    assert "**2** calls" in throttled and "from second 1 on" in throttled, throttled
    calm = load.calls.assign(status=200, ok=True)
    unthrottled = ramp_reading(burst_run("v", dataclasses.replace(load, calls=calm), reports, scaling_rate=5))
    assert "no call was throttled" in unthrottled and "**2**" in unthrottled, unthrottled
