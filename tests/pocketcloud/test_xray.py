"""X-Ray: real SDK segments over UDP, API Gateway and Lambda segments, traces and the service graph."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import textwrap
import time
import urllib.request

import pytest

import pocketcloud

from .conftest import role_arn, site_packages_layer, wait_active, zip_files

HANDLER = """
from aws_xray_sdk.core import patch_all, xray_recorder
patch_all()
import boto3
s3 = boto3.client('s3')
def handler(event, context):
    s3.list_buckets()
    with xray_recorder.in_subsegment('business-logic'):
        pass
    return {'statusCode': 200, 'body': 'traced'}
"""


def _window() -> dict:
    now = time.time()
    return {"StartTime": now - 300, "EndTime": now + 60}


@pytest.fixture(scope="module")
def traced(make_cloud_module) -> tuple:
    cloud = make_cloud_module(xray_sample_all=True)
    lam, apigw = cloud.client("lambda"), cloud.client("apigateway")
    layer = lam.publish_layer_version(
        LayerName="xray-sdk", Content={"ZipFile": site_packages_layer("aws-xray-sdk", "wrapt")}
    )["LayerVersionArn"]
    arn = lam.create_function(
        FunctionName="traced",
        Runtime="python3.12",
        Role=role_arn(cloud),
        Handler="app.handler",
        Layers=[layer],
        TracingConfig={"Mode": "Active"},
        Timeout=10,
        Code={"ZipFile": zip_files({"app.py": HANDLER})},
    )["FunctionArn"]
    wait_active(cloud, "traced")
    api = apigw.create_rest_api(name="traced-api")["id"]
    root = apigw.get_resources(restApiId=api)["items"][0]["id"]
    apigw.put_method(restApiId=api, resourceId=root, httpMethod="GET", authorizationType="NONE")
    uri = f"arn:aws:apigateway:{cloud.region}:lambda:path/2015-03-31/functions/{arn}/invocations"
    apigw.put_integration(
        restApiId=api, resourceId=root, httpMethod="GET", type="AWS_PROXY", integrationHttpMethod="POST", uri=uri
    )
    lam.add_permission(
        FunctionName="traced", StatementId="apigw", Action="lambda:InvokeFunction", Principal="apigateway.amazonaws.com"
    )
    apigw.create_deployment(restApiId=api, stageName="dev")
    apigw.update_stage(
        restApiId=api, stageName="dev", patchOperations=[{"op": "replace", "path": "/tracingEnabled", "value": "true"}]
    )
    headers = []
    for _ in range(2):
        with urllib.request.urlopen(cloud.api_url(api, "dev"), timeout=30) as response:
            assert response.status == 200
            headers.append(response.headers["X-Amzn-Trace-Id"])
    time.sleep(0.5)
    return cloud, headers


@pytest.fixture(scope="module")
def make_cloud_module():
    import contextlib

    with contextlib.ExitStack() as stack:
        yield lambda **kw: stack.enter_context(pocketcloud.running(**kw))


def test_api_gateway_and_lambda_segments_form_one_trace(traced: tuple) -> None:
    cloud, headers = traced
    xray = cloud.client("xray")
    trace_id = headers[0].split(";")[0].removeprefix("Root=")
    assert "Sampled=1" in headers[0]
    [trace] = xray.batch_get_traces(TraceIds=[trace_id])["Traces"]
    docs = {json.loads(s["Document"])["origin"]: json.loads(s["Document"]) for s in trace["Segments"]}
    stage, service, function = docs["AWS::ApiGateway::Stage"], docs["AWS::Lambda"], docs["AWS::Lambda::Function"]
    assert stage["name"] == "traced-api/dev" and stage["http"]["response"]["status"] == 200
    assert service["parent_id"] == stage["id"]
    assert function["parent_id"] == service["id"]
    names = [s["name"] for s in function["subsegments"]]
    assert names[:1] == ["Initialization"], "the first call was a cold start"
    assert {"Invocation", "Overhead", "business-logic"} <= set(names)
    s3_call = next(s for s in function["subsegments"] if s.get("namespace") == "aws")
    assert s3_call["aws"]["operation"] == "ListBuckets", "the SDK's boto3 subsegment attached to the function segment"


def test_trace_summaries(traced: tuple) -> None:
    cloud, headers = traced
    summaries = cloud.client("xray").get_trace_summaries(**_window())["TraceSummaries"]
    ids = {h.split(";")[0].removeprefix("Root=") for h in headers}
    mine = [s for s in summaries if s["Id"] in ids]
    assert len(mine) == 2
    summary = mine[0]
    assert summary["Http"]["HttpStatus"] == 200 and summary["Http"]["HttpMethod"] == "GET"
    assert summary["HasFault"] is False and summary["Duration"] > 0
    assert {s["Type"] for s in summary["ServiceIds"]} == {
        "AWS::ApiGateway::Stage",
        "AWS::Lambda",
        "AWS::Lambda::Function",
    }


def test_service_graph_has_client_stage_lambda_function_and_s3(traced: tuple) -> None:
    cloud, _ = traced
    services = cloud.client("xray").get_service_graph(**_window())["Services"]
    by_type = {s["Type"]: s for s in services}
    ref = {s["ReferenceId"]: s["Type"] for s in services}
    assert set(by_type) >= {"client", "AWS::ApiGateway::Stage", "AWS::Lambda", "AWS::Lambda::Function", "AWS::S3"}
    assert [ref[e["ReferenceId"]] for e in by_type["client"]["Edges"]] == ["AWS::ApiGateway::Stage"]
    assert [ref[e["ReferenceId"]] for e in by_type["AWS::ApiGateway::Stage"]["Edges"]] == ["AWS::Lambda"]
    assert [ref[e["ReferenceId"]] for e in by_type["AWS::Lambda"]["Edges"]] == ["AWS::Lambda::Function"]
    assert "AWS::S3" in [ref[e["ReferenceId"]] for e in by_type["AWS::Lambda::Function"]["Edges"]]
    stats = by_type["AWS::Lambda::Function"]["SummaryStatistics"]
    assert stats["TotalCount"] == 2 and stats["OkCount"] == 2
    assert sum(b["Count"] for b in by_type["AWS::Lambda::Function"]["ResponseTimeHistogram"]) == 2
    trace_graph = cloud.client("xray").get_trace_graph(TraceIds=[_first_trace(cloud)])["Services"]
    assert {s["Type"] for s in trace_graph} >= {"AWS::Lambda", "AWS::Lambda::Function"}


def _first_trace(cloud: pocketcloud.Cloud) -> str:
    return cloud.client("xray").get_trace_summaries(**_window())["TraceSummaries"][0]["Id"]


SDK_SCRIPT = """
import sys, pymysql
from aws_xray_sdk.core import xray_recorder, patch
xray_recorder.configure(daemon_address=sys.argv[1], sampling=False, context_missing="LOG_ERROR", service="orders")
patch(["pymysql"])
segment = xray_recorder.begin_segment("orders")
conn = pymysql.connect(host="127.0.0.1", port=int(sys.argv[2]), user="admin", password="Xray-Pass-123")
with conn.cursor() as cursor:
    cursor.execute("SELECT NOW()")
