"""RDS for MySQL: a DB subnet group and a small instance, its master password generated into Secrets Manager.

The password is never typed or shown: Secrets Manager makes it and keeps it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from ..session import Workshop
from ..text import say
from .secrets import generate_password, put_secret, rds_secret, read_secret, secret_arn
from .waiting import wait_for

ENGINE = "mysql"
INSTANCE_CLASS = "db.t3.micro"
STANDARD_SUPPORT = "open-source-rds-standard-support"
# CreateDBInstance enrols a new instance in RDS Extended Support (charged per vCPU-hour) unless told not
# to; with this setting RDS refuses a major past its end of standard support instead of billing for it.
NO_EXTENDED_SUPPORT = "open-source-rds-extended-support-disabled"


def newest_standard_major(majors: Sequence[dict[str, Any]], now: dt.datetime) -> str | None:
    """The newest major version still in RDS standard support at ``now``, from DescribeDBMajorEngineVersions.

    >>> day = lambda text: dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC)
    >>> majors = [{"MajorEngineVersion": "8.0", "SupportedEngineLifecycles": [{"LifecycleSupportName":
    ...     STANDARD_SUPPORT, "LifecycleSupportStartDate": day("2018-10-23"), "LifecycleSupportEndDate":
    ...     day("2026-07-31")}]}, {"MajorEngineVersion": "8.4", "SupportedEngineLifecycles": [{
    ...     "LifecycleSupportName": STANDARD_SUPPORT, "LifecycleSupportStartDate": day("2024-10-21"),
    ...     "LifecycleSupportEndDate": day("2029-07-31")}]}]
    >>> newest_standard_major(majors, day("2026-12-06"))
    '8.4'
    >>> newest_standard_major(majors[:1], day("2026-12-06")) is None   # 8.0 only: Extended Support, never silently
    True
    """

    def in_standard_support(major: dict[str, Any]) -> bool:
        return any(
            c["LifecycleSupportName"] == STANDARD_SUPPORT
            and c["LifecycleSupportStartDate"] <= now < c["LifecycleSupportEndDate"]
            for c in major.get("SupportedEngineLifecycles", [])
        )

    supported = [m["MajorEngineVersion"] for m in majors if in_standard_support(m)]
    return max(supported, key=lambda v: tuple(int(p) for p in v.split(".")), default=None)


def choose_engine_version(ws: Workshop, engine: str = ENGINE) -> str:
    """The default minor of the newest major in RDS standard support, as RDS describes them today.

    Never a version in Extended Support: if no major is in standard support, this says so and stops.
    """
    rds = ws.client("rds")
    majors = rds.describe_db_major_engine_versions(Engine=engine)["DBMajorEngineVersions"]
    major = newest_standard_major(majors, dt.datetime.now(dt.UTC))
    if major is None:
        raise RuntimeError(say("aws.database.no_standard_support", engine=engine))
    default = rds.describe_db_engine_versions(Engine=engine, EngineVersion=major, DefaultOnly=True)
    return str(default["DBEngineVersions"][0]["EngineVersion"])


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
    instance_class: str = INSTANCE_CLASS,
    master_user: str = "admin",
    secret_name: str | None = None,
    progress: bool = True,
) -> dict[str, Any]:
    """Create the instance once (password generated into the secret ``secret_name``), wait until it is
    available, keep the secret's host and port current, and return the instance description.

    The engine version is RDS's current default of the newest MySQL major in standard support, and the
    instance is never enrolled in (charged) Extended Support.
    """
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
            Engine=ENGINE,
            EngineVersion=choose_engine_version(ws),
            EngineLifecycleSupport=NO_EXTENDED_SUPPORT,
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
        say("aws.database.waiting_for", identifier=identifier),
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
