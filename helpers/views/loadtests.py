"""Load-test figures and tables: one run over time, several runs side by side, a row of numbers per run.

Time series come from the load generator's per-second data and the REPORT lines' per-second replay; one
colour per run in every panel, successful calls green and throttled ones red.

Example::

    result = run_load_test(url, users=20, spawn_rate=5, duration=60)
    history_figure(result, "Unoptimized function").show()
    compare_figure({"before": before, "after": after}).show()
    summary_table({"before": before, "after": after})
    burst_figure({"v2": run_v2, "v3": run_v3}, "The same burst").show()
    burst_table({"v2": run_v2, "v3": run_v3})
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import pandas as pd

from ..measure.concurrency import BurstRun
from ..measure.loadtest import LoadTestResult, summary
from ..text import say
from .metrics import outcome_label

RUN_COLORS = ["#1f77b4", "#ff7f0e", "#9467bd", "#8c564b", "#17becf"]  # one per run, never green or red
SUCCEEDED, THROTTLED, ERRORS = "#2ca02c", "#d62728", "#7f7f7f"

PANELS = [  # column, message key of its axis title
    ("succeeded_per_s", "views.loadtests.panel_succeeded"),
    ("failures_per_s", "views.loadtests.panel_failed"),
    ("p50_ms", "views.loadtests.panel_p50"),
    ("p95_ms", "views.loadtests.panel_p95"),
]


def summary_table(results: Mapping[str, LoadTestResult]) -> pd.DataFrame:
    """One row per run, named by the mapping's keys: the numbers of ``helpers.measure.loadtest.summary``."""
    return pd.DataFrame({name: summary(r) for name, r in results.items()}).T


def history_figure(result: LoadTestResult, title: str) -> Any:
    """Requests and failures per second and latency percentiles over the run, one panel each."""
    return compare_figure({say("views.loadtests.run"): result}, title=title, legend=False)


def compare_figure(results: Mapping[str, LoadTestResult], title: str | None = None, *, legend: bool = True) -> Any:
    """The runs on a shared time axis (seconds since each run started), one panel per measure."""
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    fig = make_subplots(
        rows=len(PANELS),
        cols=1,
        shared_xaxes=True,
        vertical_spacing=0.05,
        subplot_titles=[say(key) for _, key in PANELS],
    )
    palette = RUN_COLORS
    for i, (name, result) in enumerate(results.items()):
        history = result.history.assign(
            succeeded_per_s=(result.history["requests_per_s"] - result.history["failures_per_s"]).clip(lower=0)
        )
        for row, (column, label) in enumerate(PANELS, start=1):
            fig.add_trace(
                go.Scatter(
                    x=history["elapsed_s"],
                    y=history[column],
                    mode="lines",
                    name=name,
                    legendgroup=name,
                    showlegend=legend and row == 1,
                    line={"color": palette[i % len(palette)]},
                ),
                row=row,
                col=1,
            )
            fig.update_yaxes(title_text=say(label), rangemode="tozero", row=row, col=1)
    fig.update_xaxes(title_text=say("views.loadtests.since_start"), row=len(PANELS), col=1)
    fig.update_layout(
        title=title or say("views.loadtests.side_by_side"), template="plotly_white", height=850, hovermode="x unified"
    )
    return fig


def burst_table(runs: Mapping[str, BurstRun]) -> pd.DataFrame:
    """One column per burst, one row per measure: what the client saw (successful and throttled calls apart),
    the environments it took, the Duration weighted by calls, and concurrency against arrival rate x duration."""
    rows = {}
    for name, run in runs.items():
        ok = run.load.calls.loc[run.load.calls["ok"], "latency_ms"]
        failed = run.load.calls.loc[~run.load.calls["ok"], "latency_ms"]
        low, high = run.peak_model
        row = {
            "rate": round(run.rate, 2),
            "succeeded": run.succeeded,
            "throttled": run.throttled,
            "throttled_pct": round(100 * run.throttled / max(1, run.succeeded + run.throttled + run.errors), 1),
            "other_errors": run.errors,
            "ok_p50": round(float(ok.median()), 1) if len(ok) else "-",
            "ok_p95": round(float(ok.quantile(0.95)), 1) if len(ok) else "-",
            "throttled_p50": round(float(failed.median()), 1) if len(failed) else "-",
            "environments": run.environments,
            "cleared_at": run.cleared_at if run.cleared_at is not None else say("views.loadtests.row.never"),
            "mean_duration": _round(run.steady_duration_ms),
            "model": _round(run.model_concurrency),
            "p99_duration": _round(run.steady_p99_duration_ms),
            "peak_model": say("views.loadtests.row.peak_model_range", low=low, high=high) if high else "-",
            "steady_peak": run.steady_peak,
        }
        rows[name] = {say(f"views.loadtests.row.{key}"): value for key, value in row.items()}
    # object columns: integers stay integers beside the floats
    return pd.DataFrame({name: pd.Series(values, dtype=object) for name, values in rows.items()})


