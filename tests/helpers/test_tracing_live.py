"""helpers.measure.traces and helpers.views.traces against pocketcloud's X-Ray: real segments sent by the
aws-xray-sdk over UDP, read back through GetTraceSummaries / BatchGetTraces / GetServiceGraph and drawn."""

from __future__ import annotations

import datetime as dt
import time
import uuid

from aws_xray_sdk.core import AWSXRayRecorder
from aws_xray_sdk.core.context import Context

import pocketcloud
from helpers import measure, views

from ..waiting import wait_until


def _recorder(cloud: pocketcloud.Cloud) -> AWSXRayRecorder:
    recorder = AWSXRayRecorder()
    recorder.configure(
        daemon_address=f"127.0.0.1:{cloud.ports['xray']}",
        sampling=False,
        context=Context(),
        context_missing="RUNTIME_ERROR",
        service="tracing-test",
    )
    return recorder


def _send_request(recorder: AWSXRayRecorder, name: str) -> str:
    """One traced request: a segment with a nested SQL subsegment, as the SDK's pymysql patch makes."""
    segment = recorder.begin_segment(name, sampling=1)
    segment.put_http_meta("url", "http://example.test/")
    segment.put_http_meta("method", "GET")
    work = recorder.begin_subsegment("db_time query")
    work.put_metadata("query", "SELECT NOW()", "sql")
    sql = recorder.begin_subsegment("execute", namespace="remote")
    sql.set_sql({"database_type": "MySQL", "user": "app", "url": "db.example.test"})
    time.sleep(0.02)
    recorder.end_subsegment()
    recorder.end_subsegment()
    segment.put_http_meta("status", 200)
    recorder.end_segment()
    return segment.trace_id


def _wait_for(xray, start, trace_ids):
    """The trace summaries since ``start``, once they include every one of ``trace_ids``."""
    seen: list[str] = []

    def summaries():
        found = measure.traces.trace_summaries(xray, start, dt.datetime.now(dt.UTC) + dt.timedelta(seconds=5))
        seen[:] = list(found["id"])
        return found if set(trace_ids) <= set(seen) else None

    return wait_until(summaries, 60, f"X-Ray to summarize traces {trace_ids}", seen=lambda: seen)


def test_sdk_segments_come_back_as_frames_and_figures(cloud: pocketcloud.Cloud) -> None:
    recorder = _recorder(cloud)
    xray = cloud.client("xray")
    start = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=5)
    name = f"svc-{uuid.uuid4().hex[:6]}"
    ids = [_send_request(recorder, name) for _ in range(3)]
    summaries = _wait_for(xray, start, ids)
    assert set(ids) <= set(summaries["id"])

    traces = measure.traces.get_traces(xray, ids)
    assert [t["Id"] for t in traces] == ids
    frame = measure.traces.segments_frame(traces[0])
    assert list(frame["name"]) == [name, "db_time query", "execute"]
    assert list(frame["depth"]) == [0, 1, 2]
    sql = frame[frame["name"] == "execute"].iloc[0]
    assert "MySQL" in sql["sql"] and sql["duration_ms"] >= 15
    assert frame[frame["name"] == "db_time query"].iloc[0]["sql"] == "SELECT NOW()"

    fig = views.traces.timeline_figure(traces[0])
    assert len(fig.data[0].x) == 3 and any("SELECT NOW()" in t for t in fig.data[0].text)

    durations = measure.traces.segment_durations(traces)
    assert (durations["segment"] == "execute").sum() == 3

    end = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=5)
    services = measure.traces.service_graph(xray, start, end)
    nodes, edges = measure.traces.graph_frames(services)
    ours = nodes[nodes["name"] == name]
    assert len(ours) == 1 and ours.iloc[0]["requests"] >= 3
    assert (nodes["type"] == "client").any()
    our_ref = ours.iloc[0]["ref"]
    downstream = set(edges[edges["source"] == our_ref]["target"])
    assert downstream, "the SQL subsegment (namespace remote) becomes a downstream node"
    fig = views.traces.service_map_figure(services)
    assert any(name in text for text in fig.data[0].text)


def test_fetch_traces_in_a_window_with_a_limit(cloud: pocketcloud.Cloud) -> None:
    recorder = _recorder(cloud)
    xray = cloud.client("xray")
    start = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
    name = f"win-{uuid.uuid4().hex[:6]}"
    ids = [_send_request(recorder, name) for _ in range(2)]
    _wait_for(xray, start, ids)
    end = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=5)
    traces = measure.traces.fetch_traces(xray, start, end)
    assert set(ids) <= {t["Id"] for t in traces}
    assert len(measure.traces.fetch_traces(xray, start, end, limit=1)) == 1
    past = measure.traces.fetch_traces(xray, start - dt.timedelta(hours=2), start - dt.timedelta(hours=1))
    assert not set(ids) & {t["Id"] for t in past}


def test_unknown_trace_ids_are_skipped(cloud: pocketcloud.Cloud) -> None:
    assert measure.traces.get_traces(cloud.client("xray"), ["1-00000000-000000000000000000000000"]) == []
