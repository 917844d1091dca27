"""RDS Proxy with real clients: authentication from Secrets Manager, pooling under load that breaks a
direct connection, transactions on one backend, pinning, rotation and recovery after a DB crash."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import threading
from collections.abc import Iterator

import botocore.exceptions
import mysql.connector
import pymysql
import pytest

import pocketcloud

from ..waiting import wait_until

PASSWORD = "Proxy-Test-Pass-1"


def _wait_available(rds, ident: str) -> dict:
    def instance() -> dict | None:
        found = rds.describe_db_instances(DBInstanceIdentifier=ident)["DBInstances"][0]
        return found if found["DBInstanceStatus"] == "available" else None

    return wait_until(instance, 180, f"{ident} to be available")


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
        wait_until(  # a new proxy is `creating` a while, as on AWS
            lambda: rds.describe_db_proxies(DBProxyName="proxy-test")["DBProxies"][0]["Status"] == "available",
            180,
            "the proxy to become available",
        )
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


def _hammer(connect, clients: int, queries: int) -> tuple[list[Exception], int]:
    """``clients`` threads connect at once and hold their connections until every one has tried; those
    connected then run ``queries`` statements each. Returns the errors and how many statements ran."""
    errors: list[Exception] = []
    done = [0]
    lock = threading.Lock()
    everyone_tried = threading.Barrier(clients)

    def worker() -> None:
        conn = None
        try:
            try:
                conn = connect()
            except Exception as exc:
                errors.append(exc)
            everyone_tried.wait(timeout=180)
            if conn is not None:
                with conn.cursor() as cursor:
                    for _ in range(queries):
                        cursor.execute("SELECT NOW()")
                        cursor.fetchone()
                        with lock:
                            done[0] += 1
        except Exception as exc:
            errors.append(exc)
        finally:
            if conn is not None:
                conn.close()

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
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
    direct_errors, _ = _hammer(lambda: setup.direct(autocommit=True), 200, 1)
    codes = {e.args[0] for e in direct_errors if isinstance(e, pymysql.err.OperationalError)}
    assert 1040 in codes, "direct connections beyond max_connections fail with 'Too many connections'"

    proxy_errors, queries = _hammer(lambda: setup.proxy(autocommit=True), 200, 5)
    assert proxy_errors == []
    assert queries == 200 * 5, "every one of 200 connected clients ran all its statements"
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


def _backend_id(conn: pymysql.Connection, transaction: bool = False) -> int:
    """The DB server's id for the connection the proxy lent this statement (or this whole transaction)."""
    with conn.cursor() as cursor:
        if transaction:
            cursor.execute("START TRANSACTION")
        cursor.execute("SELECT CONNECTION_ID()")
        (backend,) = cursor.fetchone()
        if transaction:
            cursor.execute("COMMIT")
    return int(backend)


@pytest.fixture(scope="module")
def two_connection_proxy(setup: Setup) -> Iterator[str]:
    """A second proxy to the same DB whose pool holds two connections (MaxConnectionsPercent 7 of the
    instance's 30), both kept while idle, so that which client gets which connection is observable."""
    rds = setup.cloud.client("rds")
    rds.create_db_proxy(
        DBProxyName="proxy-two",
        EngineFamily="MYSQL",
        Auth=[{"AuthScheme": "SECRETS", "SecretArn": setup.secret, "IAMAuth": "DISABLED"}],
        RoleArn="arn:aws:iam::123456789012:role/proxy-role",
        VpcSubnetIds=setup.subnets,
    )
    rds.register_db_proxy_targets(DBProxyName="proxy-two", DBInstanceIdentifiers=["proxy-db"])
    rds.modify_db_proxy_target_group(
        DBProxyName="proxy-two",
        TargetGroupName="default",
        ConnectionPoolConfig={
            "MaxConnectionsPercent": 7,
            "MaxIdleConnectionsPercent": 7,
            "ConnectionBorrowTimeout": 20,
        },
    )
    wait_until(
        lambda: rds.describe_db_proxies(DBProxyName="proxy-two")["DBProxies"][0]["Status"] == "available",
        180,
        "proxy-two to become available",
    )
    assert setup.cloud.status()["services"]["rds"]["proxies"]["proxy-two"]["pool_limit"] == 2
    yield str(rds.describe_db_proxies(DBProxyName="proxy-two")["DBProxies"][0]["Endpoint"])
    rds.delete_db_proxy(DBProxyName="proxy-two")


