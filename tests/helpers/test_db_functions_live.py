"""Modules 3-4 end to end on pocketcloud: secrets, the app user, RDS Proxy and the db_time functions.

Real MariaDB, real proxy, real functions running the code in ``lambda_code/`` with pymysql from a layer.
"""

from __future__ import annotations

import io
import json
import uuid
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pymysql
import pytest
from botocore.config import Config

import pocketcloud
from helpers.aws import database, network, proxy, secrets
from helpers.aws.iam import VPC_EXECUTION, ensure_lambda_role
from helpers.measure import invocations
from helpers.session import Workshop

from .conftest import vpc_for_functions, workshop_on

ROOT = Path(__file__).resolve().parents[2]
USER_LIMIT = 3


def _zip_dir(folder: Path, prefix: str = "") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                archive.write(path, prefix + str(path.relative_to(folder)))
    return buffer.getvalue()


def _pymysql_layer() -> bytes:
    # Pure-Python pymysql, copied from this environment as layers lay packages out (python/...).
    return _zip_dir(Path(pymysql.__file__).parent, "python/pymysql/")


@pytest.fixture(scope="module")
def ws(cloud: pocketcloud.Cloud) -> Iterator[Workshop]:
    with workshop_on(cloud, "t-") as session:
        yield session


@pytest.fixture(scope="module")
def stack(cloud: pocketcloud.Cloud, ws: Workshop) -> Iterator[dict]:
    suffix = uuid.uuid4().hex[:6]
    rds, lam = (cloud.client(s) for s in ("rds", "lambda"))
    # The functions, the proxy and the database in one VPC, each behind its own security group, as on AWS.
    net = vpc_for_functions(cloud.client("ec2"), "10.42", f"t-{suffix}-")
    db_id = f"t-db-{suffix}"
    db = database.ensure_database(
        ws, db_id, subnet_group=database.ensure_subnet_group(ws, f"t-subnets-{suffix}", net["subnets"]),
        security_group_ids=[net["db_sg"]], secret_name=f"t-master-{suffix}", progress=False,
    )  # fmt: skip
    host, port = db["Endpoint"]["Address"], db["Endpoint"]["Port"]
    master_arn = db["SecretArn"]
    master_pw = secrets.read_secret(ws, master_arn)["password"]
    app_pw = secrets.generate_password(ws)
    app_arn = secrets.put_secret(
        ws, f"t-app-{suffix}", secrets.rds_secret("app", app_pw, host, port, "workshop", instance_id=db_id)
    )
    # Logs, network interfaces in the VPC, and the two secrets; ensure_lambda_role waits for IAM to propagate.
    role = ensure_lambda_role(
        ws, f"t-fn-{suffix}", managed=[VPC_EXECUTION],
        inline={"read-db-secrets": secrets.secret_read_policy([master_arn, app_arn])},
    )  # fmt: skip
    layer = lam.publish_layer_version(LayerName=f"t-pymysql-{suffix}", Content={"ZipFile": _pymysql_layer()})
    layer_arn = layer["LayerVersionArn"]
    # A function in the VPC reaches Secrets Manager only through an available interface endpoint.
    network.ensure_secrets_endpoint(ws, net["vpc"], net["subnets"], [net["endpoint_sg"]])

    def deploy(folder: str, env: dict[str, str], name: str | None = None) -> str:
        name = name or f"t-{folder.replace('_', '-')}-{suffix}"
        lam.create_function(
            FunctionName=name, Runtime="python3.12", Role=role, Handler="lambda_function.lambda_handler",
            Code={"ZipFile": _zip_dir(ROOT / "lambda_code" / folder)}, Layers=[layer_arn], Timeout=20,
            Environment={"Variables": env},
            VpcConfig={"SubnetIds": net["subnets"], "SecurityGroupIds": [net["lambda_sg"]]},
        )  # fmt: skip
        lam.get_waiter("function_active_v2").wait(FunctionName=name)  # a new function is Pending at first
        return name

    setup = deploy("db_setup", {"MASTER_SECRET_ARN": master_arn, "APP_SECRET_ARN": app_arn})
    created = json.loads(
        lam.invoke(FunctionName=setup, Payload=json.dumps({"max_user_connections": USER_LIMIT}))["Payload"].read()
    )
    yield {
        "suffix": suffix, "db_id": db_id, "master_pw": master_pw, "host": host, "port": port, "app_arn": app_arn,
        "role": role, "deploy": deploy, "setup": created, "subnets": net["subnets"], "groups": [net["proxy_sg"]],
    }  # fmt: skip
    rds.delete_db_instance(DBInstanceIdentifier=db_id, SkipFinalSnapshot=True)


def test_db_setup_creates_a_capped_read_only_user(cloud: pocketcloud.Cloud, stack: dict) -> None:
    assert stack["setup"]["user"] == "app" and stack["setup"]["max_user_connections"] == USER_LIMIT
    assert stack["setup"]["max_connections"] >= 10
    conn = pymysql.connect(host=stack["host"], port=stack["port"], user="admin", password=stack["master_pw"])
    with conn.cursor() as cursor:
        cursor.execute("SELECT max_user_connections FROM mysql.user WHERE user = 'app'")
        assert cursor.fetchone()[0] == USER_LIMIT
        cursor.execute("SHOW GRANTS FOR 'app'@'%'")
        grants = " ".join(row[0] for row in cursor.fetchall())
    conn.close()
    assert "SELECT ON `workshop`.*" in grants and "INSERT" not in grants


