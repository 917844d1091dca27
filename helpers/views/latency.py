"""Latency and concurrency figures: each call with its cold start, calls side by side, concurrency needed."""

from __future__ import annotations

from typing import Any

import pandas as pd

from ..text import say
from .tables import column_header

# One colour per part of a call, the same in every figure of this module.
DURATION_COLOR, INIT_COLOR, CLIENT_COLOR = "#1f77b4", "#ff7f0e", "#444444"


def plot_latency(calls: pd.DataFrame, title: str | None = None) -> Any:
    """Per call, the function's time as a stacked bar (Init Duration on a cold start, then Duration, both from
    its REPORT line), and the latency the client saw as a line over the bars.

    ``calls`` needs columns ``call``, ``latency_ms`` and ``duration_ms``; ``init_ms`` (missing on warm calls).

    >>> frame = pd.DataFrame({"call": [1, 2], "latency_ms": [300.0, 9.0], "duration_ms": [20.0, 5.0],
    ...                       "init_ms": [250.0, None]})
    >>> fig = plot_latency(frame)
    >>> [t.name for t in fig.data], fig.data[1].y.tolist(), fig.layout.barmode
    (['Init Duration (new environment)', 'Duration (handler)', 'latency seen by the client'], [20.0, 5.0], 'stack')
    """
    import plotly.graph_objects as go

    init = calls["init_ms"].fillna(0.0) if "init_ms" in calls else pd.Series(0.0, index=calls.index)
    figure = go.Figure()
    figure.add_bar(x=calls["call"], y=init, name=say("views.latency.init_bar"), marker_color=INIT_COLOR)
    figure.add_bar(
        x=calls["call"], y=calls["duration_ms"], name=say("views.latency.duration_bar"), marker_color=DURATION_COLOR
    )
    figure.add_scatter(
        x=calls["call"], y=calls["latency_ms"], name=say("views.latency.client_line"), mode="lines+markers",
        line={"color": CLIENT_COLOR},
    )  # fmt: skip
    figure.update_layout(
        title=title or say("views.latency.calls_title"), xaxis_title=say("views.latency.call_number"),
        yaxis_title=say("views.latency.milliseconds"), barmode="stack", legend_orientation="h",
        template="plotly_white",
    )  # fmt: skip
    figure.update_xaxes(dtick=1 if len(calls) <= 30 else None)
    return figure


def upload_figure(measured: pd.DataFrame) -> Any:
    """Per upload: time from the upload until the function finished, next to the function's own Duration.

    ``measured`` needs columns ``upload_to_done_ms`` and ``duration_ms``, one row per upload in order.
    """
    import plotly.graph_objects as go

    figure = go.Figure()
    figure.add_bar(x=measured.index + 1, y=measured["upload_to_done_ms"], name=say("views.latency.upload_to_done"))
    figure.add_bar(x=measured.index + 1, y=measured["duration_ms"], name=say("views.latency.function_duration"))
    figure.update_layout(
        title=say("views.latency.upload_title"), xaxis_title=say("views.latency.upload_number"),
        yaxis_title=say("views.latency.milliseconds"), barmode="group",
    )  # fmt: skip
    return figure


def latency_box_figure(frame: pd.DataFrame, *, group: str, value: str = "latency_ms", title: str, y_title: str) -> Any:
    """Box plots with every point shown, e.g. per-call latency with and without provisioned concurrency."""
    import plotly.express as px

    labels = {column: column_header(column) for column in (group, value)}  # the hover names the columns
    fig = px.box(
        frame, x=group, y=value, points="all", color=group, title=title, template="plotly_white", labels=labels
    )
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
        title=say("views.latency.concurrency_title"),
        template="plotly_white",
        xaxis_title=say("views.latency.requests_per_second"),
        yaxis_title=say("views.latency.concurrent_executions"),
    )
    return fig
