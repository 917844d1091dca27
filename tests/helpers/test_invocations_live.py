"""helpers.measure.invocations against real functions on pocketcloud: cold/warm starts, throttled bursts, logs."""

from __future__ import annotations

import datetime as dt
import io
import json
import uuid
import zipfile

from botocore.config import Config

import pocketcloud
from helpers.measure import invocations

from ..waiting import wait_until
from .conftest import lambda_role

TRUST = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}],
}
HANDLER = "import time\ndef handler(event, context):\n    time.sleep(event.get('sleep', 0))\n    return {'n': 1}\n"


def _function(cloud: pocketcloud.Cloud) -> str:
    role = lambda_role(cloud, "invocations-test-role", TRUST)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("app.py", HANDLER)
    name = f"inv-{uuid.uuid4().hex[:8]}"
    cloud.client("lambda").create_function(
        FunctionName=name, Runtime="python3.12", Role=role, Handler="app.handler", Code={"ZipFile": buffer.getvalue()},
        Timeout=30,  # longer than the burst's 5 s calls
    )  # fmt: skip
    cloud.client("lambda").get_waiter("function_active_v2").wait(FunctionName=name)  # Pending at first
    return name


def test_sequential_calls_show_one_cold_start_then_warm(cloud: pocketcloud.Cloud) -> None:
    name = _function(cloud)
    lam = cloud.client("lambda")
    start = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=2)
    runs = invocations.invoke_many(lam, name, 4)
    assert list(runs["call"]) == [1, 2, 3, 4]
    assert list(runs["cold"]) == [True, False, False, False]
    assert runs.loc[0, "init_ms"] > 0 and runs["init_ms"][1:].isna().all()
    assert (runs["status"] == 200).all() and runs["error"].isna().all()
    assert (runs["latency_ms"] >= runs["duration_ms"]).all()
    assert json.loads(runs.loc[0, "body"]) == {"n": 1}

    logs = cloud.client("logs")

    def four_reports():
        found = invocations.report_lines(logs, name, start)
        return found if len(found) >= 4 else None

    reports = wait_until(  # logs are shipped off the hot path
        four_reports,
        60,
        "four REPORT lines in CloudWatch Logs",
        seen=lambda: invocations.report_lines(logs, name, start),
    )
    assert len(reports) == 4
    assert int(reports["cold"].sum()) == 1
    assert set(reports["request_id"]) >= set(runs["request_id"])


def test_burst_over_reserved_concurrency_is_partly_throttled(cloud: pocketcloud.Cloud) -> None:
    name = _function(cloud)
    lam = cloud.client("lambda", config=Config(retries={"total_max_attempts": 1}))
    lam.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=2)
    # Each served call lasts 5 s, long enough that a slow host still starts all five while two are running.
    frame = invocations.burst(lambda: invocations.timed_invoke(lam, name, {"sleep": 5}), count=5)
    assert len(frame) == 5
    assert 1 <= int(frame["throttled"].sum()) <= 3
    served = frame[~frame["throttled"]]
    assert (served["status"] == 200).all() and served["error"].isna().all() and served["cold"].all()
    assert (frame[frame["throttled"]]["status"] == 429).all()


def test_report_lines_of_unknown_function_is_empty(cloud: pocketcloud.Cloud) -> None:
    frame = invocations.report_lines(cloud.client("logs"), "no-such-fn", dt.datetime.now(dt.UTC) - dt.timedelta(1))
    assert frame.empty and "init_ms" in frame.columns
