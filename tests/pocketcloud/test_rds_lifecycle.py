"""DB instances and RDS proxies take their time, as on AWS: an instance is `creating` (no endpoint shown),
then `backing-up` while its first automated backup is taken, then `available`; a proxy is `creating`, its
endpoint refusing clients, before `available`. boto3's db_instance_available waiter sees it through.

The in-between states are observed on private clouds where they last a minute, so nothing depends on how
fast the machine is; the admitted cases wait as a learner's code must. The proxy tests run with the network
rules off (``enforce_rules=False``), which leaves these lifecycle states as they are, so that security groups
play no part in them."""

from __future__ import annotations

import json
import time
from collections.abc import Callable

import botocore.exceptions
import pymysql
import pytest

import pocketcloud

from .conftest import create_db_instance

PASSWORD = "Lifecycle-Pass-1"
LONG = 60.0


def _create_instance(cloud: pocketcloud.Cloud, ident: str, **extra: object) -> dict:
    return create_db_instance(cloud, ident, PASSWORD, **extra)


def _describe(cloud: pocketcloud.Cloud, ident: str) -> dict:
    instance: dict = cloud.client("rds").describe_db_instances(DBInstanceIdentifier=ident)["DBInstances"][0]
    return instance


def _first_status_after_creating(cloud: pocketcloud.Cloud, ident: str) -> dict:
    deadline = time.monotonic() + 90
    while (instance := _describe(cloud, ident))["DBInstanceStatus"] == "creating":
        assert time.monotonic() < deadline, f"{ident} never left creating"
        time.sleep(0.2)
    return instance


def _create_proxy(cloud: pocketcloud.Cloud, name: str, target: str) -> dict:
    ec2, sm, rds = cloud.client("ec2"), cloud.client("secretsmanager"), cloud.client("rds")
    vpc = ec2.create_vpc(CidrBlock="10.31.0.0/16")["Vpc"]["VpcId"]
    subnets = [
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.31.{i}.0/24", AvailabilityZone=f"us-east-1{az}")["Subnet"][
            "SubnetId"
        ]
        for i, az in ((1, "a"), (2, "b"))
    ]
    secret = sm.create_secret(
        Name=f"{name}-secret", SecretString=json.dumps({"username": "admin", "password": PASSWORD})
    )["ARN"]
    proxy: dict = rds.create_db_proxy(
        DBProxyName=name,
        EngineFamily="MYSQL",
        Auth=[{"AuthScheme": "SECRETS", "SecretArn": secret, "IAMAuth": "DISABLED"}],
        RoleArn="arn:aws:iam::123456789012:role/proxy-role",
        VpcSubnetIds=subnets,
    )["DBProxy"]
    rds.register_db_proxy_targets(DBProxyName=name, DBInstanceIdentifiers=[target])
    return proxy


def test_a_new_instance_shows_no_endpoint_while_creating(make_cloud: Callable[..., pocketcloud.Cloud]) -> None:
    slow = make_cloud(db_instance_create_seconds=LONG, enforce_rules=False)
    created = _create_instance(slow, "lc-creating")
    assert created["DBInstanceStatus"] == "creating"
    assert "Endpoint" not in created
    port = slow.status()["services"]["rds"]["instances"]["lc-creating"]["port"]
    deadline = time.monotonic() + 90
    while True:  # until the DB server itself answers
        try:
            pymysql.connect(host="127.0.0.1", port=port, user="admin", password=PASSWORD, connect_timeout=5).close()
            break
        except pymysql.err.OperationalError:
            assert time.monotonic() < deadline, "the DB server never started"
            time.sleep(0.2)
    described = _describe(slow, "lc-creating")
    assert described["DBInstanceStatus"] == "creating", "creating takes its time even once the server answers"
    assert "Endpoint" not in described


def test_the_first_backup_then_a_proxy_that_is_still_creating(make_cloud: Callable[..., pocketcloud.Cloud]) -> None:
    slow = make_cloud(
        db_instance_create_seconds=0, db_instance_backup_seconds=LONG, db_proxy_create_seconds=LONG, enforce_rules=False
    )
    _create_instance(slow, "lc-backed-up")
    _create_instance(slow, "lc-no-backups", BackupRetentionPeriod=0)
    backing_up = _first_status_after_creating(slow, "lc-backed-up")
    assert backing_up["DBInstanceStatus"] == "backing-up", "the first automated backup follows creation"
    assert backing_up["Endpoint"]["Port"] > 0
    assert _first_status_after_creating(slow, "lc-no-backups")["DBInstanceStatus"] == "available"

    proxy = _create_proxy(slow, "lc-proxy", "lc-no-backups")
    assert proxy["Status"] == "creating"
    assert slow.client("rds").describe_db_proxies(DBProxyName="lc-proxy")["DBProxies"][0]["Status"] == "creating"
    with pytest.raises(pymysql.err.OperationalError):
        pymysql.connect(host=proxy["Endpoint"], user="admin", password=PASSWORD, connect_timeout=5)


