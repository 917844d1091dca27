"""Lambda Invoke runs the real handler code under awslambdaric: environment, reuse, versions, layers."""

from __future__ import annotations

import base64
import json
import os
import signal
from collections.abc import Callable
from pathlib import Path

import botocore.exceptions
import pytest

import pocketcloud

from ..waiting import wait_until
from .conftest import Deploy, invoke_json, wait_updated, zip_files

ECHO_ENV = """
import os, sys
def handler(event, context):
    keys = ["AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_VERSION", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
            "AWS_REGION", "AWS_DEFAULT_REGION", "LAMBDA_TASK_ROOT", "AWS_LAMBDA_LOG_GROUP_NAME",
            "AWS_LAMBDA_LOG_STREAM_NAME", "AWS_LAMBDA_INITIALIZATION_TYPE", "AWS_ENDPOINT_URL",
            "AWS_ACCESS_KEY_ID", "GREETING", "AWS_LAMBDA_RUNTIME_API"]
    return {"env": {k: os.environ.get(k) for k in keys}, "event": event, "request_id": context.aws_request_id,
            "remaining_ms": context.get_remaining_time_in_millis(), "arn": context.invoked_function_arn}
"""

COUNTER = """
import os
calls = 0
def handler(event, context):
    global calls
    calls += 1
    return {"pid": os.getpid(), "calls": calls, "version": os.environ["AWS_LAMBDA_FUNCTION_VERSION"], "tag": TAG}
TAG = "v1"
"""


