"""IAM roles for the workshop's functions, least privilege by construction."""

from __future__ import annotations

import json
from typing import Any

from ..session import Workshop
from .waiting import pause

LAMBDA_TRUST = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}],
}
BASIC_EXECUTION = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
VPC_EXECUTION = "arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole"
XRAY_WRITE = "arn:aws:iam::aws:policy/AWSXRayDaemonWriteAccess"


def policy(*statements: dict[str, Any]) -> dict[str, Any]:
    """A policy document holding ``statements``."""
    return {"Version": "2012-10-17", "Statement": list(statements)}


def allow(actions: list[str] | str, resources: list[str] | str) -> dict[str, Any]:
    """One Allow statement; ``actions`` must be named, never ``*``.

    >>> allow("sns:Publish", "arn:aws:sns:us-east-1:123456789012:sas-uploads")["Action"]
    ['sns:Publish']
    """
    actions = [actions] if isinstance(actions, str) else actions
    if any(a == "*" or a.endswith(":*") for a in actions):
        raise ValueError("name each action: wildcard actions are not least privilege")
    return {"Effect": "Allow", "Action": actions, "Resource": resources}


def ensure_lambda_role(
    ws: Workshop, name: str, *, managed: list[str] | None = None, inline: dict[str, dict[str, Any]] | None = None
) -> str:
    """Create or update role ``name`` that Lambda can assume; returns its ARN.

    ``managed`` lists AWS managed policy ARNs (the basic execution role is always attached);
    ``inline`` maps policy names to documents, replaced on every call.
    """
    iam = ws.client("iam")
    created = False
    try:
        arn = str(iam.get_role(RoleName=name)["Role"]["Arn"])
    except iam.exceptions.NoSuchEntityException:
        arn = str(
            iam.create_role(
                RoleName=name,
                AssumeRolePolicyDocument=json.dumps(LAMBDA_TRUST),
                Description="Serverless at Scale workshop function role",
                Tags=ws.tag_list(),
            )["Role"]["Arn"]
        )
        created = True
    wanted = {BASIC_EXECUTION, *(managed or [])}
    attached = {p["PolicyArn"] for p in iam.list_attached_role_policies(RoleName=name)["AttachedPolicies"]}
    for policy_arn in wanted - attached:
        iam.attach_role_policy(RoleName=name, PolicyArn=policy_arn)
    for policy_name, document in (inline or {}).items():
        put_inline_policy(ws, name, policy_name, document)
    if created and not ws.local:
        # IAM answers before a new role is usable everywhere; Lambda refuses a role it cannot assume yet.
        pause(10, f"letting IAM propagate role {name}")
    return arn


def role_arn(ws: Workshop, name: str) -> str:
    """The ARN of role ``name``."""
    return str(ws.client("iam").get_role(RoleName=name)["Role"]["Arn"])


def put_inline_policy(ws: Workshop, role_name: str, policy_name: str, document: dict[str, Any]) -> None:
    """Set (create or replace) the role's inline policy ``policy_name``."""
    ws.client("iam").put_role_policy(RoleName=role_name, PolicyName=policy_name, PolicyDocument=json.dumps(document))


def role_policies(ws: Workshop, name: str) -> dict[str, Any]:
    """What a role may do: attached managed policy ARNs and inline documents (for showing and checking)."""
    iam = ws.client("iam")
    inline = {
        policy_name: iam.get_role_policy(RoleName=name, PolicyName=policy_name)["PolicyDocument"]
        for policy_name in iam.list_role_policies(RoleName=name)["PolicyNames"]
    }
    managed = [p["PolicyArn"] for p in iam.list_attached_role_policies(RoleName=name)["AttachedPolicies"]]
    return {"managed": managed, "inline": inline}
