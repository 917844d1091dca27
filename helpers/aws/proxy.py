"""RDS Proxy for MySQL: the role it reads the database secret with, the proxy, its pool and its target.

Example::

    role = ensure_proxy_role(ws, ws.name("proxy-role"), secret_arn)
    proxy = ensure_db_proxy(ws, ws.name("proxy"), secret_arn, role, subnets, groups, ws.name("db"))
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..session import Workshop
from ..text import say
from .iam import ensure_role, put_inline_policy, wait_for_iam
from .secrets import secret_read_policy
from .waiting import wait_until

RDS_TRUST = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "rds.amazonaws.com"}, "Action": "sts:AssumeRole"}],
}


def ensure_proxy_role(ws: Workshop, name: str, secret_arn: str) -> str:
    """The role RDS Proxy assumes to read the database secret; returns its ARN once IAM has it everywhere."""
    arn, created = ensure_role(ws, name, RDS_TRUST, "RDS Proxy reads the workshop database secret")
    changed = put_inline_policy(ws, name, "read-db-secret", secret_read_policy(secret_arn), wait=False)
    if created or changed:
        wait_for_iam(ws, say("aws.iam.role", name=name))
    return arn


def describe_proxy(ws: Workshop, name: str) -> dict[str, Any] | None:
    """The proxy's description, or None when there is no such proxy."""
    rds = ws.client("rds")
    try:
        found: dict[str, Any] = rds.describe_db_proxies(DBProxyName=name)["DBProxies"][0]
    except rds.exceptions.DBProxyNotFoundFault:
        return None
    return found


def ensure_db_proxy(
    ws: Workshop,
    name: str,
    secret_arn: str,
    role_arn: str,
    subnet_ids: Sequence[str],
    security_group_ids: Sequence[str],
    db_instance_id: str,
    *,
    max_connections_percent: int = 100,
    borrow_timeout_s: int = 30,
    progress: bool = True,
) -> dict[str, Any]:
    """An RDS Proxy for MySQL in front of ``db_instance_id``, available and with a healthy target.

    ``max_connections_percent`` bounds the pool: at most that share of the instance's max_connections.
    Returns the proxy description (``Endpoint`` is the host name functions connect to, port 3306).
    """
    rds = ws.client("rds")
    if describe_proxy(ws, name) is None:
        rds.create_db_proxy(
            DBProxyName=name,
            EngineFamily="MYSQL",
            Auth=[{"AuthScheme": "SECRETS", "SecretArn": secret_arn, "IAMAuth": "DISABLED"}],
            RoleArn=role_arn,
            VpcSubnetIds=list(subnet_ids),
            VpcSecurityGroupIds=list(security_group_ids),
            RequireTLS=False,
            IdleClientTimeout=1800,
            Tags=ws.tag_list(),
        )

    def available() -> dict[str, Any] | None:
        proxy = describe_proxy(ws, name)
        return proxy if proxy is not None and proxy["Status"] == "available" else None

    proxy = wait_until(
        available,
        say("aws.proxy.available"),
        timeout_s=1800,
        estimate_s=ws.default(local=5, aws=300),
        interval_s=ws.default(local=1, aws=10),
        progress=progress,
    )
    rds.modify_db_proxy_target_group(
        DBProxyName=name,
        TargetGroupName="default",
        ConnectionPoolConfig={
            "MaxConnectionsPercent": max_connections_percent,
            "MaxIdleConnectionsPercent": max(0, max_connections_percent // 2),
            "ConnectionBorrowTimeout": borrow_timeout_s,
        },
    )
    targets = rds.describe_db_proxy_targets(DBProxyName=name)["Targets"]
    if not any(t.get("RdsResourceId") == db_instance_id for t in targets):
        rds.register_db_proxy_targets(
            DBProxyName=name, TargetGroupName="default", DBInstanceIdentifiers=[db_instance_id]
        )
    wait_until(
        lambda: True if target_available(ws, name, db_instance_id) else None,
        say("aws.proxy.target_healthy"),
        timeout_s=1800,
        estimate_s=ws.default(local=5, aws=180),
        interval_s=ws.default(local=1, aws=10),
        progress=progress,
    )
    return proxy


def target_available(ws: Workshop, name: str, db_instance_id: str) -> bool:
    """Whether the proxy's target for ``db_instance_id`` is registered and healthy."""
    for target in ws.client("rds").describe_db_proxy_targets(DBProxyName=name)["Targets"]:
        if target.get("RdsResourceId") == db_instance_id and target.get("Type") == "RDS_INSTANCE":
            # Older API answers carry no TargetHealth until the first check: treat that as not yet.
            state = (target.get("TargetHealth") or {}).get("State")
            return state in ("AVAILABLE", None) and bool(target.get("Endpoint") or state)
    return False


def delete_db_proxy(ws: Workshop, name: str, *, progress: bool = True) -> bool:
    """Delete the proxy and wait until it is gone; False when there was none."""
    if describe_proxy(ws, name) is None:
        return False
    ws.client("rds").delete_db_proxy(DBProxyName=name)
    wait_until(
        lambda: True if describe_proxy(ws, name) is None else None,
        say("aws.proxy.deleting"),
        timeout_s=900,
        estimate_s=ws.default(local=5, aws=120),
        interval_s=1,
        progress=progress,
    )
    return True