def test_handler_runs_with_lambda_environment(cloud: pocketcloud.Cloud, deploy: Deploy) -> None:
    name = deploy(ECHO_ENV, MemorySize=256, Environment={"Variables": {"GREETING": "hello"}})
    response, body = invoke_json(cloud, name, {"answer": 42})
    assert response["StatusCode"] == 200
    assert "FunctionError" not in response
    assert response["ExecutedVersion"] == "$LATEST"
    env = body["env"]
    assert body["event"] == {"answer": 42}
    assert env["AWS_LAMBDA_FUNCTION_NAME"] == name
    assert env["AWS_LAMBDA_FUNCTION_VERSION"] == "$LATEST"
    assert env["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] == "256"
    assert env["AWS_REGION"] == env["AWS_DEFAULT_REGION"] == cloud.region
    assert env["AWS_LAMBDA_LOG_GROUP_NAME"] == f"/aws/lambda/{name}"
    assert env["AWS_LAMBDA_LOG_STREAM_NAME"].endswith("]" + env["AWS_LAMBDA_LOG_STREAM_NAME"].split("]")[-1])
    assert env["AWS_LAMBDA_INITIALIZATION_TYPE"] == "on-demand"
    assert env["AWS_ENDPOINT_URL"] == cloud.endpoint_url
    assert env["AWS_ACCESS_KEY_ID"]
    assert env["GREETING"] == "hello"
    assert env["AWS_LAMBDA_RUNTIME_API"].startswith("127.0.0.1:")
    assert 0 < body["remaining_ms"] <= 3000
    assert body["arn"].endswith(f":function:{name}")


def test_warm_environment_is_reused_and_code_update_replaces_it(cloud: pocketcloud.Cloud, deploy: Deploy) -> None:
    name = deploy(COUNTER)
    _, first = invoke_json(cloud, name)
    _, second = invoke_json(cloud, name)
    assert second["pid"] == first["pid"], "a warm environment serves the next call"
    assert second["calls"] == 2, "module state survives between warm calls"

    cloud.client("lambda").update_function_code(
        FunctionName=name, ZipFile=zip_files({"app.py": COUNTER.replace('"v1"', '"v2"')})
    )
    wait_updated(cloud, name)
    _, third = invoke_json(cloud, name)
    assert third["tag"] == "v2"
    assert third["pid"] != first["pid"], "new code runs in a new environment"
    assert third["calls"] == 1


def test_idle_environment_is_reaped_and_the_next_call_starts_cold(
    make_cloud: Callable[..., pocketcloud.Cloud], deploy: Deploy
) -> None:
    private = make_cloud(lambda_idle_seconds=1)
    name = deploy(COUNTER, target=private)
    _, first = invoke_json(private, name)
    _, second = invoke_json(private, name)
    assert second["pid"] == first["pid"], "a call soon after the first finds its environment warm"

    wait_until(lambda: not _running(first["pid"]), 60, "the idle environment's process to be reaped")
    assert private.status()["services"]["lambda"]["environments"] == 0

    response, third = invoke_json(private, name, LogType="Tail")
    assert third["pid"] != first["pid"] and third["calls"] == 1
    assert "Init Duration" in base64.b64decode(response["LogResult"]).decode(), "the next call is a cold start"


NICENESS = """
import os
def handler(event, context):
    return {"nice": os.nice(0), "policy": os.sched_getscheduler(0), "pid": os.getpid()}
"""


@pytest.mark.parametrize(("lambda_nice", "lambda_batch"), [(10, True), (0, False)])
def test_environments_run_below_the_server_as_configured(
    make_cloud: Callable[..., pocketcloud.Cloud], deploy: Deploy, lambda_nice: int, lambda_batch: bool
) -> None:
    private = make_cloud(lambda_nice=lambda_nice, lambda_batch=lambda_batch)
    _, seen = invoke_json(private, deploy(NICENESS, target=private))
    server_nice = os.getpriority(os.PRIO_PROCESS, private.pid)
    expected = min(server_nice + lambda_nice, 19)
    assert seen["nice"] == expected, "the handler runs at the server's niceness + lambda_nice"
    assert os.getpriority(os.PRIO_PROCESS, seen["pid"]) == seen["nice"]
    policy = os.SCHED_BATCH if lambda_batch else os.SCHED_OTHER
    assert seen["policy"] == os.sched_getscheduler(seen["pid"]) == policy
    assert os.sched_getscheduler(private.pid) == os.SCHED_OTHER, "the server itself keeps the default policy"


SLEEPER = """
import os, time
def handler(event, context):
    with open(event["pid_file"], "w") as f:
        f.write(str(os.getpid()))
    time.sleep(60)
"""


def test_environments_die_with_a_killed_server(
    make_cloud: Callable[..., pocketcloud.Cloud], deploy: Deploy, tmp_path: Path
) -> None:
    private = make_cloud()
    name = deploy(SLEEPER, target=private, Timeout=120)
    pid_file = tmp_path / "pid"
    private.client("lambda").invoke(
        FunctionName=name, InvocationType="Event", Payload=json.dumps({"pid_file": str(pid_file)})
    )
    wait_until(lambda: pid_file.exists() and bool(pid_file.read_text()), 60, "the handler to run")
    pid = int(pid_file.read_text())
    # The handler sleeps, away from the Runtime API, so only the parent-death signal can end it.
    os.kill(private.pid, signal.SIGKILL)
    wait_until(lambda: not _running(pid), 60, "the environment to end with its server")


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_configuration_update_replaces_environment(cloud: pocketcloud.Cloud, deploy: Deploy) -> None:
    name = deploy(ECHO_ENV)
    _, before = invoke_json(cloud, name)
    cloud.client("lambda").update_function_configuration(
        FunctionName=name, Environment={"Variables": {"GREETING": "changed"}}
    )
    wait_updated(cloud, name)
    _, after = invoke_json(cloud, name)
    assert before["env"]["GREETING"] is None
    assert after["env"]["GREETING"] == "changed"


def test_versions_and_aliases_run_their_own_code(cloud: pocketcloud.Cloud, deploy: Deploy) -> None:
    lam = cloud.client("lambda")
    name = deploy(COUNTER)
    v1 = lam.publish_version(FunctionName=name)["Version"]
    lam.create_alias(FunctionName=name, Name="live", FunctionVersion=v1)
    lam.update_function_code(FunctionName=name, ZipFile=zip_files({"app.py": COUNTER.replace('"v1"', '"v2"')}))
    wait_updated(cloud, name)

    latest_resp, latest = invoke_json(cloud, name)
    version_resp, version = invoke_json(cloud, name, Qualifier=v1)
    alias_resp, alias = invoke_json(cloud, f"{name}:live")
    assert latest["tag"] == "v2" and latest_resp["ExecutedVersion"] == "$LATEST"
    assert version["tag"] == "v1" and version["version"] == v1 and version_resp["ExecutedVersion"] == v1
    assert alias["tag"] == "v1" and alias_resp["ExecutedVersion"] == v1


def test_layers_are_on_the_import_path(cloud: pocketcloud.Cloud, deploy: Deploy) -> None:
    lam = cloud.client("lambda")
    layer = lam.publish_layer_version(
        LayerName="pc-greeting-layer",
        Content={"ZipFile": zip_files({"python/greeting.py": "WORD = 'from a layer'\n"})},
        CompatibleRuntimes=["python3.12"],
    )
    name = deploy("import greeting\ndef handler(e, c):\n    return greeting.WORD\n", Layers=[layer["LayerVersionArn"]])
    _, body = invoke_json(cloud, name)
    assert body == "from a layer"


def test_function_sees_runtime_packages_but_not_pocketclouds_own(cloud: pocketcloud.Cloud, deploy: Deploy) -> None:
    source = (
        "import importlib.util\n"
        "def handler(e, c):\n"
        "    names = ['boto3', 'awslambdaric', 'pymysql', 'moto']\n"
        "    return {m: importlib.util.find_spec(m) is not None for m in names}\n"
    )
    _, body = invoke_json(cloud, deploy(source))
    assert body == {"boto3": True, "awslambdaric": True, "pymysql": False, "moto": False}


def test_boto3_in_a_handler_reaches_pocketcloud(cloud: pocketcloud.Cloud, deploy: Deploy) -> None:
    cloud.client("s3").create_bucket(Bucket="pc-handler-bucket")
    source = (
        "import boto3\n"
        "def handler(e, c):\n"
        "    s3 = boto3.client('s3')\n"
        "    s3.put_object(Bucket='pc-handler-bucket', Key='from-lambda.txt', Body=b'written by a handler')\n"
        "    return 'ok'\n"
    )
    invoke_json(cloud, deploy(source))
    obj = cloud.client("s3").get_object(Bucket="pc-handler-bucket", Key="from-lambda.txt")
    assert obj["Body"].read() == b"written by a handler"


def test_tail_returns_this_invocations_log(cloud: pocketcloud.Cloud, deploy: Deploy) -> None:
    name = deploy("def handler(e, c):\n    print('hello from the handler')\n    return 1\n")
    response, _ = invoke_json(cloud, name, LogType="Tail")
    log = base64.b64decode(response["LogResult"]).decode()
    assert "hello from the handler" in log
    assert log.startswith("START RequestId:")
    assert "REPORT RequestId:" in log and "Init Duration:" in log
    warm, _ = invoke_json(cloud, name, LogType="Tail")
    assert "Init Duration:" not in base64.b64decode(warm["LogResult"]).decode()


def test_event_and_dry_run_invocation_types(cloud: pocketcloud.Cloud, deploy: Deploy) -> None:
    cloud.client("s3").create_bucket(Bucket="pc-async-bucket")
    source = (
        "import boto3\n"
        "def handler(e, c):\n"
        "    boto3.client('s3').put_object(Bucket='pc-async-bucket', Key=e['key'], Body=b'x')\n"
    )
    name = deploy(source)
    lam = cloud.client("lambda")
    event = lam.invoke(FunctionName=name, InvocationType="Event", Payload=json.dumps({"key": "async.txt"}))
    assert event["StatusCode"] == 202
    dry = lam.invoke(FunctionName=name, InvocationType="DryRun")
    assert dry["StatusCode"] == 204
    s3 = cloud.client("s3")
    waiter = s3.get_waiter("object_exists")
    waiter.wait(Bucket="pc-async-bucket", Key="async.txt", WaiterConfig={"Delay": 0.2, "MaxAttempts": 100})


def test_missing_function_is_404(cloud: pocketcloud.Cloud) -> None:
    with pytest.raises(botocore.exceptions.ClientError) as error:
        cloud.client("lambda").invoke(FunctionName="no-such-function")
    assert error.value.response["Error"]["Code"] == "ResourceNotFoundException"
    assert error.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404
    assert "Function not found" in error.value.response["Error"]["Message"]


def test_tracing_mode_can_be_switched_on_later(cloud: pocketcloud.Cloud, deploy: Deploy) -> None:
    lam = cloud.client("lambda")
    name = deploy("def handler(e, c):\n    return 1\n")
    assert lam.get_function_configuration(FunctionName=name)["TracingConfig"]["Mode"] == "PassThrough"
    lam.update_function_configuration(FunctionName=name, TracingConfig={"Mode": "Active"})
    assert lam.get_function_configuration(FunctionName=name)["TracingConfig"]["Mode"] == "Active"
