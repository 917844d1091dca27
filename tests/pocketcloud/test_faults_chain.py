"""Faults through the whole chain (API Gateway -> Lambda -> MariaDB): a database crash under load,
and an SQL-injection attempt. Both must give clear, AWS-shaped answers and lose nothing."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import psutil
import pymysql
import pytest

import pocketcloud
from helpers.aws import api, lambdas
from helpers.aws.iam import VPC_EXECUTION, ensure_lambda_role, put_inline_policy
from helpers.aws.network import ensure_secrets_endpoint
from helpers.aws.secrets import read_secret, secret_read_policy
from helpers.measure.loadtest import run_load_test
from helpers.modules.m2_rest_api import deploy as deploy_module2
from helpers.modules.m2_rest_api import names as module2_names
from helpers.session import Workshop

from ..waiting import wait_until
from .conftest import wait_for_iam


@pytest.fixture(scope="module")
def stack(make_module_cloud) -> Iterator[tuple[Workshop, object, pocketcloud.Cloud]]:
    cloud = make_module_cloud()
    mp = pytest.MonkeyPatch()
    for key, value in cloud.env().items():
        mp.setenv(key, value)
    mp.setenv("POCKETCLOUD_STATE_DIR", str(cloud.settings.state_dir))
    ws = Workshop("local", cloud.region, "123456789012", cloud.endpoint_url, cloud=cloud)
    # The function's role first, and IAM's propagation waited for, as on AWS: Lambda refuses a role it
    # cannot assume yet (the helpers wait only on AWS).
    ensure_lambda_role(ws, module2_names(ws)["role"], managed=[VPC_EXECUTION])
    wait_for_iam(cloud)
    m2 = deploy_module2(ws, progress=False)
    yield ws, m2, cloud
    mp.undo()


@pytest.fixture(scope="module")
def make_module_cloud():
    import contextlib

    with contextlib.ExitStack() as stack:
        yield lambda **kw: stack.enter_context(pocketcloud.running(**kw))


def _db_pid(cloud: pocketcloud.Cloud, instance: str) -> int:
    """The DB server's process: it listens behind the endpoint's relay, on the port the status names."""
    port = cloud.status()["services"]["rds"]["instances"][instance]["server_port"]
    return next(c.pid for c in psutil.net_connections("tcp") if c.laddr.port == port and c.status == "LISTEN")


def test_database_crash_under_load_fails_clearly_and_recovers(stack) -> None:
    ws, m2, cloud = stack

    def crash_and_restart() -> None:
        # Each step waits for an event, not a time: the load reaching the function, the crash visible on the
        # API, the API answering again after the reboot.
        wait_until(lambda: cloud.status()["services"]["lambda"]["in_flight"] > 0, 120, "the load to reach the API")
        psutil.Process(_db_pid(cloud, m2.db_instance)).kill()  # a real crash: SIGKILL, no clean shutdown
        wait_until(lambda: api.call_api(m2.api_url).status == 502, 60, "the API to fail while the database is down")
        ws.client("rds").reboot_db_instance(DBInstanceIdentifier=m2.db_instance)
        wait_until(lambda: api.call_api(m2.api_url).status == 200, 120, "the API to answer after the reboot")

    chaos_errors: list[BaseException] = []

    def chaos_run() -> None:
        try:
            crash_and_restart()
        except BaseException as exc:  # reported by the test below, not lost in the thread
            chaos_errors.append(exc)

    chaos = threading.Thread(target=chaos_run)
    chaos.start()
    result = run_load_test(m2.api_url, users=4, spawn_rate=4, duration=14, wait_s=0.05, progress=False)
    chaos.join(timeout=300)
    assert not chaos.is_alive() and chaos_errors == [], chaos_errors
    assert result.failure_count > 0, "calls failed while the database was down"
    assert result.failures["Error"].str.contains("HTTP 502").all(), "the API answered 502 Internal server error"
    after = run_load_test(m2.api_url, users=2, spawn_rate=2, duration=3, wait_s=0.05, progress=False)
    assert after.request_count >= 1 and after.failure_count == 0, "after the restart every call succeeds again"


def _secrets_endpoint(ws: Workshop, m2: Any) -> None:
    """A Secrets Manager interface endpoint in module 2's VPC, with a group admitting HTTPS from its functions."""
    ec2 = ws.client("ec2")
    group = ec2.create_security_group(GroupName=ws.name("endpoint"), Description="endpoint", VpcId=m2.vpc_id)
    https = {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443}
    pairs = [{"GroupId": g} for g in m2.lambda_security_group_ids]
    ec2.authorize_security_group_ingress(GroupId=group["GroupId"], IpPermissions=[{**https, "UserIdGroupPairs": pairs}])
    endpoint = ensure_secrets_endpoint(ws, m2.vpc_id, m2.subnet_ids, [group["GroupId"]])
    wait_until(
        lambda: (
            ec2.describe_vpc_endpoints(VpcEndpointIds=[endpoint])["VpcEndpoints"][0]["State"].lower() == "available"
        ),
        120,
        "the Secrets Manager endpoint to become available",
    )


def test_sql_injection_attempt_changes_nothing(stack) -> None:
    ws, m2, cloud = stack
    secret = read_secret(ws, m2.master_secret_arn)
    with (
        pymysql.connect(
            host=secret["host"],
            port=secret["port"],
            user=secret["username"],
            password=secret["password"],
            database=secret["dbname"],
            autocommit=True,
        ) as conn,
        conn.cursor() as cursor,
    ):
        cursor.execute("CREATE TABLE IF NOT EXISTS canary (id INT PRIMARY KEY)")
        cursor.execute("REPLACE INTO canary VALUES (1)")
    role = ws.client("iam").get_role(RoleName=m2.role_name)["Role"]["Arn"]
    # v2 reads the DB secret itself: its role must allow that, in force before the first call.
    put_inline_policy(ws, m2.role_name, "read-db-secret", secret_read_policy(m2.master_secret_arn))
    wait_for_iam(cloud)
    name = ws.name("inject-v2")
    # In module 2's VPC, as on AWS: the database admits the Lambda security group only, and the function reaches
    # Secrets Manager through an interface endpoint whose group admits HTTPS from that group.
    _secrets_endpoint(ws, m2)
    lambdas.deploy_function(
        ws, name, "db_time_v2", role_arn=role, layers=m2.layer_arns, subnet_ids=m2.subnet_ids,
        security_group_ids=m2.lambda_security_group_ids,
        env={"SECRET_ARN": m2.master_secret_arn, "DB_HOST": secret["host"], "DB_PORT": str(secret["port"])},
    )  # fmt: skip
    endpoint = api.ensure_rest_api(ws, ws.name("inject-api"), name)
    for attack in ("0); DROP TABLE canary; --", "1 OR 1=1", "0' UNION SELECT password FROM mysql.user --"):
        answer = api.call_api(endpoint["url"], "?hold=" + attack.replace(" ", "%20").replace(";", "%3B"))
        assert answer.status == 200 and answer.body["version"] == "v2", attack
    with (
        pymysql.connect(
            host=secret["host"],
            port=secret["port"],
            user=secret["username"],
            password=secret["password"],
            database=secret["dbname"],
        ) as conn,
        conn.cursor() as cursor,
    ):
        cursor.execute("SELECT COUNT(*) FROM canary")
        assert cursor.fetchone() == (1,), "the table is untouched: the value went to the driver as a parameter"
