"""Database credentials in Secrets Manager: generated passwords, RDS-format secrets, read-one-secret policies.

Example::

    arn = put_secret(ws, ws.name("db-app"), rds_secret("app", generate_password(ws), host, 3306, "workshop"))
    read_secret(ws, arn)["username"]        # 'app'
"""

from __future__ import annotations

import json
from typing import Any

from ..session import Workshop


def rds_secret(
    username: str, password: str, host: str, port: int, dbname: str, *, engine: str = "mysql", instance_id: str = ""
) -> dict[str, Any]:
    """A secret value in the format RDS and RDS Proxy use for database credentials.

    >>> sorted(rds_secret("app", "pw", "db.local", 3306, "workshop"))
    ['dbname', 'engine', 'host', 'password', 'port', 'username']
    """
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


def generate_password(ws: Workshop, length: int = 24) -> str:
    """A random password from Secrets Manager, without characters that MySQL clients mishandle."""
    answer = ws.client("secretsmanager").get_random_password(
        PasswordLength=length, ExcludePunctuation=True, IncludeSpace=False, RequireEachIncludedType=True
    )
    return str(answer["RandomPassword"])


def put_secret(ws: Workshop, name: str, value: dict[str, Any]) -> str:
    """Create the secret (tagged), or store ``value`` as its new version when it changed; returns the ARN."""
    secretsmanager = ws.client("secretsmanager")
    text = json.dumps(value, sort_keys=True)
    try:
        current = secretsmanager.get_secret_value(SecretId=name)
    except secretsmanager.exceptions.ResourceNotFoundException:
        return str(secretsmanager.create_secret(Name=name, SecretString=text, Tags=ws.tag_list())["ARN"])
    if json.loads(current["SecretString"]) != value:
        secretsmanager.put_secret_value(SecretId=name, SecretString=text)
    return str(current["ARN"])


def read_secret(ws: Workshop, name_or_arn: str) -> dict[str, Any]:
    """The secret's JSON value."""
    value: dict[str, Any] = json.loads(
        ws.client("secretsmanager").get_secret_value(SecretId=name_or_arn)["SecretString"]
    )
    return value


def secret_exists(ws: Workshop, name_or_arn: str) -> bool:
    """Whether the secret exists (without reading its value)."""
    secretsmanager = ws.client("secretsmanager")
    try:
        secretsmanager.describe_secret(SecretId=name_or_arn)
    except secretsmanager.exceptions.ResourceNotFoundException:
        return False
    return True


def secret_arn(ws: Workshop, name: str) -> str:
    """The ARN of secret ``name``."""
    return str(ws.client("secretsmanager").describe_secret(SecretId=name)["ARN"])


def secret_read_policy(secret_arn: str | list[str]) -> dict[str, Any]:
    """Allow reading exactly these secrets (usually one): what the function and the proxy need, nothing more.

    >>> secret_read_policy("arn:aws:secretsmanager:us-east-1:123456789012:secret:sas-db-app")["Statement"][0]["Action"]
    'secretsmanager:GetSecretValue'
    """
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
