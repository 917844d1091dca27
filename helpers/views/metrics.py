"""Figures of CloudWatch metrics: one panel per metric on a shared time axis, and grouped bars.

>>> axis_title("ConcurrentExecutions", "Maximum", "Count")
'Concurrent Executions, maximum (count)'
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import pandas as pd


def _unit_label(unit: str) -> str:
    return {"Milliseconds": "ms", "Count": "count", "Seconds": "s", "Percent": "%"}.get(unit, unit)


def axis_title(metric: str, stat: str, unit: str) -> str:
    """A y-axis title that says what was aggregated and in which unit, e.g. ``Duration, average (ms)``."""
    words = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", metric)
    return f"{words}, {stat.lower()} ({_unit_label(unit)})"


def metrics_figure(
    frame: pd.DataFrame, title: str, *, metrics: Sequence[str] | None = None, split_by: str = "label"
) -> Any:
    """One panel per metric (shared time axis), one line per series; empty panels say "no data".

    ``split_by`` picks the column that separates the lines within a panel (``label`` by default, or a
    column the caller added, e.g. ``run`` to overlay two load tests).
    """
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    if metrics is None:
        metrics = list(dict.fromkeys(frame["metric"])) if not frame.empty else []
    if not metrics:
        fig = go.Figure()
        fig.update_layout(title=f"{title} (no data points yet)", template="plotly_white")
        fig.update_xaxes(title_text="time (UTC)")
        return fig
    fig = make_subplots(rows=len(metrics), cols=1, shared_xaxes=True, vertical_spacing=0.06, subplot_titles=metrics)
    for row, metric in enumerate(metrics, start=1):
        part = frame[frame["metric"] == metric]
        if part.empty:
            fig.update_yaxes(title_text=f"{metric} (no data)", row=row, col=1)
            continue
        for name, series in part.groupby(split_by, sort=True):
            fig.add_trace(
                go.Scatter(x=series["timestamp"], y=series["value"], mode="lines+markers", name=str(name)),
                row=row,
                col=1,
            )
        first = part.iloc[0]
        fig.update_yaxes(
            title_text=axis_title(metric, first["stat"], first["unit"]), rangemode="tozero", row=row, col=1
        )
    fig.update_xaxes(title_text="time (UTC)", row=len(metrics), col=1)
    fig.update_layout(title=title, template="plotly_white", height=max(320, 220 * len(metrics)))
    return fig


def bar_comparison(totals: pd.DataFrame, title: str, *, value: str, group: str, category: str, y_title: str) -> Any:
    """Grouped bars, e.g. errors and peak connections for "direct" vs "proxy" runs side by side."""
    import plotly.express as px

    fig = px.bar(totals, x=category, y=value, color=group, barmode="group", title=title, template="plotly_white")
    fig.update_layout(yaxis_title=y_title, xaxis_title=category.replace("_", " "))
    return fig
