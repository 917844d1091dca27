"""AWS X-Ray traces as pandas DataFrames: fetched, flattened to segments, and the service graph as tables.

- :func:`fetch_traces` finds traces with GetTraceSummaries and downloads them with BatchGetTraces.
- :func:`segments_frame` flattens a trace's segment documents (and their nested subsegments) to rows.
- :func:`service_graph` reads GetServiceGraph; :func:`graph_frames` makes it nodes and edges.
- :func:`call_traced` starts a sampled trace from the notebook; :func:`wait_for_traces` waits until X-Ray
  has them complete.

``helpers.views.traces`` draws the timeline, the service map and the latency histograms.

Example::

    answer, trace_id = call_traced(url)
    traces = wait_for_traces(ws, ids=[trace_id])
    segments_frame(traces[0])[["label", "start_ms", "duration_ms", "sql"]]
"""

from __future__ import annotations

import datetime as dt
import json
import os
import time
from collections.abc import Iterable, Sequence
from typing import Any

import pandas as pd

from ..aws.api import ApiResponse, call_api
from ..aws.waiting import poll
from ..session import Workshop
from ..text import say

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


def traces_window(traces: Iterable[dict[str, Any]], margin_s: float = 1.0) -> tuple[dt.datetime, dt.datetime]:
    """The time window the ``traces`` span (their earliest segment start to their latest end, widened by
    ``margin_s``): the window to ask GetServiceGraph for, whenever that happens.

    >>> doc = '{"id": "a", "name": "fn", "start_time": 1700000000.5, "end_time": 1700000002.0}'
    >>> [t.isoformat() for t in traces_window([{"Id": "1-x", "Segments": [{"Document": doc}]}])]
    ['2023-11-14T22:13:19.500000+00:00', '2023-11-14T22:13:23+00:00']
    """
    times = [
        moment
        for trace in traces
        for doc in _documents(trace)
        for moment in (doc.get("start_time"), doc.get("end_time") or doc.get("start_time"))
        if moment is not None
    ]
    if not times:
        raise ValueError(say("measure.traces.no_segments"))
    return (
        dt.datetime.fromtimestamp(min(times) - margin_s, dt.UTC),
        dt.datetime.fromtimestamp(max(times) + margin_s, dt.UTC),
    )


def new_trace_header() -> tuple[str, str]:
    """A new trace id and the ``X-Amzn-Trace-Id`` header that starts it with sampling requested."""
    trace_id = f"1-{int(time.time()):08x}-{os.urandom(12).hex()}"
    return trace_id, f"Root={trace_id};Sampled=1"


def call_traced(url: str, *, timeout_s: float = 35) -> tuple[ApiResponse, str]:
    """GET ``url`` with a new sampled trace header; returns (response, trace id).

    A request that arrives with a sampling decision keeps it, so this call is traced whatever the
    sampling rule would have decided. The response has ``status``, ``body`` (parsed JSON when possible),
    ``latency_ms`` and ``headers``.
    """
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
    entry: dict[str, Any],
    rows: list[dict[str, Any]],
    trace_id: str | None,
    parent_id: str | None,
    depth: int,
    kind: str,
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
    kind = row.origin or ("SQL" if row.sql else row.namespace or say(f"measure.traces.kind.{row.kind}"))
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


def wait_for_traces(
    ws: Workshop,
    *,
    ids: list[str] | None = None,
    start: dt.datetime | None = None,
    count: int = 1,
    timeout_s: float = 180,
    need_sql: bool = True,
    progress: bool = True,
) -> list[dict[str, Any]]:
    """Complete traces (with their function segment, and the SQL subsegment when ``need_sql``): the ones
    named by ``ids``, or at least ``count`` since ``start``. Returns what is there when ``timeout_s`` ends.

    X-Ray makes traces searchable some seconds after they end; pocketcloud at once.
    """
    xray = ws.client("xray")

    def complete(trace: dict[str, Any]) -> bool:
        frame = segments_frame(trace)
        has_function = (frame["origin"] == "AWS::Lambda::Function").any()
        return bool(has_function and (not need_sql or frame["sql"].notna().any()))

    def fetch() -> list[dict[str, Any]]:
        if ids is not None:
            traces = get_traces(xray, ids)
        else:
            assert start is not None, "give the trace ids or the start of the window"
            traces = fetch_traces(xray, start, dt.datetime.now(dt.UTC) + dt.timedelta(seconds=5))
        return [t for t in traces if complete(t)]

    wanted = len(ids) if ids is not None else count
    return poll(
        fetch,
        lambda done: len(done) >= wanted,
        say("measure.traces.waiting", count=wanted),
        timeout_s=timeout_s,
        estimate_s=ws.default(local=2, aws=30),
        interval_s=2,
        progress=progress,
        on_timeout="return",
    )
