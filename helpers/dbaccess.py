"""Module 3's building blocks: database secrets, the RDS Proxy and least-privilege policies.

Each function takes the boto3 client it needs, is idempotent (a second call reuses or updates,
never duplicates) and waits where AWS makes you wait, with a progress bar.

Example::

    arn = put_secret(sm, "sas-db-app", rds_secret("app", pw, host, 3306, "workshop"), tags)
    role = ensure_proxy_role(iam, "sas-proxy-role", arn, tags)
    proxy = ensure_db_proxy(rds, "sas-proxy", arn, role, subnets, groups, "sas-db", tags)
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from typing import Any

RDS_TRUST = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "rds.amazonaws.com"}, "Action": "sts:AssumeRole"}],
}


def _tag_list(tags: dict[str, str]) -> list[dict[str, str]]:
    return [{"Key": k, "Value": v} for k, v in tags.items()]


def rds_secret(
    username: str, password: str, host: str, port: int, dbname: str, *, engine: str = "mysql", instance_id: str = ""
) -> dict[str, Any]:
    """A secret value in the format RDS and RDS Proxy use for database credentials."""
    value: dict[str, Any] = {
        "engine": engine,
        "host": host,
        "port": int(port),
        "username": username,
        "password": password,
        "dbname": dbname,
    }
    if instance_id:
        value["dbInstanceIdentifier"] = instance_id
    return value


def generate_password(secretsmanager: Any, length: int = 24) -> str:
    """A random password from Secrets Manager, without characters that MySQL clients mishandle."""
    return secretsmanager.get_random_password(
        PasswordLength=length, ExcludePunctuation=True, IncludeSpace=False, RequireEachIncludedType=True
    )["RandomPassword"]


def put_secret(secretsmanager: Any, name: str, value: dict[str, Any], tags: dict[str, str]) -> str:
    """Create the secret, or store ``value`` as its new version when it changed; returns the ARN."""
    text = json.dumps(value, sort_keys=True)
    try:
        current = secretsmanager.get_secret_value(SecretId=name)
    except secretsmanager.exceptions.ResourceNotFoundException:
        return secretsmanager.create_secret(Name=name, SecretString=text, Tags=_tag_list(tags))["ARN"]
    if json.loads(current["SecretString"]) != value:
        secretsmanager.put_secret_value(SecretId=name, SecretString=text)
    return current["ARN"]


def read_secret(secretsmanager: Any, name_or_arn: str) -> dict[str, Any]:
    """The secret's JSON value."""
    return json.loads(secretsmanager.get_secret_value(SecretId=name_or_arn)["SecretString"])


