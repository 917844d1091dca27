"""AWS X-Ray traces as pandas DataFrames and plotly figures.

- :func:`fetch_traces` finds traces with GetTraceSummaries and downloads them with BatchGetTraces.
- :func:`segments_frame` flattens a trace's segment documents (and their nested subsegments) to rows.
- :func:`service_graph` reads GetServiceGraph; :func:`service_map_figure` draws it left to right.
- :func:`timeline_figure` draws one trace as horizontal bars; :func:`latency_histogram_figure` the
  distribution of each segment's duration over many traces.

Example::

    traces = fetch_traces(xray, start, end)
    timeline_figure(traces[0]).show()
    service_map_figure(service_graph(xray, start, end)).show()
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from typing import Any

import pandas as pd

_BATCH = 5  # BatchGetTraces takes at most 5 trace ids per call

SEGMENT_COLUMNS = [
    "trace_id", "id", "parent_id", "name", "kind", "origin", "namespace", "depth",
    "start", "end", "start_ms", "duration_ms", "error", "fault", "throttle", "sql", "label",
]  # fmt: skip


# -- fetching -------------------------------------------------------------------------------------


def trace_summaries(
    xray: Any, start: dt.datetime, end: dt.datetime, *, filter_expression: str | None = None
) -> pd.DataFrame:
    """One row per trace in the window: id, duration_s, response_time_s, http_status, url, error flags."""
    kwargs: dict[str, Any] = {"StartTime": start, "EndTime": end, "Sampling": False}
    if filter_expression:
        kwargs["FilterExpression"] = filter_expression
    summaries: list[dict[str, Any]] = []
    while True:
        page = xray.get_trace_summaries(**kwargs)
        summaries.extend(page.get("TraceSummaries", []))
        token = page.get("NextToken")
        if not token:
            break
        kwargs["NextToken"] = token
    return summaries_frame(summaries)


def summaries_frame(summaries: Iterable[dict[str, Any]]) -> pd.DataFrame:
    """GetTraceSummaries ``TraceSummaries`` as a table."""
    rows = [
        {
            "id": s["Id"],
            "duration_s": s.get("Duration"),
            "response_time_s": s.get("ResponseTime"),
            "http_status": (s.get("Http") or {}).get("HttpStatus"),
            "url": (s.get("Http") or {}).get("HttpURL"),
            "has_error": bool(s.get("HasError")),
            "has_fault": bool(s.get("HasFault")),
            "has_throttle": bool(s.get("HasThrottle")),
        }
        for s in summaries
    ]
    columns = ["id", "duration_s", "response_time_s", "http_status", "url", "has_error", "has_fault", "has_throttle"]
    return pd.DataFrame(rows, columns=columns)


def get_traces(xray: Any, trace_ids: Sequence[str]) -> list[dict[str, Any]]:
    """Full traces (``Id``, ``Duration``, ``Segments`` with JSON ``Document``) for ``trace_ids``, in order."""
    found: dict[str, dict[str, Any]] = {}
    for offset in range(0, len(trace_ids), _BATCH):
        kwargs: dict[str, Any] = {"TraceIds": list(trace_ids[offset : offset + _BATCH])}
        while True:
            page = xray.batch_get_traces(**kwargs)
            for trace in page.get("Traces", []):
                found[trace["Id"]] = trace
            token = page.get("NextToken")
            if not token:
                break
            kwargs["NextToken"] = token
    return [found[i] for i in trace_ids if i in found]


def fetch_traces(
    xray: Any,
    start: dt.datetime,
    end: dt.datetime,
    *,
    filter_expression: str | None = None,
    limit: int | None = None,
) -> list[dict[str, Any]]:
    """The traces recorded between ``start`` and ``end`` (newest ``limit`` ones when given)."""
    summaries = trace_summaries(xray, start, end, filter_expression=filter_expression)
    ids = list(summaries["id"])
    if limit is not None:
        ids = ids[-limit:]
    return get_traces(xray, ids)


def service_graph(xray: Any, start: dt.datetime, end: dt.datetime) -> list[dict[str, Any]]:
    """GetServiceGraph ``Services`` for the window, all pages merged."""
    kwargs: dict[str, Any] = {"StartTime": start, "EndTime": end}
    services: list[dict[str, Any]] = []
    while True:
        page = xray.get_service_graph(**kwargs)
        services.extend(page.get("Services", []))
        token = page.get("NextToken")
        if not token:
            break
        kwargs["NextToken"] = token
    return services


def new_trace_header() -> tuple[str, str]:
    """A new trace id and the ``X-Amzn-Trace-Id`` header that starts it with sampling requested."""
    import os
    import time

    trace_id = f"1-{int(time.time()):08x}-{os.urandom(12).hex()}"
    return trace_id, f"Root={trace_id};Sampled=1"


def call_traced(url: str, *, timeout_s: float = 35) -> tuple[Any, str]:
    """GET ``url`` with a new sampled trace header; returns (response, trace id).

    A request that arrives with a sampling decision keeps it, so this call is traced whatever the
    sampling rule would have decided. The response has ``status``, ``body`` (parsed JSON when possible),
    ``latency_ms`` and ``headers``.
    """
    from .api import call_api

    trace_id, header = new_trace_header()
    return call_api(url, headers={"X-Amzn-Trace-Id": header}, timeout_s=timeout_s), trace_id


# -- segments -------------------------------------------------------------------------------------


def _documents(trace: dict[str, Any]) -> list[dict[str, Any]]:
    docs = []
    for segment in trace.get("Segments", []):
        doc = segment.get("Document")
        docs.append(json.loads(doc) if isinstance(doc, str) else dict(doc or {}))
    return docs


def _sql_text(entry: dict[str, Any]) -> str | None:
    sql = entry.get("sql")
    metadata = (entry.get("metadata") or {}).get("sql") or {}
    if isinstance(sql, dict) and sql.get("sanitized_query"):
        return str(sql["sanitized_query"])
    if metadata.get("query"):
        return str(metadata["query"])
    if isinstance(sql, dict):
        return f"{sql.get('database_type', 'SQL')} ({sql.get('user', '?')}@{sql.get('url', 'database')})"
    return None


def segments_frame(trace: dict[str, Any]) -> pd.DataFrame:
    """Every segment and subsegment of one BatchGetTraces trace as a row, in timeline order.

    ``depth`` is 0 for segments and grows with nesting (a segment whose ``parent_id`` points at another
    segment's subsegment is placed under it); ``start_ms`` is relative to the trace's first segment.
    """
    rows: list[dict[str, Any]] = []
    for doc in _documents(trace):
        _walk(
            doc, rows, trace.get("Id") or doc.get("trace_id"), parent_id=doc.get("parent_id"), depth=0, kind="segment"
        )
    if not rows:
        return pd.DataFrame(columns=SEGMENT_COLUMNS)
    frame = pd.DataFrame(rows)
    frame = frame.dropna(subset=["start"])
    frame["end"] = frame["end"].fillna(frame["start"])
    origin = frame["start"].min()
    frame["start_ms"] = (frame["start"] - origin) * 1000
    frame["duration_ms"] = (frame["end"] - frame["start"]) * 1000
    frame = _order(frame)
    frame["sql"] = frame["sql"].astype(object).where(frame["sql"].notna(), None)
    frame["label"] = [_label(row) for row in frame.itertuples()]
    return frame[SEGMENT_COLUMNS].reset_index(drop=True)


def _walk(
    entry: dict[str, Any], rows: list, trace_id: str | None, parent_id: str | None, depth: int, kind: str
) -> None:
    rows.append(
        {
            "trace_id": trace_id,
            "id": entry.get("id"),
            "parent_id": parent_id,
            "name": entry.get("name", "?"),
            "kind": kind,
            "origin": entry.get("origin") or "",
            "namespace": entry.get("namespace") or "",
            "depth": depth,
            "start": entry.get("start_time"),
            "end": entry.get("end_time"),
            "error": bool(entry.get("error")),
            "fault": bool(entry.get("fault")),
            "throttle": bool(entry.get("throttle")),
            "sql": _sql_text(entry),
        }
    )
    for child in entry.get("subsegments") or []:
        _walk(child, rows, trace_id, entry.get("id"), depth + 1, "subsegment")


def _order(frame: pd.DataFrame) -> pd.DataFrame:
    """Depth-first order by start time, children right under their parent (across documents too)."""
    children: dict[Any, list[int]] = {}
    ids = set(frame["id"])
    for index, row in frame.iterrows():
        parent = row["parent_id"] if row["parent_id"] in ids else None
        children.setdefault(parent, []).append(index)
    order: list[int] = []
    depth: dict[int, int] = {}

    def visit(index: int, level: int) -> None:
        order.append(index)
        depth[index] = level
        for child in sorted(children.get(frame.at[index, "id"], []), key=lambda i: frame.at[i, "start"]):
            if child not in depth:
                visit(child, level + 1)

    for root in sorted(children.get(None, []), key=lambda i: frame.at[i, "start"]):
        visit(root, 0)
    for index in frame.index:  # cycles or orphans: keep them, unindented
        if index not in depth:
            visit(index, 0)
    ordered = frame.loc[order].copy()
    ordered["depth"] = [depth[i] for i in order]
    return ordered


def _label(row: Any) -> str:
    kind = row.origin or ("SQL" if row.sql else row.namespace or row.kind)
    return f"{'· ' * row.depth}{row.name} [{kind}]"


def segment_durations(traces: Iterable[dict[str, Any]], *, names: Sequence[str] | None = None) -> pd.DataFrame:
    """Durations of every segment/subsegment across ``traces``: columns trace_id, segment, duration_ms.

    ``segment`` is the name qualified by origin for segments (API Gateway stage and function share a
    name otherwise), so each bar of a histogram means one thing.
    """
    frames = []
    for trace in traces:
        frame = segments_frame(trace)
        if frame.empty:
            continue
        frame["segment"] = [f"{r.name} ({r.origin})" if r.origin else r.name for r in frame.itertuples()]
        frames.append(frame[["trace_id", "segment", "kind", "duration_ms"]])
    if not frames:
        return pd.DataFrame(columns=["trace_id", "segment", "kind", "duration_ms"])
    result = pd.concat(frames, ignore_index=True)
    if names is not None:
        result = result[result["segment"].isin(names)]
    return result.reset_index(drop=True)


# -- service graph --------------------------------------------------------------------------------


def graph_frames(services: Sequence[dict[str, Any]]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """GetServiceGraph ``Services`` as (nodes, edges) tables with counts and average latency in ms.

    When the graph has no node of type ``client``, one is added in front of the root services: the
    caller that the entry points received the requests from.
    """
    nodes = []
    edges = []
    for service in services:
        stats = service.get("SummaryStatistics") or {}
        nodes.append(
            {
                "ref": service["ReferenceId"],
                "name": service.get("Name") or service.get("Type", "?"),
                "type": service.get("Type", ""),
                "root": bool(service.get("Root")),
                "requests": int(stats.get("TotalCount", 0) or 0),
                "errors": _error_count(stats),
                "avg_ms": _average_ms(stats),
            }
        )
        for edge in service.get("Edges") or []:
            edge_stats = edge.get("SummaryStatistics") or {}
            edges.append(
                {
                    "source": service["ReferenceId"],
                    "target": edge["ReferenceId"],
                    "requests": int(edge_stats.get("TotalCount", 0) or 0),
                    "avg_ms": _average_ms(edge_stats),
                }
            )
    node_frame = pd.DataFrame(nodes, columns=["ref", "name", "type", "root", "requests", "errors", "avg_ms"])
    edge_frame = pd.DataFrame(edges, columns=["source", "target", "requests", "avg_ms"])
    if not node_frame.empty and not (node_frame["type"] == "client").any():
        targets = set(edge_frame["target"])
        roots = node_frame[node_frame["root"] | ~node_frame["ref"].isin(targets)]
        client_ref = min(-1, int(node_frame["ref"].min()) - 1)
        node_frame = pd.concat(
            [
                pd.DataFrame(
                    [{"ref": client_ref, "name": "client", "type": "client", "root": False, "requests": 0, "errors": 0}]
                ),
                node_frame,
            ],
            ignore_index=True,
        )
        extra = [
            {"source": client_ref, "target": r.ref, "requests": r.requests, "avg_ms": r.avg_ms}
            for r in roots.itertuples()
        ]
        edge_frame = pd.concat([pd.DataFrame(extra, columns=edge_frame.columns), edge_frame], ignore_index=True)
    return node_frame, edge_frame


def _average_ms(stats: dict[str, Any]) -> float | None:
    total, count = stats.get("TotalResponseTime"), stats.get("TotalCount")
    return round(float(total) / count * 1000, 2) if total is not None and count else None


def _error_count(stats: dict[str, Any]) -> int:
    errors = (stats.get("ErrorStatistics") or {}).get("TotalCount", 0) or 0
    faults = (stats.get("FaultStatistics") or {}).get("TotalCount", 0) or 0
    return int(errors) + int(faults)


def _layers(nodes: pd.DataFrame, edges: pd.DataFrame) -> dict[Any, int]:
    """Longest-path layer of each node from the client (or graph roots), so calls flow left to right."""
    incoming = {ref: set() for ref in nodes["ref"]}
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


def service_map_figure(services: Sequence[dict[str, Any]], title: str = "X-Ray service map"):
    """The service map from GetServiceGraph: nodes left to right in call order, arrows for edges.

    Each node shows its name, type, request count and average response time; edge labels show the
    number of calls and their average latency.
    """
    import plotly.graph_objects as go

    nodes, edges = graph_frames(services)
    fig = go.Figure()
    fig.update_layout(title=title, template="plotly_white", showlegend=False, height=420)
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    if nodes.empty:
        fig.update_layout(title=f"{title} (no services in this time window)")
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
        text = f"{edge.requests} calls" + (f"<br>{edge.avg_ms:.0f} ms avg" if pd.notna(edge.avg_ms) else "")
        fig.add_annotation(x=(x0 + x1) / 2, y=(y0 + y1) / 2 + 0.18, text=text, showarrow=False, font={"size": 10})
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
                f"{r.name}<br>{r.type}<br>{r.requests} requests, {r.errors} errors/faults" for r in ordered.itertuples()
            ],
            hoverinfo="text",
        )
    )
    span = max(position.values(), key=lambda p: p[0])[0]
    fig.update_xaxes(range=[-0.6, span + 0.6])
    ys = [p[1] for p in position.values()]
    fig.update_yaxes(range=[min(ys) - 1.0, max(ys) + 0.7])
    return fig


def _node_text(row: Any) -> str:
    if row.type == "client":
        return "<b>client</b>"
    detail = f"{row.requests} req" + (f", {row.avg_ms:.0f} ms avg" if pd.notna(row.avg_ms) else "")
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


def timeline_figure(trace: dict[str, Any] | pd.DataFrame, title: str | None = None):
    """One trace as a waterfall: a bar per segment and subsegment, nested ones indented under their parent.

    Cold-start ``Initialization`` is orange, SQL subsegments purple (their query in the hover text and on
    the bar), errors and faults red.
    """
    import plotly.graph_objects as go

    frame = trace if isinstance(trace, pd.DataFrame) else segments_frame(trace)
    trace_id = frame["trace_id"].iloc[0] if not frame.empty else "?"
    fig = go.Figure()
    if frame.empty:
        fig.update_layout(title=title or "trace timeline (no segments)", template="plotly_white")
        return fig
    texts = [f"{r.duration_ms:.1f} ms" + (f"  {r.sql}" if r.sql else "") for r in frame.itertuples()]
    rows = list(range(len(frame)))  # one row per bar even when two subsegments share a label
    fig.add_trace(
        go.Bar(
            y=rows,
            x=frame["duration_ms"].clip(lower=0.3),  # keep sub-millisecond work visible as a sliver
            base=frame["start_ms"],
            orientation="h",
            marker_color=[_color(r) for r in frame.itertuples()],
            text=texts,
            textposition="outside",
            cliponaxis=False,
            hovertext=[
                f"{r.name}<br>start +{r.start_ms:.1f} ms, {r.duration_ms:.1f} ms"
                + (f"<br>SQL: {r.sql}" if r.sql else "")
                for r in frame.itertuples()
            ],
            hoverinfo="text",
        )
    )
    total = float((frame["start_ms"] + frame["duration_ms"]).max())
    fig.update_layout(
        title=title or f"Trace {trace_id}: {total:.0f} ms end to end",
        template="plotly_white",
        height=max(300, 40 * len(frame) + 120),
        showlegend=False,
        margin={"l": 260, "r": 160},
    )
    fig.update_xaxes(title_text="time since the trace started (ms)", range=[0, total * 1.25 + 1])
    fig.update_yaxes(
        autorange="reversed",
        title_text="segment / subsegment",
        tickmode="array",
        tickvals=rows,
        ticktext=list(frame["label"]),
    )
    return fig


def latency_histogram_figure(durations: pd.DataFrame, title: str = "Latency per segment", *, bins: int = 40):
    """Overlaid histograms of ``segment_durations`` output, one per segment name, in ms."""
    import plotly.express as px

    fig = px.histogram(
        durations, x="duration_ms", color="segment", nbins=bins, barmode="overlay", opacity=0.6,
        title=title, template="plotly_white",
    )  # fmt: skip
    fig.update_layout(xaxis_title="duration (ms)", yaxis_title="number of segments", legend_title_text="segment")
    return fig
