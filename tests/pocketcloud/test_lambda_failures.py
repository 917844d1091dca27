"""Failures come back shaped as Lambda shapes them, and a broken environment is replaced."""

from __future__ import annotations

import base64
import json

import botocore.exceptions
import pytest

import pocketcloud

from .conftest import Deploy, invoke_json


def _error(cloud: pocketcloud.Cloud, name: str, payload: object = None) -> tuple[dict, dict]:
    response, body = invoke_json(cloud, name, payload, LogType="Tail")
    assert response["StatusCode"] == 200
    assert response["FunctionError"] == "Unhandled"
    return response, body


def test_handler_exception(cloud: pocketcloud.Cloud, deploy: Deploy) -> None:
    name = deploy("def handler(e, c):\n    raise ValueError('bad order id')\n")
    _, body = _error(cloud, name)
    assert body["errorType"] == "ValueError"
    assert body["errorMessage"] == "bad order id"
    assert any("raise ValueError" in line for line in body["stackTrace"])
    _, after = invoke_json(cloud, name)
    assert after["errorType"] == "ValueError", "the environment survives a handler exception"


def test_timeout_kills_the_environment(cloud: pocketcloud.Cloud, deploy: Deploy) -> None:
    source = (
        "import os, time\ndef handler(e, c):\n    if e.get('sleep'):\n        time.sleep(30)\n    return os.getpid()\n"
    )
    name = deploy(source, Timeout=1)
    _, before = invoke_json(cloud, name)
    response, body = _error(cloud, name, {"sleep": True})
    assert body["errorType"] == "Sandbox.Timedout"
    assert "Task timed out after 1.00 seconds" in body["errorMessage"]
    assert "Task timed out after 1.00 seconds" in base64.b64decode(response["LogResult"]).decode()
    _, after = invoke_json(cloud, name)
    assert after != before, "a timed-out environment is replaced"


def test_timeout_after_quick_invocations_fires_on_time(cloud: pocketcloud.Cloud, deploy: Deploy) -> None:
    # An environment's deadline timer re-arms itself across invocations: a quick call leaves a timer armed
    # for its own deadline, which then goes off while the next, slow call runs. The slow call must still
    # end at its own deadline: with a 3 s timeout, a call that sleeps 10 s times out (had the timer not
    # re-armed, it would answer after 10 s).
    source = "import time\ndef handler(e, c):\n    time.sleep(e.get('sleep', 0))\n    return 1\n"
    name = deploy(source, Timeout=3)
    for _ in range(3):  # the same (warm) environment; the first call's timer is pending when the slow one starts
        assert invoke_json(cloud, name)[1] == 1
    response, body = _error(cloud, name, {"sleep": 10})
    assert body["errorType"] == "Sandbox.Timedout"
    assert "Task timed out after 3.00 seconds" in body["errorMessage"], body
    report = base64.b64decode(response["LogResult"]).decode().rsplit("REPORT", 1)[1]
    duration_ms = float(report.split("Duration: ", 1)[1].split(" ms", 1)[0])
    assert duration_ms >= 2990, f"the call ran until its 3 s limit: {report}"


def test_process_exit_is_runtime_exit_error(cloud: pocketcloud.Cloud, deploy: Deploy) -> None:
    name = deploy("import os\ndef handler(e, c):\n    if e.get('die'):\n        os._exit(3)\n    return os.getpid()\n")
    _, before = invoke_json(cloud, name)
    _, body = _error(cloud, name, {"die": True})
    assert body["errorType"] == "Runtime.ExitError"
    assert "exit status 3" in body["errorMessage"]
    _, after = invoke_json(cloud, name)
    assert isinstance(after, int) and after != before


def test_import_error(cloud: pocketcloud.Cloud, deploy: Deploy) -> None:
    name = deploy("import pymysql\ndef handler(e, c):\n    return 1\n")
    _, body = _error(cloud, name)
    assert body["errorType"] == "Runtime.ImportModuleError"
    assert "pymysql" in body["errorMessage"]


def test_missing_handler_function(cloud: pocketcloud.Cloud, deploy: Deploy) -> None:
    name = deploy("def other(e, c):\n    return 1\n")
    _, body = _error(cloud, name)
    assert body["errorType"] == "Runtime.HandlerNotFound"


def test_memory_over_the_function_size_is_killed(cloud: pocketcloud.Cloud, deploy: Deploy) -> None:
    source = (
        "import time\n"
        "hog = []\n"
        "def handler(e, c):\n"
        "    for _ in range(400):\n"
        "        hog.append(bytearray(1024 * 1024))\n"
        "        time.sleep(0.005)\n"
        "    return len(hog)\n"
    )
    name = deploy(source, MemorySize=128, Timeout=10)
    _, body = _error(cloud, name)
    assert body["errorType"] == "Runtime.OutOfMemory"


def test_memory_over_the_function_size_between_watches_is_killed(cloud: pocketcloud.Cloud, deploy: Deploy) -> None:
    # Over its memory from init on, and each invocation ends before the memory watcher looks twice:
    # the end of the invocation catches it.
    source = "hog = b'x' * (160 * 1024 * 1024)\ndef handler(e, c):\n    return len(hog)\n"
    name = deploy(source, MemorySize=128, Timeout=10)
    _, body = _error(cloud, name)
    assert body["errorType"] == "Runtime.OutOfMemory"
    _, after = _error(cloud, name)
    assert after["errorType"] == "Runtime.OutOfMemory", "a new environment, and again over its memory"


def test_payload_over_6_mb_is_413(cloud: pocketcloud.Cloud, deploy: Deploy) -> None:
    name = deploy("def handler(e, c):\n    return 1\n")
    with pytest.raises(botocore.exceptions.ClientError) as error:
        cloud.client("lambda").invoke(FunctionName=name, Payload=json.dumps({"blob": "x" * (6 * 1024 * 1024)}))
    assert error.value.response["Error"]["Code"] == "RequestEntityTooLargeException"
    assert error.value.response["ResponseMetadata"]["HTTPStatusCode"] == 413


def test_invalid_json_payload_is_400(cloud: pocketcloud.Cloud, deploy: Deploy) -> None:
    name = deploy("def handler(e, c):\n    return 1\n")
    with pytest.raises(botocore.exceptions.ClientError) as error:
        cloud.client("lambda").invoke(FunctionName=name, Payload=b"{not json")
    assert error.value.response["Error"]["Code"] == "InvalidRequestContentException"
    assert error.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    _, ok = invoke_json(cloud, name)
    assert ok == 1, "the function still works after a bad request"


def test_result_over_6_mb_is_a_function_error(cloud: pocketcloud.Cloud, deploy: Deploy) -> None:
    name = deploy("def handler(e, c):\n    return 'x' * (7 * 1024 * 1024) if e.get('big') else 'small'\n")
    response, body = _error(cloud, name, {"big": True})
    assert response["FunctionError"] == "Unhandled"
    assert body["errorType"] == "Function.ResponseSizeTooLarge"
    assert "exceeded maximum allowed payload size (6291556 bytes)" in body["errorMessage"]
    assert invoke_json(cloud, name)[1] == "small", "the function still answers afterwards"