def secret_read_policy(secret_arn: str | list[str]) -> dict[str, Any]:
    """Allow reading exactly these secrets (usually one): what the function and the proxy need, nothing more."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "ReadTheDatabaseSecret",
                "Effect": "Allow",
                "Action": "secretsmanager:GetSecretValue",
                "Resource": secret_arn,
            }
        ],
    }


def ensure_proxy_role(iam: Any, name: str, secret_arn: str, tags: dict[str, str]) -> str:
    """The role RDS Proxy assumes to read the database secret; returns its ARN."""
    try:
        arn = iam.get_role(RoleName=name)["Role"]["Arn"]
    except iam.exceptions.NoSuchEntityException:
        arn = iam.create_role(
            RoleName=name,
            AssumeRolePolicyDocument=json.dumps(RDS_TRUST),
            Description="RDS Proxy reads the workshop database secret",
            Tags=_tag_list(tags),
        )["Role"]["Arn"]
    iam.put_role_policy(
        RoleName=name, PolicyName="read-db-secret", PolicyDocument=json.dumps(secret_read_policy(secret_arn))
    )
    return arn


def _proxy(rds: Any, name: str) -> dict[str, Any] | None:
    try:
        return rds.describe_db_proxies(DBProxyName=name)["DBProxies"][0]
    except rds.exceptions.DBProxyNotFoundFault:
        return None


def _wait(check: Any, what: str, timeout_s: float, estimate_s: float, progress: bool) -> Any:
    """Poll ``check()`` until it returns a truthy value; a progress bar shows the usual wait."""
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=round(estimate_s), desc=what, unit="s", leave=False)
    started = time.monotonic()
    try:
        while True:
            result = check()
            if result:
                return result
            elapsed = time.monotonic() - started
            if elapsed > timeout_s:
                raise TimeoutError(f"{what}: not ready after {timeout_s:.0f} s")
            if bar is not None:
                bar.n = min(round(elapsed), bar.total)
                bar.refresh()
            time.sleep(1 if estimate_s < 60 else 10)
    finally:
        if bar is not None:
            bar.close()


def ensure_db_proxy(
    rds: Any,
    name: str,
    secret_arn: str,
    role_arn: str,
    subnet_ids: Sequence[str],
    security_group_ids: Sequence[str],
    db_instance_id: str,
    tags: dict[str, str],
    *,
    max_connections_percent: int = 100,
    borrow_timeout_s: int = 30,
    progress: bool = True,
) -> dict[str, Any]:
    """An RDS Proxy for MySQL in front of ``db_instance_id``, available and with a healthy target.

    ``max_connections_percent`` bounds the pool: at most that share of the instance's max_connections.
    Returns the proxy description (``Endpoint`` is the host name functions connect to, port 3306).
    """
    if _proxy(rds, name) is None:
        rds.create_db_proxy(
            DBProxyName=name,
            EngineFamily="MYSQL",
            Auth=[{"AuthScheme": "SECRETS", "SecretArn": secret_arn, "IAMAuth": "DISABLED"}],
            RoleArn=role_arn,
            VpcSubnetIds=list(subnet_ids),
            VpcSecurityGroupIds=list(security_group_ids),
            RequireTLS=False,
            IdleClientTimeout=1800,
            Tags=_tag_list(tags),
        )
    proxy = _wait(
        lambda: (p := _proxy(rds, name)) and p["Status"] == "available" and p,
        "RDS Proxy becoming available",
        timeout_s=1800,
        estimate_s=300 if "amazonaws.com" in (rds.meta.endpoint_url or "") else 5,
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
    _wait(
        lambda: _target_available(rds, name, db_instance_id),
        "RDS Proxy target becoming healthy",
        timeout_s=1800,
        estimate_s=180 if "amazonaws.com" in (rds.meta.endpoint_url or "") else 5,
        progress=progress,
    )
    return proxy


def _target_available(rds: Any, name: str, db_instance_id: str) -> bool:
    for target in rds.describe_db_proxy_targets(DBProxyName=name)["Targets"]:
        if target.get("RdsResourceId") == db_instance_id and target.get("Type") == "RDS_INSTANCE":
            # Older API answers carry no TargetHealth until the first check: treat that as not yet.
            state = (target.get("TargetHealth") or {}).get("State")
            return state in ("AVAILABLE", None) and bool(target.get("Endpoint") or state)
    return False


def delete_db_proxy(rds: Any, name: str, *, progress: bool = True) -> bool:
    """Delete the proxy and wait until it is gone; False when there was none."""
    if _proxy(rds, name) is None:
        return False
    rds.delete_db_proxy(DBProxyName=name)
    _wait(lambda: _proxy(rds, name) is None, "deleting RDS Proxy", timeout_s=900, estimate_s=5, progress=progress)
    return True


def ensure_secrets_endpoint(
    ec2: Any,
    vpc_id: str,
    subnet_ids: Sequence[str],
    security_group_ids: Sequence[str],
    region: str,
    tags: dict[str, str],
) -> str:
    """An interface VPC endpoint so functions in private subnets reach Secrets Manager; returns its id.

    Without it (or a NAT gateway) a function in the VPC cannot call Secrets Manager at all.
    """
    service = f"com.amazonaws.{region}.secretsmanager"
    existing = ec2.describe_vpc_endpoints(
        Filters=[{"Name": "vpc-id", "Values": [vpc_id]}, {"Name": "service-name", "Values": [service]}]
    )["VpcEndpoints"]
    alive = [e for e in existing if e.get("State", "").lower() not in ("deleted", "deleting", "failed")]
    if alive:
        return alive[0]["VpcEndpointId"]
    return ec2.create_vpc_endpoint(
        VpcEndpointType="Interface",
        VpcId=vpc_id,
        ServiceName=service,
        SubnetIds=list(subnet_ids),
        SecurityGroupIds=list(security_group_ids),
        PrivateDnsEnabled=True,
        TagSpecifications=[{"ResourceType": "vpc-endpoint", "Tags": _tag_list(tags)}],
    )["VpcEndpoint"]["VpcEndpointId"]


def delete_secrets_endpoint(ec2: Any, vpc_id: str, region: str) -> list[str]:
    """Delete the Secrets Manager endpoint(s) of ``vpc_id``; returns the ids removed."""
    service = f"com.amazonaws.{region}.secretsmanager"
    endpoints = ec2.describe_vpc_endpoints(
        Filters=[{"Name": "vpc-id", "Values": [vpc_id]}, {"Name": "service-name", "Values": [service]}]
    )["VpcEndpoints"]
    ids = [e["VpcEndpointId"] for e in endpoints if e.get("State", "").lower() not in ("deleted", "deleting")]
    if ids:
        ec2.delete_vpc_endpoints(VpcEndpointIds=ids)
    return ids
