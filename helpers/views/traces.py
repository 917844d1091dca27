"""Figures of X-Ray traces: the service map, one trace's timeline, latency per segment.

The numbers come from ``helpers.measure.traces`` (segments and service-graph tables); this module lays
them out and draws them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from ..measure.traces import graph_frames, segments_frame
from ..text import say


def _layers(nodes: pd.DataFrame, edges: pd.DataFrame) -> dict[Any, int]:
    """Longest-path layer of each node from the client (or graph roots), so calls flow left to right."""
    incoming: dict[Any, set[Any]] = {ref: set() for ref in nodes["ref"]}
    for edge in edges.itertuples():
        if edge.target in incoming and edge.source != edge.target:
            incoming[edge.target].add(edge.source)
    layer: dict[Any, int] = {}
    for _ in range(len(incoming) + 1):  # bounded relaxation; cycles stop at the node count
        changed = False
        for ref, sources in incoming.items():
            value = 1 + max((layer.get(s, 0) for s in sources), default=-1)
            value = min(value, len(incoming))
            if layer.get(ref) != value:
                layer[ref] = value
                changed = True
        if not changed:
            break
    return layer


def service_map_figure(services: Sequence[dict[str, Any]], title: str | None = None) -> Any:
    """The service map from GetServiceGraph: nodes left to right in call order, arrows for edges.

    Each node shows its name, type, request count and average response time, once: an edge carries the
    same calls as the node it points to, so it has no label of its own.
    """
    import plotly.graph_objects as go

    nodes, edges = graph_frames(services)
    title = title or say("views.traces.service_map")
    fig = go.Figure()
    fig.update_layout(title=title, template="plotly_white", showlegend=False, height=420)
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    if nodes.empty:
        fig.update_layout(title=say("views.traces.no_services", title=title))
        return fig
    layer = _layers(nodes, edges)
    position: dict[Any, tuple[float, float]] = {}
    for depth in sorted(set(layer.values())):
        members = [ref for ref in nodes["ref"] if layer[ref] == depth]
        for i, ref in enumerate(members):
            position[ref] = (float(depth), (len(members) - 1) / 2 - i)
    for edge in edges.itertuples():
        if edge.source not in position or edge.target not in position:
            continue
        (x0, y0), (x1, y1) = position[edge.source], position[edge.target]
        fig.add_annotation(
            x=x1, y=y1, ax=x0, ay=y0, xref="x", yref="y", axref="x", ayref="y",
            showarrow=True, arrowhead=3, arrowsize=1.3, arrowwidth=1.5, arrowcolor="#7f7f7f",
            standoff=28, startstandoff=28,
        )  # fmt: skip
    colors = {"client": "#7f7f7f"}
    ordered = nodes.assign(x=[position[r][0] for r in nodes["ref"]], y=[position[r][1] for r in nodes["ref"]])
    fig.add_trace(
        go.Scatter(
            x=ordered["x"],
            y=ordered["y"],
            mode="markers+text",
            marker={
                "size": 46,
                "color": [
                    colors.get(t, "#d62728" if e else "#1f77b4")
                    for t, e in zip(ordered["type"], ordered["errors"], strict=True)
                ],
                "line": {"width": 2, "color": "white"},
            },
            text=[_node_text(r) for r in ordered.itertuples()],
            textposition="bottom center",
            hovertext=[
                f"{r.name}<br>{r.type}<br>" + say("views.traces.node_hover", requests=r.requests, errors=r.errors)
                for r in ordered.itertuples()
            ],
            hoverinfo="text",
        )
    )
    span = max(position.values(), key=lambda p: p[0])[0]
    fig.update_xaxes(range=[-0.6, span + 0.6])
    ys = [p[1] for p in position.values()]
    fig.update_yaxes(range=[min(ys) - 1.0, max(ys) + 0.7])
    return fig


def milliseconds(value: float) -> str:
    """A duration with the digits it needs: sub-millisecond work is not "0 ms".

    >>> milliseconds(0.34), milliseconds(0.04), milliseconds(5.26), milliseconds(412.7)
    ('0.34 ms', '0.04 ms', '5.3 ms', '413 ms')
    """
    if value < 1:
        return f"{value:.2f} ms"
    return f"{value:.1f} ms" if value < 10 else f"{value:.0f} ms"


def _node_text(row: Any) -> str:
    if row.type == "client":
        return f"<b>{say('views.traces.client')}</b>"
    average = say("views.traces.node_average", ms=milliseconds(row.avg_ms)) if pd.notna(row.avg_ms) else ""
    detail = say("views.traces.node_requests", requests=row.requests) + average
    return f"<b>{row.name}</b><br>{row.type}<br>{detail}"


# -- figures for traces ---------------------------------------------------------------------------


def _color(row: Any) -> str:
    if row.fault or row.error:
        return "#d62728"
    if row.sql:
        return "#9467bd"
    if row.name == "Initialization":
        return "#ff7f0e"
    if row.kind == "segment":
        return "#1f77b4"
    return "#2ca02c"


def timeline_figure(trace: dict[str, Any] | pd.DataFrame, title: str | None = None) -> Any:
    """One trace as a waterfall: a bar per segment and subsegment, nested ones indented under their parent.

    Cold-start ``Initialization`` is orange, SQL subsegments purple (their query in the hover text and on
    the bar), errors and faults red.
    """
    import plotly.graph_objects as go

    frame = trace if isinstance(trace, pd.DataFrame) else segments_frame(trace)
    trace_id = frame["trace_id"].iloc[0] if not frame.empty else "?"
    fig = go.Figure()
    if frame.empty:
        fig.update_layout(title=title or say("views.traces.no_segments"), template="plotly_white")
        return fig
    texts = [milliseconds(r.duration_ms) + (f"  {r.sql}" if r.sql else "") for r in frame.itertuples()]
    rows = list(range(len(frame)))  # one row per bar even when two subsegments share a label
    fig.add_trace(
        go.Bar(
            y=rows,
            x=frame["duration_ms"],  # to scale: the label beside a bar says how long sub-millisecond work took
            base=frame["start_ms"],
            orientation="h",
            marker_color=[_color(r) for r in frame.itertuples()],
            text=texts,
            textposition="outside",
            cliponaxis=False,
            hovertext=[
                f"{r.name}<br>"
                + say("views.traces.bar_hover", start=milliseconds(r.start_ms), duration=milliseconds(r.duration_ms))
                + (f"<br>SQL: {r.sql}" if r.sql else "")
                for r in frame.itertuples()
            ],
            hoverinfo="text",
        )
    )
    total = float((frame["start_ms"] + frame["duration_ms"]).max())
    fig.update_layout(
        title=title or say("views.traces.timeline_title", trace_id=trace_id, total_ms=total),
        template="plotly_white",
        height=max(300, 40 * len(frame) + 120),
        showlegend=False,
        margin={"l": 260, "r": 160},
    )
    fig.update_xaxes(title_text=say("views.traces.since_start"), range=[0, total * 1.25 + 1])
    fig.update_yaxes(
        autorange="reversed",
        title_text=say("views.traces.segment_axis"),
        tickmode="array",
        tickvals=rows,
        ticktext=list(frame["label"]),
    )
    return fig


def segment_latency_figure(durations: pd.DataFrame, title: str | None = None) -> Any:
    """Per segment name, a box of its durations with every trace's value as a point, on a log axis: the
    segments differ by orders of magnitude (a query of a fraction of a millisecond inside a call of tens).

    >>> frame = pd.DataFrame({"segment": ["execute", "execute", "Invocation"], "duration_ms": [0.3, 0.5, 12.0]})
    >>> fig = segment_latency_figure(frame)
    >>> fig.layout.yaxis.type, fig.layout.yaxis.title.text
    ('log', 'duration (ms, log scale)')
    """
    import plotly.express as px

    order = durations.groupby("segment")["duration_ms"].median().sort_values(ascending=False).index.tolist()
    fig = px.box(
        durations, x="segment", y="duration_ms", points="all", log_y=True, template="plotly_white",
        title=title or say("views.traces.latency_title"),
        category_orders={"segment": order},
    )  # fmt: skip
    fig.update_layout(xaxis_title=say("views.traces.segment_slowest"), yaxis_title=say("views.traces.log_duration"))
    return fig