def _connect(endpoint: str) -> pymysql.Connection:
    return pymysql.connect(
        host=endpoint, user="admin", password=PASSWORD, database="app", connect_timeout=10, autocommit=True
    )


def test_clients_multiplex_onto_one_connection_between_transactions(two_connection_proxy: str) -> None:
    # RDS Proxy guide, "Avoiding pinning": without session state, the proxy reuses a connection at the end of
    # each transaction, so clients connected at the same time take turns on the same database connection.
    clients = [_connect(two_connection_proxy) for _ in range(4)]  # twice as many clients as connections
    try:
        first, second = _backend_id(clients[0], transaction=True), _backend_id(clients[1], transaction=True)
        assert first == second, "the second client's transaction reuses the connection the first one returned"
        seen = {_backend_id(client, transaction=True) for _ in range(3) for client in clients}
        assert seen == {first}, f"sequential transactions of 4 clients ran on connections {seen}"
    finally:
        for client in clients:
            client.close()


def test_session_state_pins_the_client_to_its_connection(setup: Setup, two_connection_proxy: str) -> None:
    # RDS Proxy guide, "Avoiding pinning": a user variable pins the client connection; every later transaction
    # uses the same database connection, and no other client gets it until the session ends.
    started = dt.datetime.now(dt.UTC)
    stateful, other = _connect(two_connection_proxy), _connect(two_connection_proxy)
    try:
        with stateful.cursor() as cursor:
            cursor.execute("SET @owner = 'stateful client'")
            cursor.execute("SELECT CONNECTION_ID()")
            (pinned_backend,) = cursor.fetchone()
        # The other client now opens a transaction. Were the stateful client not pinned, its connection would
        # be back in the pool and lent to the other client, and the stateful client would get another one,
        # without @owner.
        with other.cursor() as cursor:
            cursor.execute("START TRANSACTION")
            cursor.execute("SELECT CONNECTION_ID()")
            (other_backend,) = cursor.fetchone()
            with stateful.cursor() as stateful_cursor:
                stateful_cursor.execute("SELECT @owner, CONNECTION_ID()")
                owner, backend_now = stateful_cursor.fetchone()
            cursor.execute("COMMIT")
        assert other_backend != pinned_backend, "another client was lent the pinned connection"
        assert (owner, backend_now) == ("stateful client", pinned_backend), "the pinned session kept its connection"
        assert {_backend_id(other, transaction=True) for _ in range(3)} == {other_backend}
        pinned = wait_until(
            lambda: _proxy_metrics(setup, started, "proxy-two")["databaseconnectionscurrentlysessionpinned"] or None,
            60,
            "CloudWatch to show proxy-two's pinned session",
        )
        assert pinned == 1, "one session (the stateful client's) is pinned, the other multiplexes"
    finally:
        stateful.close()
        other.close()


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
    wait_until(
        lambda: (
            rds.describe_db_instances(DBInstanceIdentifier="proxy-db")["DBInstances"][0]["DBInstanceStatus"]
            == "stopped"
        ),
        120,
        "proxy-db to stop",
    )
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
    now = dt.datetime.now(dt.UTC)
    with setup.proxy(autocommit=True) as conn, conn.cursor() as cursor:
        cursor.execute("SELECT 1")
        # Connected until CloudWatch has a sample of this client (sampled every second, published later).
        values = wait_until(
            lambda: (v := _proxy_metrics(setup, now))["queryrequests"] >= 1 and v["clientconnections"] >= 1 and v,
            60,
            "proxy-test's metrics to show this client and its query",
        )
    assert 1 <= values["databaseconnections"] <= 30


def _proxy_metrics(setup: Setup, now: dt.datetime, proxy: str = "proxy-test") -> dict[str, float]:
    result = setup.cloud.client("cloudwatch").get_metric_data(
        MetricDataQueries=[
            {
                "Id": name.lower(),
                "MetricStat": {
                    "Metric": {
                        "Namespace": "AWS/RDS",
                        "MetricName": name,
                        "Dimensions": [{"Name": "ProxyName", "Value": proxy}],
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
    names = [p["DBProxyName"] for p in rds.describe_db_proxies()["DBProxies"]]
    assert "proxy-test" in names and "proxy-nosecret" not in names, names
