"""RDS DB instances are real MariaDB servers reached at the endpoint describe_db_instances returns."""

from __future__ import annotations

import subprocess
import time

import botocore.exceptions
import psutil
import pymysql
import pytest

import pocketcloud

from .conftest import create_db_instance

PASSWORD = "Initial-Pass-123"


def _wait(cloud: pocketcloud.Cloud, ident: str, status: str = "available", timeout: float = 90) -> dict:
    rds = cloud.client("rds")
    deadline = time.monotonic() + timeout
    while True:
        instance = rds.describe_db_instances(DBInstanceIdentifier=ident)["DBInstances"][0]
        if instance["DBInstanceStatus"] == status:
            return instance
        assert time.monotonic() < deadline, f"{ident} stuck in {instance['DBInstanceStatus']}"
        time.sleep(0.3)


def _create(cloud: pocketcloud.Cloud, ident: str, password: str = PASSWORD) -> None:
    create_db_instance(cloud, ident, password)


def _connect(instance: dict, password: str = PASSWORD, **kwargs: object) -> pymysql.Connection:
    endpoint = instance["Endpoint"]
    return pymysql.connect(
        host=endpoint["Address"], port=endpoint["Port"], user="admin", password=password, connect_timeout=5, **kwargs
    )


@pytest.fixture(scope="module")
def instance(cloud: pocketcloud.Cloud) -> dict:
    cloud.client("rds").create_db_instance(
        DBInstanceIdentifier="rds-test-db",
        Engine="mysql",
        EngineVersion="8.4.7",
        DBInstanceClass="db.t3.micro",
        MasterUsername="admin",
        MasterUserPassword=PASSWORD,
        AllocatedStorage=20,
        DBName="shop",
    )
    return _wait(cloud, "rds-test-db")


def test_endpoint_reaches_a_real_server(instance: dict) -> None:
    assert instance["DBInstanceStatus"] == "available"
    assert instance["Endpoint"]["Address"] == "127.0.0.1"
    with _connect(instance, database="shop") as conn, conn.cursor() as cursor:
        cursor.execute("SELECT NOW(), DATABASE(), @@max_connections")
        now, database, max_connections = cursor.fetchone()
    assert now is not None and database == "shop"
    assert max_connections == 30, "db.t3.micro's 66 connections, capped by the 2-core default of 30"


def test_data_persists_across_connections_and_reboot(cloud: pocketcloud.Cloud, instance: dict) -> None:
    with _connect(instance, database="shop", autocommit=True) as conn, conn.cursor() as cursor:
        cursor.execute("CREATE TABLE IF NOT EXISTS items (id INT PRIMARY KEY, name VARCHAR(40))")
        cursor.execute("REPLACE INTO items VALUES (1, 'lamp')")
    cloud.client("rds").reboot_db_instance(DBInstanceIdentifier="rds-test-db")
    rebooted = _wait(cloud, "rds-test-db")
    with _connect(rebooted, database="shop") as conn, conn.cursor() as cursor:
        cursor.execute("SELECT name FROM items WHERE id = %s", (1,))
        assert cursor.fetchone() == ("lamp",)


def test_wrong_password_is_refused(instance: dict) -> None:
    with pytest.raises(pymysql.err.OperationalError) as error:
        _connect(instance, password="not-the-password")
    assert error.value.args[0] == 1045


def test_master_password_change_reaches_the_server(cloud: pocketcloud.Cloud, instance: dict) -> None:
    rds = cloud.client("rds")
    rds.modify_db_instance(
        DBInstanceIdentifier="rds-test-db", MasterUserPassword="Changed-Pass-456", ApplyImmediately=True
    )
    try:
        with pytest.raises(pymysql.err.OperationalError):
            _connect(instance)
        _connect(instance, password="Changed-Pass-456").close()
    finally:
        rds.modify_db_instance(DBInstanceIdentifier="rds-test-db", MasterUserPassword=PASSWORD, ApplyImmediately=True)


