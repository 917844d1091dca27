"""Figures the module notebooks share: per-call latency with cold starts, and architecture diagrams."""

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


def diagram(nodes: list[tuple[str, str]], edges: list[tuple[str, str]], title: str) -> Any:
    """A left-to-right diagram of ``nodes`` (label, detail) linked by ``edges`` (from label, to label)."""
    import plotly.graph_objects as go

    x = {label: i for i, (label, _) in enumerate(nodes)}
    figure = go.Figure()
    for source, target in edges:
        figure.add_annotation(
            x=x[target] - 0.18, y=0, ax=x[source] + 0.18, ay=0, xref="x", yref="y", axref="x", ayref="y",
            showarrow=True, arrowhead=3, arrowwidth=2, arrowcolor="#555",
        )  # fmt: skip
    figure.add_scatter(
        x=list(x.values()), y=[0] * len(nodes), mode="markers+text", text=[f"<b>{n}</b>" for n, _ in nodes],
        textposition="top center", marker={"size": 38, "color": "#ff9900", "symbol": "square"},
        hovertext=[detail for _, detail in nodes], hoverinfo="text", showlegend=False,
    )  # fmt: skip
    for i, (_, detail) in enumerate(nodes):
        figure.add_annotation(x=i, y=-0.35, text=detail, showarrow=False, font={"size": 10})
    figure.update_layout(
        title=title, height=260, xaxis={"visible": False, "range": [-0.6, len(nodes) - 0.4]},
        yaxis={"visible": False, "range": [-0.6, 0.6]}, margin={"l": 10, "r": 10, "t": 50, "b": 10},
    )  # fmt: skip
    return figure
