"""helpers.measure.traces and helpers.views.traces: BatchGetTraces / GetServiceGraph answers to tables and figures.

The documents follow the X-Ray segment document schema and API reference: API Gateway stage
segment -> Lambda service segment -> function segment (Initialization, Invocation, Overhead), plus a
subsegment document the SDK streams from inside the handler with a nested SQL subsegment.
"""

from __future__ import annotations

import json

from helpers import measure, views

TRACE_ID = "1-67443f00-0123456789abcdef01234567"
T = 1764046800.0


def _trace() -> dict:
    apigw = {
        "id": "a000000000000001", "trace_id": TRACE_ID, "name": "workshop-api/dev", "origin": "AWS::ApiGateway::Stage",
        "start_time": T, "end_time": T + 0.400, "http": {"response": {"status": 200}},
    }  # fmt: skip
    service = {
        "id": "b000000000000001", "trace_id": TRACE_ID, "parent_id": "a000000000000001", "name": "db-time",
        "origin": "AWS::Lambda", "start_time": T + 0.010, "end_time": T + 0.390,
    }  # fmt: skip
    function = {
        "id": "c000000000000001", "trace_id": TRACE_ID, "parent_id": "b000000000000001", "name": "db-time",
        "origin": "AWS::Lambda::Function", "start_time": T + 0.015, "end_time": T + 0.385,
        "subsegments": [
            {"id": "d000000000000001", "name": "Initialization", "start_time": T + 0.015, "end_time": T + 0.300},
            {"id": "d000000000000002", "name": "Invocation", "start_time": T + 0.300, "end_time": T + 0.380},
            {"id": "d000000000000003", "name": "Overhead", "start_time": T + 0.380, "end_time": T + 0.385},
        ],
    }  # fmt: skip
    handler_sub = {
        "id": "e000000000000001", "trace_id": TRACE_ID, "parent_id": "c000000000000001", "type": "subsegment",
        "name": "db_time query", "start_time": T + 0.305, "end_time": T + 0.370,
        "metadata": {"sql": {"query": "SELECT NOW()"}},
        "subsegments": [
            {"id": "e000000000000002", "name": "execute", "namespace": "remote", "start_time": T + 0.306,
             "end_time": T + 0.368, "sql": {"database_type": "MySQL", "user": "admin", "driver_version": "PyMySQL"}},
        ],
    }  # fmt: skip
    docs = [function, handler_sub, apigw, service]  # BatchGetTraces gives no particular order
    return {"Id": TRACE_ID, "Duration": 0.4, "Segments": [{"Id": d["id"], "Document": json.dumps(d)} for d in docs]}


def test_segments_frame_nests_documents_by_parent_in_time_order() -> None:
    frame = measure.traces.segments_frame(_trace())
    assert list(frame["name"]) == [
        "workshop-api/dev", "db-time", "db-time", "Initialization", "Invocation", "db_time query", "execute",
        "Overhead",
    ]  # fmt: skip
    assert list(frame["depth"]) == [0, 1, 2, 3, 3, 3, 4, 3]
    assert frame.loc[0, "start_ms"] == 0
    assert round(frame.loc[0, "duration_ms"]) == 400
    init = frame[frame["name"] == "Initialization"].iloc[0]
    assert round(init["duration_ms"]) == 285 and round(init["start_ms"]) == 15
    sql = frame[frame["name"] == "execute"].iloc[0]
    assert "MySQL" in sql["sql"] and "SQL" in sql["label"]
    assert frame[frame["name"] == "db_time query"].iloc[0]["sql"] == "SELECT NOW()"


def test_segments_frame_of_empty_trace() -> None:
    assert measure.traces.segments_frame({"Id": TRACE_ID, "Segments": []}).empty


def test_timeline_figure_shows_every_bar_with_initialization_and_sql() -> None:
    fig = views.traces.timeline_figure(_trace())
    bar = fig.data[0]
    assert bar.orientation == "h" and len(bar.x) == 8
    labels = list(fig.layout.yaxis.ticktext)
    assert any("Initialization" in label for label in labels)
    texts = list(bar.text)
    assert any("SELECT NOW()" in t for t in texts)
    assert "400 ms" in fig.layout.title.text
    assert fig.layout.xaxis.title.text.endswith("(ms)")
    colors = dict(zip(labels, bar.marker.color, strict=True))
    assert colors[next(label for label in labels if "Initialization" in label)] == "#ff7f0e"


def test_summaries_frame_from_api_shape() -> None:
    summaries = [
        {"Id": TRACE_ID, "Duration": 0.4, "ResponseTime": 0.4, "HasFault": False, "HasError": True,
         "HasThrottle": False, "Http": {"HttpURL": "https://x/dev/", "HttpStatus": 429, "HttpMethod": "GET"}},
    ]  # fmt: skip
    frame = measure.traces.summaries_frame(summaries)
    assert frame.loc[0, "http_status"] == 429 and bool(frame.loc[0, "has_error"])
    assert measure.traces.summaries_frame([]).empty


