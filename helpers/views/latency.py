"""Latency and concurrency figures: each call with its cold start, calls side by side, concurrency needed."""

from __future__ import annotations

from typing import Any

import pandas as pd


def plot_latency(calls: pd.DataFrame, title: str = "Each call to the API") -> Any:
    """Bars of client-side latency and the function's own duration per call; cold starts marked.

    ``calls`` needs columns ``call``, ``latency_ms``, ``duration_ms`` and ``cold``.
    """
    import plotly.graph_objects as go

    colors = ["#d62728" if cold else "#1f77b4" for cold in calls["cold"]]
    figure = go.Figure()
    figure.add_bar(x=calls["call"], y=calls["latency_ms"], name="API latency (client)", marker_color=colors)
    figure.add_scatter(
        x=calls["call"], y=calls["duration_ms"], name="function Duration (REPORT)", mode="lines+markers",
        line={"color": "#2ca02c"},
    )  # fmt: skip
    if "init_ms" in calls:
        cold = calls[calls["cold"]]
        figure.add_scatter(
            x=cold["call"], y=cold["init_ms"], name="Init Duration (cold start)", mode="markers",
            marker={"symbol": "diamond", "size": 12, "color": "#d62728"},
        )  # fmt: skip
    figure.update_layout(
        title=title, xaxis_title="call number", yaxis_title="milliseconds", barmode="overlay", legend_orientation="h"
    )
    return figure


def upload_figure(measured: pd.DataFrame) -> Any:
    """Per upload: time from the upload until the function finished, next to the function's own Duration.

    ``measured`` needs columns ``upload_to_done_ms`` and ``duration_ms``, one row per upload in order.
    """
    import plotly.graph_objects as go

    figure = go.Figure()
    figure.add_bar(x=measured.index + 1, y=measured["upload_to_done_ms"], name="upload until the function finished")
    figure.add_bar(x=measured.index + 1, y=measured["duration_ms"], name="function Duration (REPORT)")
    figure.update_layout(
        title="From upload to notification", xaxis_title="upload number", yaxis_title="milliseconds", barmode="group"
    )
    return figure


def latency_box_figure(frame: pd.DataFrame, *, group: str, value: str = "latency_ms", title: str, y_title: str) -> Any:
    """Box plots with every point shown, e.g. per-call latency with and without provisioned concurrency."""
    import plotly.express as px

    fig = px.box(frame, x=group, y=value, points="all", color=group, title=title, template="plotly_white")
    fig.update_layout(yaxis_title=y_title, xaxis_title="", showlegend=False)
    return fig


def concurrency_figure(durations_ms: dict[str, float], *, max_requests_per_s: float = 1000) -> Any:
    """Concurrency needed (requests/s x duration) over a range of request rates, one line per duration.

    >>> concurrency_figure({"v3": 20.0}, max_requests_per_s=100).data[0].y[-1]
    2.0
    """
    import plotly.graph_objects as go

    rates = [max_requests_per_s * i / 50 for i in range(51)]
    fig = go.Figure()
    for name, ms in durations_ms.items():
        fig.add_trace(go.Scatter(x=rates, y=[r * ms / 1000 for r in rates], mode="lines", name=f"{name}: {ms:.1f} ms"))
    fig.update_layout(
        title="Concurrency needed = requests per second x duration",
        template="plotly_white",
        xaxis_title="requests per second",
        yaxis_title="concurrent executions (environments)",
    )
    return fig