conn.close()
xray_recorder.end_segment()
print(segment.trace_id)
"""


def test_sdk_segments_over_udp_with_a_real_sql_subsegment(cloud: pocketcloud.Cloud) -> None:
    rds = cloud.client("rds")
    rds.create_db_instance(
        DBInstanceIdentifier="xray-db",
        Engine="mysql",
        EngineVersion="8.4.7",
        DBInstanceClass="db.t3.micro",
        MasterUsername="admin",
        MasterUserPassword="Xray-Pass-123",
        AllocatedStorage=20,
    )
    rds.get_waiter("db_instance_available").wait(
        DBInstanceIdentifier="xray-db", WaiterConfig={"Delay": 1, "MaxAttempts": 60}
    )
    port = rds.describe_db_instances(DBInstanceIdentifier="xray-db")["DBInstances"][0]["Endpoint"]["Port"]
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(SDK_SCRIPT), f"127.0.0.1:{cloud.ports['xray']}", str(port)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    trace_id = result.stdout.strip().splitlines()[-1]
    deadline = time.monotonic() + 10
    while not (traces := cloud.client("xray").batch_get_traces(TraceIds=[trace_id])["Traces"]):
        assert time.monotonic() < deadline
        time.sleep(0.2)
    doc = json.loads(traces[0]["Segments"][0]["Document"])
    sql = next(s for s in doc["subsegments"] if "sql" in s)
    assert sql["namespace"] == "remote"
    assert sql["sql"]["database_type"] == "MySQL"
    graph = cloud.client("xray").get_trace_graph(TraceIds=[trace_id])["Services"]
    assert "Database::SQL" in {s.get("Type") for s in graph}


def test_malformed_datagrams_are_dropped_and_the_daemon_keeps_working(cloud: pocketcloud.Cloud) -> None:
    before = cloud.status()["services"]["xray"]
    trace_id = f"1-{int(time.time()):08x}-{'ab' * 12}"
    good = {
        "name": "udp-client",
        "id": "1234567890abcdef",
        "trace_id": trace_id,
        "start_time": time.time() - 1,
        "end_time": time.time(),
    }
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        address = ("127.0.0.1", cloud.ports["xray"])
        sock.sendto(b"not json at all", address)
        sock.sendto(b'{"format": "json", "version": 1}\n{"id": "no-trace"}', address)
        sock.sendto(b'{"format": "json", "version": 1}\n' + json.dumps(good).encode(), address)
    deadline = time.monotonic() + 5
    while not cloud.client("xray").batch_get_traces(TraceIds=[trace_id])["Traces"]:
        assert time.monotonic() < deadline
        time.sleep(0.1)
    after = cloud.status()["services"]["xray"]
    assert after["datagrams_rejected"] == before["datagrams_rejected"] + 2


def test_put_trace_segments_api_and_bad_documents(cloud: pocketcloud.Cloud) -> None:
    trace_id = f"1-{int(time.time()):08x}-{'cd' * 12}"
    good = json.dumps(
        {"name": "api-client", "id": "fedcba0987654321", "trace_id": trace_id, "start_time": 1.0, "end_time": 2.0}
    )
    answer = cloud.client("xray").put_trace_segments(TraceSegmentDocuments=[good, "{broken", json.dumps({"id": "x"})])
    assert len(answer["UnprocessedTraceSegments"]) == 2
    assert cloud.client("xray").batch_get_traces(TraceIds=[trace_id])["Traces"][0]["Id"] == trace_id


def test_default_sampling_rule_samples_a_reservoir_then_a_few(cloud: pocketcloud.Cloud) -> None:
    from .conftest import zip_files as z

    lam = cloud.client("lambda")
    source = "import os\ndef handler(e, c):\n    return os.environ.get('_X_AMZN_TRACE_ID')\n"
    arn = lam.create_function(
        FunctionName="sampling-fn", Runtime="python3.12", Role=role_arn(cloud), Handler="app.handler",
        Code={"ZipFile": z({"app.py": source})}, TracingConfig={"Mode": "Active"},
    )["FunctionArn"]  # fmt: skip
    wait_active(cloud, "sampling-fn")
    headers = [json.loads(lam.invoke(FunctionName=arn)["Payload"].read()) for _ in range(25)]
    sampled = [h for h in headers if "Sampled=1" in h]
    assert all(h.startswith("Root=1-") for h in headers)
    # The reservoir grants one trace per second, so the bound counts the seconds the calls took (read from the
    # trace ids, which carry the second they began), not a speed; the 5 % of the rest stay below 8 of 25
    # but for a chance of about 1 in 50 000.
    seconds = len({h.split("Root=1-", 1)[1][:8] for h in headers})
    assert 1 <= len(sampled) <= seconds + 7, f"default rule: 1 per second plus 5 %; {len(sampled)} in {seconds} s"


def test_pass_through_functions_trace_only_what_upstream_sampled(cloud: pocketcloud.Cloud) -> None:
    from .conftest import zip_files as z

    lam = cloud.client("lambda")
    source = "import os\ndef handler(e, c):\n    return os.environ.get('_X_AMZN_TRACE_ID')\n"
    lam.create_function(
        FunctionName="pass-through-fn", Runtime="python3.12", Role=role_arn(cloud), Handler="app.handler",
        Code={"ZipFile": z({"app.py": source})},
    )  # fmt: skip
    wait_active(cloud, "pass-through-fn")
    headers = [json.loads(lam.invoke(FunctionName="pass-through-fn")["Payload"].read()) for _ in range(5)]
    assert all(h.startswith("Root=1-") and h.endswith(";Sampled=0") for h in headers)
    assert len({h.split(";")[0] for h in headers}) == 5, "a new trace per invocation"

    upstream = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"
    port = int(cloud.endpoint_url.rsplit(":", 1)[1])
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/2015-03-31/functions/pass-through-fn/invocations",
        data=b"{}",
        headers={"X-Amzn-Trace-Id": upstream},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        assert json.loads(response.read()) == upstream