def test_segment_durations_qualify_segments_by_origin() -> None:
    durations = measure.traces.segment_durations([_trace(), _trace()])
    assert len(durations) == 16
    names = set(durations["segment"])
    assert {"db-time (AWS::Lambda)", "db-time (AWS::Lambda::Function)", "execute", "Initialization"} <= names
    only = measure.traces.segment_durations([_trace()], names=["execute"])
    assert list(only["segment"]) == ["execute"]
    fig = views.traces.segment_latency_figure(durations)
    assert fig.layout.yaxis.type == "log" and set(fig.data[0].x) == names


def _graph() -> list[dict]:
    # GetServiceGraph Services (API reference shape), without a client node.
    def stats(total: int, seconds: float, faults: int = 0) -> dict:
        return {
            "OkCount": total - faults,
            "ErrorStatistics": {"ThrottleCount": 0, "OtherCount": 0, "TotalCount": 0},
            "FaultStatistics": {"OtherCount": faults, "TotalCount": faults},
            "TotalCount": total,
            "TotalResponseTime": seconds,
        }

    def edge(ref: int, total: int, seconds: float) -> dict:
        return {"ReferenceId": ref, "SummaryStatistics": stats(total, seconds), "ResponseTimeHistogram": []}

    return [
        {"ReferenceId": 0, "Name": "workshop-api/dev", "Names": ["workshop-api/dev"], "Root": True,
         "Type": "AWS::ApiGateway::Stage", "State": "active", "Edges": [edge(1, 10, 2.0)],
         "SummaryStatistics": stats(10, 2.5)},
        {"ReferenceId": 1, "Name": "db-time", "Names": ["db-time"], "Type": "AWS::Lambda", "State": "active",
         "Edges": [edge(2, 10, 1.8)], "SummaryStatistics": stats(10, 2.0)},
        {"ReferenceId": 2, "Name": "db-time", "Names": ["db-time"], "Type": "AWS::Lambda::Function",
         "State": "active", "Edges": [edge(3, 10, 0.5)], "SummaryStatistics": stats(10, 1.8, faults=1)},
        {"ReferenceId": 3, "Name": "execute", "Names": ["execute"], "Type": "Database::SQL", "State": "active",
         "Edges": [], "SummaryStatistics": stats(10, 0.5)},
    ]  # fmt: skip


def test_graph_frames_add_the_client_in_front_of_the_root() -> None:
    nodes, edges = measure.traces.graph_frames(_graph())
    assert list(nodes["type"]) == [
        "client",
        "AWS::ApiGateway::Stage",
        "AWS::Lambda",
        "AWS::Lambda::Function",
        "Database::SQL",
    ]
    client = nodes.iloc[0]["ref"]
    assert ((edges["source"] == client) & (edges["target"] == 0)).any()
    lam = nodes[nodes["type"] == "AWS::Lambda::Function"].iloc[0]
    assert lam["avg_ms"] == 180.0 and lam["errors"] == 1
    layers = views.traces._layers(nodes, edges)
    assert [layers[r] for r in nodes["ref"]] == [0, 1, 2, 3, 4]


def test_graph_frames_keep_an_existing_client_node() -> None:
    graph = [
        {"ReferenceId": 9, "Name": "client", "Type": "client", "Edges": [{"ReferenceId": 0}]},
        *_graph(),
    ]
    nodes, edges = measure.traces.graph_frames(graph)
    assert (nodes["type"] == "client").sum() == 1 and len(edges) == 4


def test_service_map_figure_draws_nodes_left_to_right_with_arrows() -> None:
    fig = views.traces.service_map_figure(_graph(), "Service map")
    scatter = fig.data[0]
    assert list(scatter.x) == [0.0, 1.0, 2.0, 3.0, 4.0]
    assert "Database::SQL" in scatter.text[-1] and "client" in scatter.text[0]
    arrows = [a for a in fig.layout.annotations if a.showarrow]
    assert len(arrows) == 4
    assert fig.layout.title.text == "Service map"


def test_service_map_of_empty_graph_and_cycles_terminate() -> None:
    assert "no services" in views.traces.service_map_figure([]).layout.title.text
    cyclic = [
        {"ReferenceId": 0, "Name": "a", "Type": "x", "Root": True, "Edges": [{"ReferenceId": 1}]},
        {"ReferenceId": 1, "Name": "b", "Type": "x", "Edges": [{"ReferenceId": 0}]},
    ]
    fig = views.traces.service_map_figure(cyclic)
    assert len(fig.data[0].x) == 3


def test_new_trace_header_starts_a_sampled_trace() -> None:
    import re
    import time

    trace_id, header = measure.traces.new_trace_header()
    assert re.fullmatch(r"1-[0-9a-f]{8}-[0-9a-f]{24}", trace_id)
    assert abs(int(trace_id.split("-")[1], 16) - time.time()) < 5
    assert header == f"Root={trace_id};Sampled=1"
    assert measure.traces.new_trace_header()[0] != trace_id
