"""Helpers for pocketcloud behaviour tests: deploy real handler code as real functions, create DB instances."""

from __future__ import annotations

import io
import json
import time
import uuid
import zipfile
from collections.abc import Callable
from typing import Any

import pytest

import pocketcloud

TRUST = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
        ],
    }
)


def zip_files(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, source in files.items():
            archive.writestr(name, source)
    return buffer.getvalue()


def wait_active(cloud: pocketcloud.Cloud, name: str) -> None:
    """Wait, as a real client must, until a new function is Active (boto3's waiter, polling every 0.1 s)."""
    cloud.client("lambda").get_waiter("function_active_v2").wait(
        FunctionName=name, WaiterConfig={"Delay": 0.1, "MaxAttempts": 300}
    )


def wait_updated(cloud: pocketcloud.Cloud, name: str) -> None:
    """Wait until a function's last update is Successful, so that invocations run the new code."""
    cloud.client("lambda").get_waiter("function_updated_v2").wait(
        FunctionName=name, WaiterConfig={"Delay": 0.1, "MaxAttempts": 300}
    )


BASIC_EXECUTION = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
VPC_EXECUTION = "arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole"
XRAY_WRITE = "arn:aws:iam::aws:policy/AWSXRayDaemonWriteAccess"
S3_FULL = "arn:aws:iam::aws:policy/AmazonS3FullAccess"
# The shared test role's policies: what the behaviour tests' functions need (logs, a VPC, Active tracing,
# their S3 buckets). Tests of the IAM rules make roles of their own.
TEST_ROLE_POLICIES = (BASIC_EXECUTION, VPC_EXECUTION, XRAY_WRITE, S3_FULL)


def wait_for_iam(cloud: pocketcloud.Cloud) -> None:
    """Wait until every IAM change made so far is in force everywhere, as a client on AWS waits (or retries)
    after creating a role or changing its policies; pocketcloud says how long that is."""
    time.sleep(cloud.status()["services"]["iam"]["settles_in_seconds"])


def role_arn(
    cloud: pocketcloud.Cloud,
    name: str = "pc-test-role",
    managed: tuple[str, ...] = TEST_ROLE_POLICIES,
    inline: dict[str, Any] | None = None,
) -> str:
    """A role Lambda can assume (created with ``managed`` policies attached and ``inline`` documents put, if
    it does not exist yet), usable once this returns."""
    iam = cloud.client("iam")
    try:
        return str(iam.get_role(RoleName=name)["Role"]["Arn"])
    except iam.exceptions.NoSuchEntityException:
        arn = str(iam.create_role(RoleName=name, AssumeRolePolicyDocument=TRUST)["Role"]["Arn"])
    for policy in managed:
        iam.attach_role_policy(RoleName=name, PolicyArn=policy)
    for policy_name, document in (inline or {}).items():
        iam.put_role_policy(RoleName=name, PolicyName=policy_name, PolicyDocument=json.dumps(document))
    wait_for_iam(cloud)
    return arn


Deploy = Callable[..., str]


@pytest.fixture
def deploy(cloud: pocketcloud.Cloud) -> Deploy:
    """Create a function from handler source and wait until it is Active; returns its (unique) name.

    Example: ``name = deploy("def handler(e, c):\\n    return 1\\n", Timeout=2)``
    """

    def _deploy(
        source: str, *, target: pocketcloud.Cloud | None = None, files: dict | None = None, **config: Any
    ) -> str:
        target = target or cloud
        name = config.pop("FunctionName", f"fn-{uuid.uuid4().hex[:10]}")
        target.client("lambda").create_function(
            FunctionName=name,
            Runtime="python3.12",
            Role=config.pop("Role", None) or role_arn(target),
            Handler=config.pop("Handler", "app.handler"),
            Code={"ZipFile": zip_files({"app.py": source, **(files or {})})},
            **config,
        )
        wait_active(target, name)
        return name

    return _deploy


def invoke_json(cloud: pocketcloud.Cloud, name: str, payload: Any = None, **kwargs: Any) -> tuple[dict, Any]:
    response = cloud.client("lambda").invoke(FunctionName=name, Payload=json.dumps(payload or {}), **kwargs)
    body = response["Payload"].read()
    return response, json.loads(body) if body else None


def site_packages_layer(*distributions: str) -> bytes:
    """A Lambda layer zip (``python/...``) of installed distributions, the offline way to ship a library."""
    import importlib.metadata
    import pathlib

    files = {}
    for name in distributions:
        dist = importlib.metadata.distribution(name)
        for entry in dist.files or []:
            path = pathlib.Path(str(dist.locate_file(entry)))
            if path.is_file() and "__pycache__" not in str(entry) and not str(entry).startswith(".."):
                files[f"python/{entry}"] = path.read_bytes()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def create_db_instance(cloud: pocketcloud.Cloud, ident: str, password: str, **extra: object) -> dict[str, Any]:
    """CreateDBInstance of the smallest MySQL instance, as a learner's first call would make it; ``extra`` adds
    parameters (a subnet group, the backup retention). Returns the DBInstance CreateDBInstance answered."""
    instance: dict[str, Any] = cloud.client("rds").create_db_instance(
        DBInstanceIdentifier=ident,
        Engine="mysql",
        DBInstanceClass="db.t3.micro",
        MasterUsername="admin",
        MasterUserPassword=password,
        AllocatedStorage=20,
        **extra,
    )["DBInstance"]
    return instance