def test_mariadb_cli_connects(instance: dict) -> None:
    endpoint = instance["Endpoint"]
    result = subprocess.run(
        [
            "mariadb",
            "-h",
            endpoint["Address"],
            "-P",
            str(endpoint["Port"]),
            "-u",
            "admin",
            f"-p{PASSWORD}",
            "-N",
            "-e",
            "SELECT 40 + 2",
        ],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "42"


def test_too_many_connections_is_error_1040(instance: dict) -> None:
    held = []
    try:
        with pytest.raises(pymysql.err.OperationalError) as error:
            for _ in range(40):
                held.append(_connect(instance))
        assert error.value.args[0] == 1040
        assert len(held) >= 25
    finally:
        for conn in held:
            conn.close()


def test_duplicate_identifier_is_aws_shaped(cloud: pocketcloud.Cloud, instance: dict) -> None:
    with pytest.raises(botocore.exceptions.ClientError) as error:
        _create(cloud, "rds-test-db")
    assert error.value.response["Error"]["Code"] == "DBInstanceAlreadyExists"
    with _connect(instance) as conn:
        assert conn.open, "the existing instance is untouched"


def test_stop_start_and_delete_act_on_the_process(cloud: pocketcloud.Cloud) -> None:
    rds = cloud.client("rds")
    rds.create_db_instance(
        DBInstanceIdentifier="rds-lifecycle",
        Engine="mariadb",
        EngineVersion="10.11.9",
        DBInstanceClass="db.t3.micro",
        MasterUsername="admin",
        MasterUserPassword=PASSWORD,
        AllocatedStorage=20,
    )
    instance = _wait(cloud, "rds-lifecycle")
    # The endpoint is pocketcloud's relay; the DB server listens behind it, on the port the status names.
    port = cloud.status()["services"]["rds"]["instances"]["rds-lifecycle"]["server_port"]

    def server_pids() -> list[int]:
        return [c.pid for c in psutil.net_connections("tcp") if c.laddr.port == port and c.status == "LISTEN" and c.pid]

    assert server_pids()
    rds.stop_db_instance(DBInstanceIdentifier="rds-lifecycle")
    _wait(cloud, "rds-lifecycle", "stopped")
    with pytest.raises(pymysql.err.OperationalError):
        _connect(instance)
    rds.start_db_instance(DBInstanceIdentifier="rds-lifecycle")
    _connect(_wait(cloud, "rds-lifecycle")).close()
    pid = server_pids()[0]
    rds.delete_db_instance(DBInstanceIdentifier="rds-lifecycle", SkipFinalSnapshot=True)
    _, alive = psutil.wait_procs([psutil.Process(pid)], timeout=20)
    assert alive == []  # the server stops at once; the instance is `deleting` a while (test_rds_lifecycle)
    rds.get_waiter("db_instance_deleted").wait(DBInstanceIdentifier="rds-lifecycle", WaiterConfig={"Delay": 1})
    with pytest.raises(botocore.exceptions.ClientError):
        rds.describe_db_instances(DBInstanceIdentifier="rds-lifecycle")


def test_no_server_binary_is_a_clear_error(make_cloud) -> None:
    cloud = make_cloud(db_server="/nonexistent/mariadbd")
    with pytest.raises(botocore.exceptions.ClientError) as error:
        _create(cloud, "rds-nobinary")
    assert error.value.response["Error"]["Code"] == "InvalidParameterValue"
    assert "apt-get install mariadb-server" in error.value.response["Error"]["Message"]
    assert cloud.client("rds").describe_db_instances()["DBInstances"] == []
    assert "none found" in cloud.status()["services"]["rds"]["server_binary"]


def test_a_state_dir_as_deep_as_a_learners_project_runs_db_servers(make_cloud, tmp_path) -> None:
    deep = tmp_path / ("a-learners-projects-folder/" * 4) / "serverless-at-scale"
    cloud = make_cloud(state_dir=deep)
    assert len(str(deep / "rds" / "a-db-instance-name" / "mysqld.sock")) > 107, "past a unix socket's limit"
    _create(cloud, "a-db-instance-name")
    instance = _wait(cloud, "a-db-instance-name")
    with _connect(instance) as conn, conn.cursor() as cursor:
        cursor.execute("SELECT 1")
        assert cursor.fetchone() == (1,)


def test_a_db_instance_created_again_in_a_reused_state_dir_starts_empty(tmp_path) -> None:
    """``make lab`` reuses the repository's state dir run after run; a new instance of an old name is new,
    as on AWS: the new master password works, the old one does not, and the old run's tables are gone."""
    state_dir = tmp_path / "state"

    def create(cloud: pocketcloud.Cloud, password: str) -> dict:
        _create(cloud, "reused-name", password)
        return _wait(cloud, "reused-name")

    with pocketcloud.running(state_dir=state_dir) as first:
        conn = _connect(create(first, PASSWORD), autocommit=True)
        with conn, conn.cursor() as cursor:
            cursor.execute("CREATE DATABASE earlier_run")
    for _ in range(2):  # twice: the second time there are two earlier runs' folders
        with pocketcloud.running(state_dir=state_dir) as again:
            instance = create(again, "Another-Pass-456")
            with pytest.raises(pymysql.err.OperationalError) as refused:
                _connect(instance).close()
            assert refused.value.args[0] == 1045, refused.value  # access denied: the old password is not kept
            with _connect(instance, password="Another-Pass-456") as conn, conn.cursor() as cursor:
                cursor.execute("SHOW DATABASES LIKE 'earlier_run'")
                assert cursor.fetchall() == ()
    assert len(list((state_dir / "rds").iterdir())) == 1, "earlier runs' data folders are removed"
