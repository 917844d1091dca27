"""RDS for MySQL: a DB subnet group and a small instance, its master password generated into Secrets Manager.

The password is never typed or shown: Secrets Manager makes it and keeps it.
"""

from __future__ import annotations

from typing import Any

from ..session import Workshop
from .secrets import generate_password, put_secret, rds_secret, read_secret, secret_arn
from .waiting import wait_for

ENGINE_VERSION = "8.0.40"


def ensure_subnet_group(ws: Workshop, name: str, subnet_ids: list[str]) -> str:
    """DB subnet group ``name`` over ``subnet_ids`` (created once); returns its name."""
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
    ws: Workshop,
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
    rds = ws.client("rds")
    secret_name = secret_name or f"{identifier}-master"
    try:
        instance = rds.describe_db_instances(DBInstanceIdentifier=identifier)["DBInstances"][0]
    except rds.exceptions.DBInstanceNotFoundFault:
        instance = None
    if instance is None:
        password = generate_password(ws)
        put_secret(ws, secret_name, rds_secret(master_user, password, "", 3306, db_name, instance_id=identifier))
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
    secret = read_secret(ws, secret_name)
    endpoint = instance["Endpoint"]
    if (secret.get("host"), secret.get("port")) != (endpoint["Address"], endpoint["Port"]):
        secret.update(host=endpoint["Address"], port=endpoint["Port"])
        put_secret(ws, secret_name, secret)
    instance["SecretArn"] = secret_arn(ws, secret_name)
    return instance


def wait_available(ws: Workshop, identifier: str, *, progress: bool = True) -> dict[str, Any]:
    """Wait for ``available`` (boto3's ``db_instance_available`` waiter) with a progress bar (AWS: about
    5-10 minutes; local: seconds); returns the instance description."""
    estimate = ws.default(local=10, aws=600)
    answer = wait_for(
        ws.client("rds"),
        "db_instance_available",
        f"waiting for {identifier}",
        timeout_s=estimate * 3,
        estimate_s=estimate,
        interval_s=ws.default(local=1, aws=15),
        progress=progress,
        DBInstanceIdentifier=identifier,
    )
    instance: dict[str, Any] = answer["DBInstances"][0]
    return instance


def describe_instance(ws: Workshop, identifier: str) -> dict[str, Any]:
    """The DB instance's description (endpoint, class, status)."""
    found: dict[str, Any] = ws.client("rds").describe_db_instances(DBInstanceIdentifier=identifier)["DBInstances"][0]
    return found
