"""RDS Proxy with real clients: authentication from Secrets Manager, pooling under load that breaks a
direct connection, transactions on one backend, pinning, rotation and recovery after a DB crash."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import threading
import time
from collections.abc import Iterator

import botocore.exceptions
import mysql.connector
import pymysql
import pytest

import pocketcloud

PASSWORD = "Proxy-Test-Pass-1"


def _wait_available(rds, ident: str) -> dict:
    deadline = time.monotonic() + 90
    while True:
        instance = rds.describe_db_instances(DBInstanceIdentifier=ident)["DBInstances"][0]
        if instance["DBInstanceStatus"] == "available":
            return instance
        assert time.monotonic() < deadline
        time.sleep(0.3)


class Setup:
    def __init__(self, cloud: pocketcloud.Cloud) -> None:
        self.cloud = cloud
        rds, ec2, sm = cloud.client("rds"), cloud.client("ec2"), cloud.client("secretsmanager")
        vpc = ec2.create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
        subnets = [
            ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.9.{i}.0/24", AvailabilityZone=f"us-east-1{az}")["Subnet"][
                "SubnetId"
            ]
            for i, az in ((1, "a"), (2, "b"))
        ]
        # The instance in the proxy's VPC; both carry that VPC's default security group, which admits itself.
        rds.create_db_subnet_group(DBSubnetGroupName="proxy-db", DBSubnetGroupDescription="proxy", SubnetIds=subnets)
        rds.create_db_instance(
            DBSubnetGroupName="proxy-db",
            DBInstanceIdentifier="proxy-db",
            Engine="mysql",
            EngineVersion="8.4.7",
            DBInstanceClass="db.t3.micro",
            MasterUsername="admin",
            MasterUserPassword=PASSWORD,
            AllocatedStorage=20,
            DBName="app",
        )
        self.secret = sm.create_secret(
            Name="proxy-db-secret",
            SecretString=json.dumps({"username": "admin", "password": PASSWORD, "engine": "mysql"}),
        )["ARN"]
        self.instance = _wait_available(rds, "proxy-db")
        proxy = rds.create_db_proxy(
            DBProxyName="proxy-test",
            EngineFamily="MYSQL",
            Auth=[{"AuthScheme": "SECRETS", "SecretArn": self.secret, "IAMAuth": "DISABLED"}],
            RoleArn="arn:aws:iam::123456789012:role/proxy-role",
            VpcSubnetIds=subnets,
        )["DBProxy"]
        rds.register_db_proxy_targets(DBProxyName="proxy-test", DBInstanceIdentifiers=["proxy-db"])
        deadline = time.monotonic() + 90  # a new proxy is `creating` a while, as on AWS
        while rds.describe_db_proxies(DBProxyName="proxy-test")["DBProxies"][0]["Status"] != "available":
            assert time.monotonic() < deadline, "the proxy never became available"
            time.sleep(0.2)
        self.endpoint = proxy["Endpoint"]
        self.subnets = subnets

    def proxy(self, password: str = PASSWORD, **kwargs: object) -> pymysql.Connection:
        return pymysql.connect(
            host=self.endpoint, user="admin", password=password, database="app", connect_timeout=10, **kwargs
        )

    def direct(self, **kwargs: object) -> pymysql.Connection:
        ep = self.instance["Endpoint"]
        return pymysql.connect(
            host=ep["Address"], port=ep["Port"], user="admin", password=PASSWORD, database="app", **kwargs
        )


@pytest.fixture(scope="module")
def setup(cloud: pocketcloud.Cloud) -> Iterator[Setup]:
    yield Setup(cloud)


def _hammer(connect, clients: int, seconds: float) -> tuple[list[Exception], int]:
    errors: list[Exception] = []
    done = [0]
    barrier = threading.Barrier(clients)

    def worker() -> None:
        try:
            barrier.wait(timeout=30)
            conn = connect()
            end = time.monotonic() + seconds
            with conn.cursor() as cursor:
                while time.monotonic() < end:
                    cursor.execute("SELECT NOW()")
                    cursor.fetchone()
                    done[0] += 1
            conn.close()
        except Exception as exc:
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return errors, done[0]


def test_describe_shows_a_reachable_endpoint_and_healthy_target(setup: Setup) -> None:
    rds = setup.cloud.client("rds")
    proxy = rds.describe_db_proxies(DBProxyName="proxy-test")["DBProxies"][0]
    assert proxy["Status"] == "available"
    assert proxy["Endpoint"].startswith("127.")
    [target] = rds.describe_db_proxy_targets(DBProxyName="proxy-test")["Targets"]
    assert target["TargetHealth"]["State"] == "AVAILABLE"
    assert target["Port"] == setup.instance["Endpoint"]["Port"]
    with setup.proxy() as conn, conn.cursor() as cursor:
        cursor.execute("SELECT DATABASE(), NOW()")
        database, now = cursor.fetchone()
    assert database == "app" and now is not None


def test_200_clients_overwhelm_the_db_but_not_the_proxy(setup: Setup) -> None:
    direct_errors, _ = _hammer(lambda: setup.direct(autocommit=True), 200, 3)
    codes = {e.args[0] for e in direct_errors if isinstance(e, pymysql.err.OperationalError)}
    assert 1040 in codes, "direct connections beyond max_connections fail with 'Too many connections'"

    proxy_errors, queries = _hammer(lambda: setup.proxy(autocommit=True), 200, 3)
    assert proxy_errors == []
    assert queries > 200
    rds_status = setup.cloud.status()["services"]["rds"]["proxies"]["proxy-test"]
    assert rds_status["database_connections"] <= rds_status["pool_limit"] == 30


def test_transaction_stays_on_one_backend_and_is_isolated(setup: Setup) -> None:
    with setup.direct(autocommit=True) as conn, conn.cursor() as cursor:
        cursor.execute("CREATE TABLE IF NOT EXISTS accounts (id INT PRIMARY KEY, balance INT) ENGINE=InnoDB")
        cursor.execute("REPLACE INTO accounts VALUES (1, 100)")
    writer, reader = setup.proxy(), setup.proxy(autocommit=True)
    with writer.cursor() as w, reader.cursor() as r:
        w.execute("START TRANSACTION")
        w.execute("SELECT CONNECTION_ID()")
        backend_id = w.fetchone()[0]
        w.execute("UPDATE accounts SET balance = 50 WHERE id = 1")
        for _ in range(5):
            r.execute("SELECT balance FROM accounts WHERE id = 1")
            assert r.fetchone() == (100,), "uncommitted change is invisible to other clients"
        w.execute("SELECT CONNECTION_ID()")
        assert w.fetchone()[0] == backend_id, "the whole transaction runs on one backend connection"
        writer.commit()
        r.execute("SELECT balance FROM accounts WHERE id = 1")
        assert r.fetchone() == (50,)
    writer.close()
    reader.close()


def test_user_variable_pins_the_session(setup: Setup) -> None:
    with setup.proxy(autocommit=True) as conn, conn.cursor() as cursor:
        cursor.execute("SET @x = 1")
        cursor.execute("SELECT @x")
        assert cursor.fetchone() == (1,)
        cursor.execute("SELECT CONNECTION_ID()")
        first = cursor.fetchone()[0]
        cursor.execute("SELECT CONNECTION_ID()")
        assert cursor.fetchone()[0] == first
        pinned = setup.cloud.status()["services"]["rds"]["proxies"]["proxy-test"]
        assert pinned["client_connections"] >= 1


def test_wrong_password_and_unknown_user_are_refused(setup: Setup) -> None:
    with pytest.raises(pymysql.err.OperationalError) as error:
        setup.proxy(password="not-the-password")
    assert error.value.args[0] == 1045
    with pytest.raises(pymysql.err.OperationalError) as unknown:
        pymysql.connect(host=setup.endpoint, user="mallory", password=PASSWORD)
    assert unknown.value.args[0] == 1045


def test_other_clients_mysql_connector_and_mariadb_cli(setup: Setup) -> None:
    conn = mysql.connector.connect(host=setup.endpoint, user="admin", password=PASSWORD, database="app")
    cursor = conn.cursor()
    cursor.execute("SELECT 6 * 7")
    assert cursor.fetchall() == [(42,)]
    conn.close()
    cli = subprocess.run(
        ["mariadb", "-h", setup.endpoint, "-u", "admin", f"-p{PASSWORD}", "-N", "-e", "SELECT 40 + 2"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert cli.returncode == 0, cli.stderr
    assert cli.stdout.strip() == "42"


def test_secret_rotation_is_honoured(setup: Setup) -> None:
    sm, rds = setup.cloud.client("secretsmanager"), setup.cloud.client("rds")
    new = "Rotated-Pass-2"
    rds.modify_db_instance(DBInstanceIdentifier="proxy-db", MasterUserPassword=new, ApplyImmediately=True)
    sm.put_secret_value(SecretId=setup.secret, SecretString=json.dumps({"username": "admin", "password": new}))
    try:
        with pytest.raises(pymysql.err.OperationalError):
            setup.proxy()
        with setup.proxy(password=new) as conn, conn.cursor() as cursor:
            cursor.execute("SELECT 1")
            assert cursor.fetchone() == (1,)
    finally:
        rds.modify_db_instance(DBInstanceIdentifier="proxy-db", MasterUserPassword=PASSWORD, ApplyImmediately=True)
        sm.put_secret_value(SecretId=setup.secret, SecretString=json.dumps({"username": "admin", "password": PASSWORD}))


def test_db_crash_gives_a_clear_error_and_the_proxy_recovers(setup: Setup) -> None:
    rds = setup.cloud.client("rds")
    rds.stop_db_instance(DBInstanceIdentifier="proxy-db")
    deadline = time.monotonic() + 30
    while rds.describe_db_instances(DBInstanceIdentifier="proxy-db")["DBInstances"][0]["DBInstanceStatus"] != "stopped":
        assert time.monotonic() < deadline
        time.sleep(0.2)
    [target] = rds.describe_db_proxy_targets(DBProxyName="proxy-test")["Targets"]
    assert target["TargetHealth"]["State"] == "UNAVAILABLE"
    with pytest.raises(pymysql.err.OperationalError) as error:
        setup.proxy(autocommit=True)  # the session's database cannot be selected while the DB is down
    assert "target DB instance is not available" in str(error.value)
    rds.start_db_instance(DBInstanceIdentifier="proxy-db")
    _wait_available(rds, "proxy-db")
    with setup.proxy(autocommit=True) as conn, conn.cursor() as cursor:
        cursor.execute("SELECT 1")
        assert cursor.fetchone() == (1,)


def test_metrics_in_cloudwatch(setup: Setup) -> None:
    with setup.proxy(autocommit=True) as conn, conn.cursor() as cursor:
        cursor.execute("SELECT 1")
        time.sleep(1.5)
    now = dt.datetime.now(dt.UTC)
    deadline = time.monotonic() + 60  # metrics are published a few seconds later, as on AWS
    while (values := _proxy_metrics(setup, now))["queryrequests"] < 1:
        assert time.monotonic() < deadline, f"no proxy metrics showed: {values}"
        time.sleep(0.5)
    assert values["clientconnections"] >= 1
    assert 1 <= values["databaseconnections"] <= 30
    assert "databaseconnectionscurrentlysessionpinned" in values


def _proxy_metrics(setup: Setup, now: dt.datetime) -> dict[str, float]:
    result = setup.cloud.client("cloudwatch").get_metric_data(
        MetricDataQueries=[
            {
                "Id": name.lower(),
                "MetricStat": {
                    "Metric": {
                        "Namespace": "AWS/RDS",
                        "MetricName": name,
                        "Dimensions": [{"Name": "ProxyName", "Value": "proxy-test"}],
                    },
                    "Period": 60,
                    "Stat": "Maximum",
                },
            }
            for name in (
                "ClientConnections",
                "DatabaseConnections",
                "QueryRequests",
                "DatabaseConnectionsCurrentlySessionPinned",
            )
        ],
        StartTime=now - dt.timedelta(minutes=10),
        EndTime=now + dt.timedelta(minutes=1),
    )
    return {r["Id"]: max(r["Values"], default=0) for r in result["MetricDataResults"]}


def test_proxy_bad_input_is_aws_shaped(setup: Setup) -> None:
    rds = setup.cloud.client("rds")
    with pytest.raises(botocore.exceptions.ClientError) as duplicate:
        rds.create_db_proxy(
            DBProxyName="proxy-test",
            EngineFamily="MYSQL",
            Auth=[{"AuthScheme": "SECRETS", "SecretArn": setup.secret}],
            RoleArn="arn:aws:iam::123456789012:role/proxy-role",
            VpcSubnetIds=setup.subnets,
        )
    assert duplicate.value.response["Error"]["Code"] == "DBProxyAlreadyExistsFault"
    with pytest.raises(botocore.exceptions.ClientError) as no_secret:
        rds.create_db_proxy(
            DBProxyName="proxy-nosecret",
            EngineFamily="MYSQL",
            Auth=[{"AuthScheme": "SECRETS"}],
            RoleArn="arn:aws:iam::123456789012:role/proxy-role",
            VpcSubnetIds=setup.subnets,
        )
    assert no_secret.value.response["Error"]["Code"] == "InvalidParameterValue"
    assert [p["DBProxyName"] for p in rds.describe_db_proxies()["DBProxies"]] == ["proxy-test"]
