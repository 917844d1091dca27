"""START/END/REPORT logs in CloudWatch Logs and AWS/Lambda metrics in CloudWatch, from real runs."""

from __future__ import annotations

import datetime as dt
import re
import time

import pocketcloud

from .conftest import Deploy, invoke_json


def test_logs_have_start_end_report_and_handler_output(cloud: pocketcloud.Cloud, deploy: Deploy) -> None:
    name = deploy("print('at init')\ndef handler(e, c):\n    print('in handler', e['n'])\n    return e['n']\n")
    for n in range(3):
        invoke_json(cloud, name, {"n": n})
    logs = cloud.client("logs")
    streams = logs.describe_log_streams(logGroupName=f"/aws/lambda/{name}")["logStreams"]
    assert len(streams) == 1, "one environment served all three calls"
    assert re.fullmatch(r"\d{4}/\d{2}/\d{2}/\[\$LATEST\][0-9a-f]{32}", streams[0]["logStreamName"])
    messages = [e["message"] for e in logs.filter_log_events(logGroupName=f"/aws/lambda/{name}")["events"]]
    assert messages[0] == "at init"
    assert sum(m.startswith("START RequestId:") for m in messages) == 3
    assert sum(m.startswith("END RequestId:") for m in messages) == 3
    reports = [m for m in messages if m.startswith("REPORT RequestId:")]
    assert len(reports) == 3
    assert "in handler 2" in messages
    fields = dict(re.findall(r"(\w[\w ]*?): ([\d.]+) (?:ms|MB)", reports[0]))
    assert float(fields["Billed Duration"]) >= float(fields["Duration"])
    assert fields["Memory Size"] == "128"
    assert 1 <= int(fields["Max Memory Used"]) <= 128
    assert "Init Duration" in fields and "Init Duration" not in reports[1]


def _lambda_metrics(cloud: pocketcloud.Cloud, name: str, since: dt.datetime) -> dict[str, list[float]]:
    queries = [
        {
            "Id": metric.lower(),
            "MetricStat": {
                "Metric": {
                    "Namespace": "AWS/Lambda",
                    "MetricName": metric,
                    "Dimensions": [{"Name": "FunctionName", "Value": name}],
                },
                "Period": 60,
                "Stat": stat,
            },
        }
        for metric, stat in (
            ("Invocations", "Sum"),
            ("Errors", "Sum"),
            ("Duration", "Maximum"),
            ("ConcurrentExecutions", "Maximum"),
        )
    ]
    result = cloud.client("cloudwatch").get_metric_data(
        MetricDataQueries=queries, StartTime=since - dt.timedelta(minutes=5), EndTime=since + dt.timedelta(minutes=5)
    )
    return {r["Id"]: r["Values"] for r in result["MetricDataResults"]}


def _invocation_datapoints(cloud: pocketcloud.Cloud, name: str, since: dt.datetime) -> list[dict]:
    datapoints: list[dict] = cloud.client("cloudwatch").get_metric_statistics(
        Namespace="AWS/Lambda",
        MetricName="Invocations",
        Dimensions=[{"Name": "FunctionName", "Value": name}],
        StartTime=since - dt.timedelta(minutes=5),
        EndTime=since + dt.timedelta(minutes=5),
        Period=60,
        Statistics=["Sum", "SampleCount"],
    )["Datapoints"]
    return datapoints


def test_metrics_count_invocations_errors_and_duration(cloud: pocketcloud.Cloud, deploy: Deploy) -> None:
    name = deploy("def handler(e, c):\n    if e.get('fail'):\n        raise RuntimeError('no')\n    return 1\n")
    for payload in ({}, {}, {"fail": True}):
        invoke_json(cloud, name, payload)
    now = dt.datetime.now(dt.UTC)
    deadline = time.monotonic() + 60  # metrics are published a few seconds later, as on AWS
    while sum((values := _lambda_metrics(cloud, name, now))["invocations"]) < 3:
        assert time.monotonic() < deadline, f"no Invocations datapoint showed: {values}"
        time.sleep(0.5)
    assert sum(values["invocations"]) == 3
    assert sum(values["errors"]) == 1
    assert max(values["duration"]) > 0
    assert max(values["concurrentexecutions"]) >= 1
    assert sum(p["Sum"] for p in _invocation_datapoints(cloud, name, now)) == 3


def test_metrics_show_only_after_their_publication_delay(make_cloud, deploy: Deploy) -> None:
    late = make_cloud(metrics_delay_seconds=60)
    name = deploy("def handler(e, c):\n    return 1\n", target=late)
    invoke_json(late, name)
    now = dt.datetime.now(dt.UTC)
    assert _lambda_metrics(late, name, now) == {
        "invocations": [],
        "errors": [],
        "duration": [],
        "concurrentexecutions": [],
    }, "GetMetricData shows no datapoint before its publication delay has passed"
    assert _invocation_datapoints(late, name, now) == []
