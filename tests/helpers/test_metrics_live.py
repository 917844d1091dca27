"""helpers.measure.metrics (and views.metrics) against a real pocketcloud: real invocations, real CloudWatch answers."""

from __future__ import annotations

import datetime as dt
import io
import json
import uuid
import zipfile
from concurrent.futures import ThreadPoolExecutor

import pandas as pd
from botocore.config import Config

import pocketcloud
from helpers import measure, views
from helpers.aws.waiting import poll

from .conftest import lambda_role

TRUST = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}],
}
HANDLER = """
import time
def handler(event, context):
    time.sleep(event.get("sleep", 0))
    if event.get("fail"):
        raise RuntimeError("asked to fail")
    return {"ok": True}
"""


def _function(cloud: pocketcloud.Cloud) -> str:
    role = lambda_role(cloud, "metrics-test-role", TRUST)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("app.py", HANDLER)
    name = f"metrics-{uuid.uuid4().hex[:8]}"
    lam = cloud.client("lambda")
    lam.create_function(
        FunctionName=name, Runtime="python3.12", Role=role, Handler="app.handler", Code={"ZipFile": buffer.getvalue()},
        Timeout=30,  # longer than the overlapping calls' 5 s
    )  # fmt: skip
    lam.get_waiter("function_active_v2").wait(FunctionName=name)  # a new function is Pending at first
    version = lam.publish_version(FunctionName=name)["Version"]
    lam.create_alias(FunctionName=name, Name="live", FunctionVersion=version)
    return name


def _invoke(cloud: pocketcloud.Cloud, name: str, payload: dict, qualifier: str | None = None) -> dict:
    kwargs = {"Qualifier": qualifier} if qualifier else {}
    # No client-side retries: each throttled call must be counted once by the test and by CloudWatch.
    lam = cloud.client("lambda", config=Config(retries={"total_max_attempts": 1}))
    try:
        response = lam.invoke(FunctionName=name, Payload=json.dumps(payload), **kwargs)
    except lam.exceptions.TooManyRequestsException:
        return {"throttled": True}
    return {"error": response.get("FunctionError")}


def test_lambda_metrics_of_real_invocations(cloud: pocketcloud.Cloud) -> None:
    name = _function(cloud)
    start = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=5)
    for payload in ({}, {}, {"fail": True}):
        _invoke(cloud, name, payload, qualifier="live")
    _invoke(cloud, name, {})  # unqualified: counted for the function, not for the alias
    # Reserved concurrency 1 and three overlapping calls: at least one is throttled. Each served call lasts
    # 5 s, long enough that a slow host still starts the three while the first runs.
    cloud.client("lambda").put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=1)
    with ThreadPoolExecutor(3) as pool:
        outcomes = list(pool.map(lambda _: _invoke(cloud, name, {"sleep": 5}), range(3)))
    throttled = sum(bool(o.get("throttled")) for o in outcomes)
    assert throttled >= 1
    end = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=5)

    cw = cloud.client("cloudwatch")

    def published(frame: pd.DataFrame) -> bool:  # CloudWatch shows datapoints a while after they are recorded
        totals = measure.metrics.metric_totals(frame)
        return totals.get("Invocations", 0) >= 4 + 3 - throttled and totals.get("Throttles", 0) >= throttled

    frame = poll(
        lambda: measure.metrics.lambda_metrics(cw, name, start, end),
        published,
        "waiting for CloudWatch to publish the function's metrics",
        timeout_s=60,
        estimate_s=5,
        interval_s=1,
        progress=False,
        on_timeout="return",
    )
    totals = measure.metrics.metric_totals(frame)
    assert totals["Invocations"] == 4 + 3 - throttled
    assert totals["Errors"] == 1
    assert totals["Throttles"] == throttled
    assert totals["ConcurrentExecutions"] >= 1
    assert totals["Duration"] > 0
    assert set(frame["FunctionName"]) == {name}

    alias = measure.metrics.metric_totals(measure.metrics.lambda_metrics(cw, name, start, end, qualifier="live"))
    assert alias["Invocations"] == 3 and alias["Errors"] == 1

    fig = views.metrics.metrics_figure(frame, f"{name} under load", metrics=["Invocations", "Throttles", "Duration"])
    assert len(fig.data) == 3 and fig.layout.yaxis3.title.text == "Duration, average (ms)"


def test_rds_connection_metrics_read_what_cloudwatch_holds(cloud: pocketcloud.Cloud) -> None:
    # Published the way RDS does (namespace AWS/RDS, ProxyName / DBInstanceIdentifier dimensions).
    cw = cloud.client("cloudwatch")
    proxy, instance = f"proxy-{uuid.uuid4().hex[:6]}", f"db-{uuid.uuid4().hex[:6]}"
    now = dt.datetime.now(dt.UTC)
    data = [
        ("ClientConnections", [{"Name": "ProxyName", "Value": proxy}], 40),
        ("DatabaseConnections", [{"Name": "ProxyName", "Value": proxy}], 5),
        ("DatabaseConnections", [{"Name": "DBInstanceIdentifier", "Value": instance}], 7),
    ]
    cw.put_metric_data(
        Namespace="AWS/RDS",
        MetricData=[
            {"MetricName": m, "Dimensions": d, "Value": v, "Unit": "Count", "Timestamp": now} for m, d, v in data
        ],
    )
    frame = measure.metrics.rds_connection_metrics(
        cw, now - dt.timedelta(minutes=2), now + dt.timedelta(minutes=1), proxy_names=[proxy], db_instances=[instance]
    )
    totals = measure.metrics.metric_totals(frame)
    assert totals[f"ClientConnections ({proxy})"] == 40
    assert totals[f"DatabaseConnections ({proxy})"] == 5
    assert totals[f"DatabaseConnections ({instance})"] == 7


def test_bad_metric_query_gets_the_aws_error(cloud: pocketcloud.Cloud) -> None:
    import botocore.exceptions
    import pytest

    bad = measure.metrics.MetricQuery("AWS/Lambda", "Invocations", (), stat="NotAStat")
    now = dt.datetime.now(dt.UTC)
    with pytest.raises(botocore.exceptions.ClientError):
        measure.metrics.get_metrics(cloud.client("cloudwatch"), [bad], now - dt.timedelta(minutes=5), now)