def _round(value: float) -> float | str:
    return "-" if math.isnan(value) else round(value, 2)


def burst_figure(runs: Mapping[str, BurstRun], title: str) -> Any:
    """One column per burst: calls per second (succeeded green, throttled red, other errors grey), environments
    started against the scaling rate's limit with the invocations in flight, and the successful calls' latency."""
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    names = list(runs)
    fig = make_subplots(
        rows=3, cols=len(names), shared_xaxes=True, shared_yaxes="rows", vertical_spacing=0.08,
        horizontal_spacing=0.04, column_titles=names,
    )  # fmt: skip
    for col, name in enumerate(names, start=1):
        run, color, first = runs[name], RUN_COLORS[(col - 1) % len(RUN_COLORS)], col == 1
        seconds = run.seconds
        x = seconds["second"]
        for outcome, marker in (("succeeded", SUCCEEDED), ("throttled", THROTTLED), ("errors", ERRORS)):
            label = say("views.loadtests.errors") if outcome == "errors" else outcome_label(outcome)
            fig.add_trace(
                go.Bar(x=x, y=seconds[outcome], name=label, marker_color=marker, legendgroup=outcome,
                       showlegend=first),
                row=1, col=col,
            )  # fmt: skip
        fig.add_trace(
            go.Scatter(x=x, y=seconds["environments"], mode="lines", line={"color": color, "shape": "hv"},
                       name=say("views.loadtests.environments_started", name=name), legendgroup=name),
            row=2, col=col,
        )  # fmt: skip
        fig.add_trace(
            go.Scatter(x=x, y=seconds["concurrency"], mode="lines", line={"color": color, "dash": "dot", "shape": "hv"},
                       name=say("views.loadtests.in_flight_peak", name=name), legendgroup=name),
            row=2, col=col,
        )  # fmt: skip
        if run.scaling_rate and run.scaling_rate < 1000:
            fig.add_trace(
                go.Scatter(x=x, y=seconds["scaling_limit"], mode="lines", line={"color": "#555", "dash": "dash"},
                           name=say("views.loadtests.scaling_limit"), legendgroup="limit", showlegend=first),
                row=2, col=col,
            )  # fmt: skip
        for column, dash, label in (("p50_ok_ms", None, "p50"), ("p95_ok_ms", "dash", "p95")):
            fig.add_trace(
                go.Scatter(x=x, y=seconds[column], mode="lines+markers", line={"color": color, "dash": dash},
                           name=say("views.loadtests.percentile_ok", name=name, percentile=label), legendgroup=name,
                           connectgaps=False),
                row=3, col=col,
            )  # fmt: skip
        fig.update_xaxes(title_text=say("views.loadtests.since_burst"), row=3, col=col)
    fig.update_yaxes(title_text=say("views.loadtests.calls_per_second"), row=1, col=1)
    fig.update_yaxes(title_text=say("views.loadtests.environments"), rangemode="tozero", row=2, col=1)
    fig.update_yaxes(title_text=say("views.loadtests.latency_ms"), type="log", row=3, col=1)
    fig.update_layout(title=title, template="plotly_white", barmode="stack", height=820, hovermode="x unified")
    return fig


def throttle_totals_figure(client_throttled: int, cloudwatch_throttles: float, title: str) -> Any:
    """Two bars: the calls the load generator saw refused, and the Throttles CloudWatch counted."""
    import plotly.graph_objects as go

    fig = go.Figure(
        go.Bar(
            x=[say("views.loadtests.refused_calls"), say("views.loadtests.cloudwatch_throttles")],
            y=[client_throttled, cloudwatch_throttles],
            marker_color=THROTTLED,
            text=[f"{client_throttled:.0f}", f"{cloudwatch_throttles:.0f}"],
            textposition="outside",
        )
    )
    fig.update_layout(title=title, template="plotly_white", yaxis_title=say("views.loadtests.calls"), showlegend=False)
    fig.update_yaxes(rangemode="tozero")
    return fig
