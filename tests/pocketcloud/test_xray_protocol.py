"""X-Ray daemon protocol details: in-progress segments and early subsegments merge; bad API input errors."""

from __future__ import annotations

import json
import socket
import time
import urllib.error
import urllib.request

import pocketcloud

HEADER = b'{"format": "json", "version": 1}\n'


def _send(cloud: pocketcloud.Cloud, *docs: dict) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        for doc in docs:
            sock.sendto(HEADER + json.dumps(doc).encode(), ("127.0.0.1", cloud.ports["xray"]))


def _wait_trace(cloud: pocketcloud.Cloud, trace_id: str, ready) -> dict:
    deadline = time.monotonic() + 10
    while True:
        traces = cloud.client("xray").batch_get_traces(TraceIds=[trace_id])["Traces"]
        if traces and ready(traces[0]):
            return traces[0]
        assert time.monotonic() < deadline, traces
        time.sleep(0.1)


def test_in_progress_segment_and_early_subsegment_merge_into_one_trace(cloud: pocketcloud.Cloud) -> None:
    now = time.time()
    trace_id = f"1-{int(now):08x}-{'ef' * 12}"
    seg_id, sub_id = "aaaaaaaaaaaaaaaa", "bbbbbbbbbbbbbbbb"
    sub = {
        "type": "subsegment",
        "id": sub_id,
        "parent_id": seg_id,
        "trace_id": trace_id,
        "name": "work",
        "start_time": now - 0.5,
        "end_time": now - 0.1,
    }
    opened = {"name": "svc", "id": seg_id, "trace_id": trace_id, "start_time": now - 1, "in_progress": True}
    # The subsegment arrives before its parent, as it can when the SDK streams from a handler.
    _send(cloud, sub)
    _send(cloud, opened)
    first = _wait_trace(cloud, trace_id, lambda t: t["Segments"])
    doc = json.loads(first["Segments"][0]["Document"])
    assert doc["in_progress"] is True and [s["id"] for s in doc["subsegments"]] == [sub_id]
    finished = {"name": "svc", "id": seg_id, "trace_id": trace_id, "start_time": now - 1, "end_time": now}
    _send(cloud, finished)
    done = _wait_trace(cloud, trace_id, lambda t: "end_time" in json.loads(t["Segments"][0]["Document"]))
    assert len(done["Segments"]) == 1, "one segment, not two versions"
    doc = json.loads(done["Segments"][0]["Document"])
    assert [s["id"] for s in doc["subsegments"]] == [sub_id], "the finished version keeps its subsegment"
    assert done["Duration"] > 0.9


def test_trace_apis_reject_bad_input_with_invalid_request_exception(cloud: pocketcloud.Cloud) -> None:
    for path, body in (("/TraceSummaries", b"{}"), ("/ServiceGraph", b"[1]"), ("/Traces", b"not json")):
        request = urllib.request.Request(f"{cloud.endpoint_url}{path}", data=body, method="POST")
        request.add_header("Content-Type", "application/json")
        try:
            urllib.request.urlopen(request, timeout=10)
        except urllib.error.HTTPError as err:
            assert err.code == 400, path
            assert err.headers["x-amzn-ErrorType"] == "InvalidRequestException", path
            assert json.loads(err.read())["message"]
        else:
            raise AssertionError(f"{path} accepted {body!r}")
    ids = [f"1-{int(time.time()):08x}-{'00' * 12}"]
    answer = cloud.client("xray").batch_get_traces(TraceIds=ids)
    assert answer["Traces"] == [] and answer["UnprocessedTraceIds"] == ids
