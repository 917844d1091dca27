"""Concurrency: parallel calls get parallel environments, limits throttle with 429, provisioned
concurrency initialises environments ahead and serves first, and stopping leaves no process."""

from __future__ import annotations

import base64
import concurrent.futures
import json
import time

import botocore.exceptions
import psutil

import pocketcloud

from .conftest import Deploy, invoke_json

SLOW = "import os, time\ndef handler(e, c):\n    time.sleep(e.get('sleep', 0))\n    return os.getpid()\n"


def _parallel(cloud: pocketcloud.Cloud, name: str, n: int, sleep: float, **kwargs: object) -> list:
    """Invoke ``n`` times at once; returns each call's pid or the ClientError it raised."""
    lam = cloud.client("lambda")

    def call(_: int) -> object:
        try:
            response = lam.invoke(FunctionName=name, Payload=json.dumps({"sleep": sleep}), **kwargs)
            return json.loads(response["Payload"].read())
        except botocore.exceptions.ClientError as exc:
            return exc

    with concurrent.futures.ThreadPoolExecutor(n) as pool:
        return list(pool.map(call, range(n)))


def test_parallel_calls_run_in_parallel_environments(cloud: pocketcloud.Cloud, deploy: Deploy) -> None:
    name = deploy(SLOW)
    pids = _parallel(cloud, name, 4, 1.0)
    assert all(isinstance(p, int) for p in pids)
    assert len(set(pids)) == 4, "each concurrent invocation has its own environment"


def test_reserved_concurrency_throttles_with_429(cloud: pocketcloud.Cloud, deploy: Deploy) -> None:
    name = deploy(SLOW)
    cloud.client("lambda").put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=2)
    results = _parallel(cloud, name, 5, 1.5)
    throttled = [r for r in results if isinstance(r, botocore.exceptions.ClientError)]
    assert len([r for r in results if isinstance(r, int)]) == 2
    assert len(throttled) == 3
    error = throttled[0].response
    assert error["Error"]["Code"] == "TooManyRequestsException"
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 429
    assert error["Reason"] == "ReservedFunctionConcurrentInvocationLimitExceeded"


def test_reserved_concurrency_zero_blocks_every_call(cloud: pocketcloud.Cloud, deploy: Deploy) -> None:
    name = deploy(SLOW)
    lam = cloud.client("lambda")
    lam.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=0)
    assert isinstance(_parallel(cloud, name, 1, 0)[0], botocore.exceptions.ClientError)
    lam.delete_function_concurrency(FunctionName=name)
    assert isinstance(_parallel(cloud, name, 1, 0)[0], int)


def test_account_limit_throttles(make_cloud, deploy: Deploy) -> None:
    small = make_cloud(lambda_concurrency_limit=3)
    name = deploy(SLOW, target=small)
    results = _parallel(small, name, 5, 1.5)
    throttled = [r for r in results if isinstance(r, botocore.exceptions.ClientError)]
    assert len(throttled) == 2
    assert throttled[0].response["Reason"] == "ConcurrentInvocationLimitExceeded"


def test_provisioned_concurrency_is_ready_ahead_and_serves_first(cloud: pocketcloud.Cloud, deploy: Deploy) -> None:
    lam = cloud.client("lambda")
    source = "import os\ndef handler(e, c):\n    return os.environ['AWS_LAMBDA_INITIALIZATION_TYPE']\n"
    name = deploy(source)
    version = lam.publish_version(FunctionName=name)["Version"]
    lam.create_alias(FunctionName=name, Name="live", FunctionVersion=version)

    put = lam.put_provisioned_concurrency_config(FunctionName=name, Qualifier="live", ProvisionedConcurrentExecutions=2)
    assert put["RequestedProvisionedConcurrentExecutions"] == 2
    assert put["Status"] in ("IN_PROGRESS", "READY")
    deadline = time.monotonic() + 60
    while lam.get_provisioned_concurrency_config(FunctionName=name, Qualifier="live")["Status"] != "READY":
        assert time.monotonic() < deadline, "provisioned concurrency never became READY"
        time.sleep(0.2)
    config = lam.get_provisioned_concurrency_config(FunctionName=name, Qualifier="live")
    assert config["AvailableProvisionedConcurrentExecutions"] == 2
    listed = lam.list_provisioned_concurrency_configs(FunctionName=name)["ProvisionedConcurrencyConfigs"]
    assert [c["FunctionArn"].rsplit(":", 1)[-1] for c in listed] == ["live"]

    response, body = invoke_json(cloud, name, Qualifier="live", LogType="Tail")
    assert body == "provisioned-concurrency"
    assert "Init Duration" not in base64.b64decode(response["LogResult"]).decode(), "no init on the request path"
    _, unqualified = invoke_json(cloud, name)
    assert unqualified == "on-demand"

    lam.delete_provisioned_concurrency_config(FunctionName=name, Qualifier="live")
    assert lam.list_provisioned_concurrency_configs(FunctionName=name)["ProvisionedConcurrencyConfigs"] == []


def test_provisioned_concurrency_bad_input(cloud: pocketcloud.Cloud, deploy: Deploy) -> None:
    lam = cloud.client("lambda")
    name = deploy(SLOW)
    for qualifier, code in (("$LATEST", "InvalidParameterValueException"), ("nope", "ResourceNotFoundException")):
        try:
            lam.put_provisioned_concurrency_config(
                FunctionName=name, Qualifier=qualifier, ProvisionedConcurrentExecutions=1
            )
        except botocore.exceptions.ClientError as exc:
            assert exc.response["Error"]["Code"] == code
        else:
            raise AssertionError(f"qualifier {qualifier} was accepted")
    version = lam.publish_version(FunctionName=name)["Version"]
    try:
        lam.get_provisioned_concurrency_config(FunctionName=name, Qualifier=version)
    except botocore.exceptions.ClientError as exc:
        assert exc.response["Error"]["Code"] == "ProvisionedConcurrencyConfigNotFoundException"
        assert exc.response["ResponseMetadata"]["HTTPStatusCode"] == 404
    else:
        raise AssertionError("a missing config was found")


def test_stop_leaves_no_environment_process(make_cloud, deploy: Deploy) -> None:
    private = make_cloud()
    name = deploy(SLOW, target=private)
    pids = set(_parallel(private, name, 3, 0.3))
    assert len(pids) == 3
    procs = [psutil.Process(pid) for pid in pids]
    pocketcloud.stop(private.settings)
    _, alive = psutil.wait_procs(procs, timeout=10)
    assert alive == []


def test_killed_server_takes_its_environments_along(make_cloud, deploy: Deploy) -> None:
    private = make_cloud()
    name = deploy(SLOW, target=private)
    pid = invoke_json(private, name)[1]
    env_proc = psutil.Process(pid)
    psutil.Process(private.pid).kill()  # no chance to clean up: the parent-death signal must do it
    _, alive = psutil.wait_procs([env_proc], timeout=10)
    assert alive == []