def test_direct_connections_hit_the_cap_and_the_proxy_absorbs_them(
    cloud: pocketcloud.Cloud, ws: Workshop, stack: dict
) -> None:
    iam = cloud.client("iam")
    suffix = stack["suffix"]
    proxy_role = proxy.ensure_proxy_role(ws, f"t-proxy-{suffix}", stack["app_arn"])
    assert proxy.ensure_proxy_role(ws, f"t-proxy-{suffix}", stack["app_arn"]) == proxy_role  # idempotent
    policy = json.loads(
        json.dumps(iam.get_role_policy(RoleName=f"t-proxy-{suffix}", PolicyName="read-db-secret")["PolicyDocument"])
    )
    assert policy["Statement"][0]["Resource"] == stack["app_arn"]
    percent = max(1, USER_LIMIT * 100 // stack["setup"]["max_connections"])
    created = proxy.ensure_db_proxy(
        ws, f"t-proxy-{suffix}", stack["app_arn"], proxy_role, stack["subnets"], stack["groups"], stack["db_id"],
        max_connections_percent=percent, progress=False,
    )  # fmt: skip
    again = proxy.ensure_db_proxy(
        ws, f"t-proxy-{suffix}", stack["app_arn"], proxy_role, stack["subnets"], stack["groups"], stack["db_id"],
        max_connections_percent=percent, progress=False,
    )  # fmt: skip
    assert again["Endpoint"] == created["Endpoint"]
    env = {"SECRET_ARN": stack["app_arn"]}
    direct = stack["deploy"]("db_time_v2", env, name=f"t-direct-{suffix}")
    pooled = stack["deploy"]("db_time_v2", {**env, "DB_HOST": created["Endpoint"], "DB_PORT": "3306"})
    lam = cloud.client("lambda", config=Config(retries={"total_max_attempts": 1}, read_timeout=60))
    one = invocations.timed_invoke(lam, pooled)
    assert one["error"] is None, one["body"]
    body = json.loads(json.loads(one["body"])["body"])
    assert body["version"] == "v2" and body["db_time"][:2] == "20"

    n = USER_LIMIT * 2
    # Each call holds its connection a while so that the burst's calls overlap; generous, so that calls a slow
    # host starts late still overlap (the proxy's calls queue for its few connections meanwhile).
    event = {"queryStringParameters": {"hold": "5"}}
    direct_runs = invocations.burst(lambda: invocations.timed_invoke(lam, direct, event), count=n)
    proxy_runs = invocations.burst(lambda: invocations.timed_invoke(lam, pooled, event), count=n)
    direct_errors = direct_runs["error"].notna().sum()
    assert direct_errors >= 1, "more simultaneous connections than the user may hold must fail"
    assert any("max_user_connections" in str(b) for b in direct_runs["body"])
    assert proxy_runs["error"].isna().all(), list(proxy_runs["body"])
    pool = cloud.status()["services"]["rds"]["proxies"][f"t-proxy-{suffix}"]
    assert pool["target"] == stack["db_id"]
    assert pool["pool_limit"] == max(1, stack["setup"]["max_connections"] * percent // 100), pool
    assert 1 <= pool["database_connections"] <= pool["pool_limit"], "the proxy's pool served the calls within its size"
    secret_value = secrets.read_secret(ws, stack["app_arn"])
    assert secret_value["engine"] == "mysql" and secret_value["username"] == "app"
    assert proxy.delete_db_proxy(ws, f"t-proxy-{suffix}", progress=False)
    assert not proxy.delete_db_proxy(ws, f"t-proxy-{suffix}", progress=False)


def test_v3_reuses_its_connection_and_reconnects_after_a_drop(cloud: pocketcloud.Cloud, stack: dict) -> None:
    fn = stack["deploy"]("db_time_v3", {"SECRET_ARN": stack["app_arn"]})
    lam = cloud.client("lambda")
    runs = invocations.invoke_many(lam, fn, 3)
    assert runs["error"].isna().all(), list(runs["body"])
    assert list(runs["cold"]) == [True, False, False]
    # Kill the function's connection from the database side, as an idle timeout would.
    admin = pymysql.connect(
        host=stack["host"], port=stack["port"], user="admin", password=stack["master_pw"], autocommit=True
    )
    with admin.cursor() as cursor:
        cursor.execute("SELECT id FROM information_schema.processlist WHERE user = 'app'")
        ids = [row[0] for row in cursor.fetchall()]
        assert ids, "the warm environment keeps its connection open between calls"
        for ident in ids:
            cursor.execute("KILL %s", (ident,))
    admin.close()
    after = invocations.timed_invoke(lam, fn)
    assert after["error"] is None, after["body"]
    assert not after["cold"]
    assert json.loads(json.loads(after["body"])["body"])["version"] == "v3"


def test_put_secret_is_idempotent_and_updates_changes(cloud: pocketcloud.Cloud, ws: Workshop) -> None:
    sm = cloud.client("secretsmanager")
    name = f"t-idem-{uuid.uuid4().hex[:6]}"
    value = secrets.rds_secret("u", "p", "h", 3306, "d")
    arn = secrets.put_secret(ws, name, value)
    assert secrets.put_secret(ws, name, value) == arn
    versions = sm.list_secret_version_ids(SecretId=name)["Versions"]
    secrets.put_secret(ws, name, {**value, "password": "q"})
    assert secrets.read_secret(ws, name)["password"] == "q"
    assert len(sm.list_secret_version_ids(SecretId=name)["Versions"]) == len(versions) + 1
    assert sm.describe_secret(SecretId=name)["Tags"] == [{"Key": "workshop", "Value": "serverless-at-scale"}]
    assert secrets.secret_read_policy(arn)["Statement"][0]["Action"] == "secretsmanager:GetSecretValue"
