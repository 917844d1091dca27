"""RDS for MySQL: a DB subnet group and a small instance whose generated master password lives in
Secrets Manager, never in the notebook."""

from __future__ import annotations

import time
from typing import Any

from .dbaccess import generate_password, put_secret, rds_secret, read_secret

ENGINE_VERSION = "8.0.40"


def mask(secret: str) -> str:
    """A password as it may be shown: its length only.

    >>> mask("hunter22")
    '•••••••• (8 characters)'
    """
    return f"{'•' * min(len(secret), 12)} ({len(secret)} characters)"


def ensure_subnet_group(ws: Any, name: str, subnet_ids: list[str]) -> str:
    rds = ws.client("rds")
    try:
        rds.describe_db_subnet_groups(DBSubnetGroupName=name)
    except rds.exceptions.DBSubnetGroupNotFoundFault:
        rds.create_db_subnet_group(
            DBSubnetGroupName=name,
            DBSubnetGroupDescription="Serverless at Scale workshop private subnets",
            SubnetIds=subnet_ids,
            Tags=ws.tag_list(),
        )
    return name


def ensure_database(
    ws: Any,
    identifier: str,
    *,
    subnet_group: str,
    security_group_ids: list[str],
    db_name: str = "workshop",
    instance_class: str = "db.t3.micro",
    master_user: str = "admin",
    secret_name: str | None = None,
    progress: bool = True,
) -> dict[str, Any]:
    """Create the instance once (password generated into the secret ``secret_name``), wait until it is
    available, keep the secret's host and port current, and return the instance description."""
    rds, sm = ws.client("rds"), ws.client("secretsmanager")
    secret_name = secret_name or f"{identifier}-master"
    try:
        instance = rds.describe_db_instances(DBInstanceIdentifier=identifier)["DBInstances"][0]
    except rds.exceptions.DBInstanceNotFoundFault:
        instance = None
    if instance is None:
        password = generate_password(sm)
        put_secret(
            sm, secret_name, rds_secret(master_user, password, "", 3306, db_name, instance_id=identifier), ws.tags
        )
        rds.create_db_instance(
            DBInstanceIdentifier=identifier,
            DBInstanceClass=instance_class,
            Engine="mysql",
            EngineVersion=ENGINE_VERSION,
            MasterUsername=master_user,
            MasterUserPassword=password,
            DBName=db_name,
            AllocatedStorage=20,
            DBSubnetGroupName=subnet_group,
            VpcSecurityGroupIds=security_group_ids,
            PubliclyAccessible=False,
            BackupRetentionPeriod=0,
            Tags=ws.tag_list(),
        )
    instance = wait_available(ws, identifier, progress=progress)
    secret = read_secret(sm, secret_name)
    endpoint = instance["Endpoint"]
    if (secret.get("host"), secret.get("port")) != (endpoint["Address"], endpoint["Port"]):
        secret.update(host=endpoint["Address"], port=endpoint["Port"])
        put_secret(sm, secret_name, secret, ws.tags)
    instance["SecretArn"] = sm.describe_secret(SecretId=secret_name)["ARN"]
    return instance


def wait_available(ws: Any, identifier: str, *, progress: bool = True) -> dict[str, Any]:
    """Wait for ``available`` with a progress bar (AWS: about 5-10 minutes; local: seconds)."""
    rds = ws.client("rds")
    estimate = ws.default(local=10, aws=600)
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=estimate, desc=f"waiting for {identifier}", unit="s")
    started = time.monotonic()
    try:
        while True:
            instance = rds.describe_db_instances(DBInstanceIdentifier=identifier)["DBInstances"][0]
            if instance["DBInstanceStatus"] == "available":
                return instance
            if instance["DBInstanceStatus"] in ("failed", "incompatible-parameters", "storage-full"):
                raise RuntimeError(f"{identifier} is {instance['DBInstanceStatus']}")
            if time.monotonic() - started > estimate * 3:
                raise TimeoutError(f"{identifier} still {instance['DBInstanceStatus']}")
            time.sleep(1 if ws.local else 15)
            if bar is not None:
                bar.n = min(int(time.monotonic() - started), estimate)
                bar.refresh()
    finally:
        if bar is not None:
            bar.n = bar.total
            bar.close()
