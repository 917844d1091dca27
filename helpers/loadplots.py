"""Figures and tables for load tests: one run over time, several runs side by side.

Example::

    result = run_load_test(url, users=20, spawn_rate=5, duration=60)
    history_figure(result, "Unoptimized function").show()
    compare_figure({"before": before, "after": after}).show()
    summary_table({"before": before, "after": after})
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from .loadtest import LoadTestResult

PANELS = [
    ("succeeded_per_s", "succeeded (requests/s)"),
    ("failures_per_s", "failed (requests/s)"),
    ("p50_ms", "median latency (ms)"),
    ("p95_ms", "p95 latency (ms)"),
]


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


def summary_table(results: Mapping[str, LoadTestResult]) -> pd.DataFrame:
    """One row per run, named by the mapping's keys."""
    return pd.DataFrame({name: summary(r) for name, r in results.items()}).T


def history_figure(result: LoadTestResult, title: str):
    """Requests and failures per second and latency percentiles over the run, one panel each."""
    return compare_figure({"run": result}, title=title, legend=False)


def compare_figure(results: Mapping[str, LoadTestResult], title: str = "Load tests side by side", *, legend=True):
    """The runs on a shared time axis (seconds since each run started), one panel per measure."""
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    fig = make_subplots(
        rows=len(PANELS), cols=1, shared_xaxes=True, vertical_spacing=0.05, subplot_titles=[t for _, t in PANELS]
    )
    palette = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd"]
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
            fig.update_yaxes(title_text=label, rangemode="tozero", row=row, col=1)
    fig.update_xaxes(title_text="time since the load test started (s)", row=len(PANELS), col=1)
    fig.update_layout(title=title, template="plotly_white", height=850, hovermode="x unified")
    return fig


def latency_box_figure(frame: pd.DataFrame, *, group: str, value: str = "latency_ms", title: str, y_title: str):
    """Box plots with every point shown, e.g. per-call latency with and without provisioned concurrency."""
    import plotly.express as px

    fig = px.box(frame, x=group, y=value, points="all", color=group, title=title, template="plotly_white")
    fig.update_layout(yaxis_title=y_title, xaxis_title="", showlegend=False)
    return fig
