"""Load-test figures and tables: one run over time, several runs side by side, a row of numbers per run.

Example::

    result = run_load_test(url, users=20, spawn_rate=5, duration=60)
    history_figure(result, "Unoptimized function").show()
    compare_figure({"before": before, "after": after}).show()
    summary_table({"before": before, "after": after})
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from ..measure.loadtest import LoadTestResult, summary

PANELS = [
    ("succeeded_per_s", "succeeded (requests/s)"),
    ("failures_per_s", "failed (requests/s)"),
    ("p50_ms", "median latency (ms)"),
    ("p95_ms", "p95 latency (ms)"),
]


def summary_table(results: Mapping[str, LoadTestResult]) -> pd.DataFrame:
    """One row per run, named by the mapping's keys: the numbers of ``helpers.measure.loadtest.summary``."""
    return pd.DataFrame({name: summary(r) for name, r in results.items()}).T


def history_figure(result: LoadTestResult, title: str) -> Any:
    """Requests and failures per second and latency percentiles over the run, one panel each."""
    return compare_figure({"run": result}, title=title, legend=False)


def compare_figure(
    results: Mapping[str, LoadTestResult], title: str = "Load tests side by side", *, legend: bool = True
) -> Any:
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