def test_instance_and_proxy_become_available(make_cloud: Callable[..., pocketcloud.Cloud]) -> None:
    cloud = make_cloud(enforce_rules=False)  # default lifecycle settings
    rds = cloud.client("rds")
    _create_instance(cloud, "lc-db")
    rds.get_waiter("db_instance_available").wait(
        DBInstanceIdentifier="lc-db", WaiterConfig={"Delay": 1, "MaxAttempts": 120}
    )
    instance = _describe(cloud, "lc-db")
    assert instance["DBInstanceStatus"] == "available"
    endpoint = instance["Endpoint"]
    with (
        pymysql.connect(
            host=endpoint["Address"], port=endpoint["Port"], user="admin", password=PASSWORD, connect_timeout=5
        ) as conn,
        conn.cursor() as cursor,
    ):
        cursor.execute("SELECT 1")
        assert cursor.fetchone() == (1,)

    proxy = _create_proxy(cloud, "lc-db-proxy", "lc-db")
    deadline = time.monotonic() + 90
    while rds.describe_db_proxies(DBProxyName="lc-db-proxy")["DBProxies"][0]["Status"] != "available":
        assert time.monotonic() < deadline, "the proxy never became available"
        time.sleep(0.2)
    with (
        pymysql.connect(host=proxy["Endpoint"], user="admin", password=PASSWORD, connect_timeout=10) as conn,
        conn.cursor() as cursor,
    ):
        cursor.execute("SELECT 2")
        assert cursor.fetchone() == (2,)


def _subnet_group(cloud: pocketcloud.Cloud, name: str) -> str:
    ec2 = cloud.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.32.0.0/16")["Vpc"]["VpcId"]
    subnets = [
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.32.{i}.0/24", AvailabilityZone=f"us-east-1{az}")["Subnet"][
            "SubnetId"
        ]
        for i, az in ((1, "a"), (2, "b"))
    ]
    cloud.client("rds").create_db_subnet_group(
        DBSubnetGroupName=name, DBSubnetGroupDescription="lifecycle", SubnetIds=subnets
    )
    return name


def _refused(call: Callable[[], object], code: str) -> None:
    with pytest.raises(botocore.exceptions.ClientError) as refused:
        call()
    assert refused.value.response["Error"]["Code"] == code
    assert refused.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_deleted_instance_and_proxy_stay_deleting_refusing_changes(
    make_cloud: Callable[..., pocketcloud.Cloud],
) -> None:
    slow = make_cloud(db_instance_create_seconds=0, db_instance_backup_seconds=0, db_proxy_create_seconds=0,
                      db_instance_delete_seconds=LONG, db_proxy_delete_seconds=LONG, enforce_rules=False)  # fmt: skip
    rds = slow.client("rds")
    group = _subnet_group(slow, "lc-group")
    _create_instance(slow, "lc-gone", DBSubnetGroupName=group)
    rds.get_waiter("db_instance_available").wait(DBInstanceIdentifier="lc-gone", WaiterConfig={"Delay": 1})
    _create_proxy(slow, "lc-gone-proxy", "lc-gone")

    assert rds.delete_db_proxy(DBProxyName="lc-gone-proxy")["DBProxy"]["Status"] == "deleting"
    assert rds.describe_db_proxies(DBProxyName="lc-gone-proxy")["DBProxies"][0]["Status"] == "deleting"
    _refused(lambda: rds.delete_db_proxy(DBProxyName="lc-gone-proxy"), "InvalidDBProxyStateFault")
    _refused(lambda: rds.deregister_db_proxy_targets(DBProxyName="lc-gone-proxy", DBInstanceIdentifiers=["lc-gone"]),
             "InvalidDBProxyStateFault")  # fmt: skip
    _refused(lambda: rds.modify_db_proxy_target_group(DBProxyName="lc-gone-proxy", TargetGroupName="default",
                                                      ConnectionPoolConfig={"MaxConnectionsPercent": 50}),
             "InvalidDBProxyStateFault")  # fmt: skip

    deleted = rds.delete_db_instance(DBInstanceIdentifier="lc-gone", SkipFinalSnapshot=True)["DBInstance"]
    assert deleted["DBInstanceStatus"] == "deleting"
    assert _describe(slow, "lc-gone")["DBInstanceStatus"] == "deleting"
    _refused(lambda: rds.delete_db_instance(DBInstanceIdentifier="lc-gone", SkipFinalSnapshot=True),
             "InvalidDBInstanceState")  # fmt: skip
    _refused(lambda: rds.modify_db_instance(DBInstanceIdentifier="lc-gone", MasterUserPassword="Other-Pass-12",
                                            ApplyImmediately=True), "InvalidDBInstanceState")  # fmt: skip
    _refused(lambda: rds.delete_db_subnet_group(DBSubnetGroupName=group), "InvalidDBSubnetGroupStateFault")
    assert [g["DBSubnetGroupName"] for g in rds.describe_db_subnet_groups()["DBSubnetGroups"]] == [group]


def test_deletions_end_and_free_the_subnet_group(make_cloud: Callable[..., pocketcloud.Cloud]) -> None:
    cloud = make_cloud(enforce_rules=False, db_instance_backup_seconds=0)  # default deletion times
    rds = cloud.client("rds")
    group = _subnet_group(cloud, "lc-freed")
    _create_instance(cloud, "lc-freed-db", DBSubnetGroupName=group)
    rds.get_waiter("db_instance_available").wait(DBInstanceIdentifier="lc-freed-db", WaiterConfig={"Delay": 1})
    _refused(lambda: rds.delete_db_subnet_group(DBSubnetGroupName=group), "InvalidDBSubnetGroupStateFault")
    rds.delete_db_instance(DBInstanceIdentifier="lc-freed-db", SkipFinalSnapshot=True)
    rds.get_waiter("db_instance_deleted").wait(DBInstanceIdentifier="lc-freed-db", WaiterConfig={"Delay": 1})
    rds.delete_db_subnet_group(DBSubnetGroupName=group)
    assert rds.describe_db_subnet_groups()["DBSubnetGroups"] == []
