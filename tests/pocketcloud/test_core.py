"""pocketcloud core: the edge in front of moto, its status, loopback only (the CLI: test_cli.py)."""

from __future__ import annotations

import os
import subprocess
import sys

import psutil
import pytest
from botocore.exceptions import ClientError

import pocketcloud
from pocketcloud import Settings


def test_boto3_reaches_moto_through_aws_endpoint_url(cloud: pocketcloud.Cloud) -> None:
    """Any SDK configured only by the standard environment variables talks to pocketcloud."""
    script = (
        "import boto3\n"
        "iam = boto3.client('iam')\n"
        "iam.create_role(RoleName='core-env-role', AssumeRolePolicyDocument='{}')\n"
        "print(iam.get_role(RoleName='core-env-role')['Role']['Arn'])\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    result = subprocess.run(
        [sys.executable, "-c", script], env={**env, **cloud.env()}, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "arn:aws:iam::123456789012:role/core-env-role"


def test_control_plane_errors_are_aws_shaped(cloud: pocketcloud.Cloud) -> None:
    with pytest.raises(ClientError) as missing_db:
        cloud.client("rds").describe_db_instances(DBInstanceIdentifier="no-such-db")
    assert missing_db.value.response["Error"]["Code"] == "DBInstanceNotFound"
    assert missing_db.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404

    with pytest.raises(ClientError) as missing_bucket:
        cloud.client("s3").head_bucket(Bucket="no-such-bucket-here")
    assert missing_bucket.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404


def test_every_listener_is_on_loopback(cloud: pocketcloud.Cloud) -> None:
    server = psutil.Process(cloud.pid)
    sockets = [c for p in [server, *server.children(recursive=True)] for c in p.net_connections(kind="inet")]
    listening = [c for c in sockets if c.status == psutil.CONN_LISTEN or (c.type == 2 and not c.raddr)]
    assert listening, "expected at least the edge to listen"
    for conn in listening:
        assert conn.laddr.ip.startswith("127."), f"{conn.laddr} is not loopback"


def test_non_loopback_host_is_refused() -> None:
    with pytest.raises(ValueError, match="loopback"):
        Settings(host="0.0.0.0")
    with pytest.raises(ValueError, match="loopback"):
        Settings.from_env({"POCKETCLOUD_HOST": "192.168.1.10"})


def test_status_lists_services_and_ports(cloud: pocketcloud.Cloud) -> None:
    status = cloud.status()
    assert status["ports"]["edge"] == int(cloud.endpoint_url.rsplit(":", 1)[1])
    assert set(status["services"]) == {"xray", "lambda", "iam", "apigateway", "events", "vpc", "rds"}
    assert status["services"]["xray"]["daemon"] == f"127.0.0.1:{cloud.ports['xray']}"
    assert status["pid"] == cloud.pid


def test_status_lists_the_moto_hooks_and_which_have_applied(cloud: pocketcloud.Cloud) -> None:
    cloud.client("sts").get_caller_identity()  # loads moto's core and IAM models, not RDS's
    hooks = {row["hook"]: row for row in cloud.status()["moto_hooks"]}
    assert hooks["moto_bridge.look_up_keys_in_existing_backends"]["applied"] is True
    assert hooks["moto_bridge.stop_instance_tracking"]["target"] == "moto.core.common_models.BaseModel.__new__"
    assert "rds.moto_hooks.start_db_servers" in hooks
    assert not any("error" in row for row in hooks.values())
