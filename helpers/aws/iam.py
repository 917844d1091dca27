"""IAM roles for the workshop's functions, least privilege by construction."""

from __future__ import annotations

import json
from typing import Any

from ..session import Workshop
from ..text import say
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
        raise ValueError(say("aws.iam.no_wildcards"))
    return {"Effect": "Allow", "Action": actions, "Resource": resources}


def ensure_lambda_role(
    ws: Workshop, name: str, *, managed: list[str] | None = None, inline: dict[str, dict[str, Any]] | None = None
) -> str:
    """Create or update role ``name`` that Lambda can assume; returns its ARN.

    ``managed`` lists AWS managed policy ARNs (the basic execution role is always attached);
    ``inline`` maps policy names to documents, replaced on every call.
    """
    iam = ws.client("iam")
    arn, created = ensure_role(ws, name, LAMBDA_TRUST, "Serverless at Scale workshop function role")
    wanted = {BASIC_EXECUTION, *(managed or [])}
    attached = {p["PolicyArn"] for p in iam.list_attached_role_policies(RoleName=name)["AttachedPolicies"]}
    for policy_arn in wanted - attached:
        iam.attach_role_policy(RoleName=name, PolicyArn=policy_arn)
    changed = created or bool(wanted - attached)
    for policy_name, document in (inline or {}).items():
        changed |= put_inline_policy(ws, name, policy_name, document, wait=False)
    if changed:
        wait_for_iam(ws, say("aws.iam.role", name=name))
    return arn


def ensure_role(ws: Workshop, name: str, trust: dict[str, Any], description: str) -> tuple[str, bool]:
    """Role ``name`` with the ``trust`` policy, created when missing; its ARN and whether it was created."""
    iam = ws.client("iam")
    try:
        return str(iam.get_role(RoleName=name)["Role"]["Arn"]), False
    except iam.exceptions.NoSuchEntityException:
        role = iam.create_role(
            RoleName=name, AssumeRolePolicyDocument=json.dumps(trust), Description=description, Tags=ws.tag_list()
        )["Role"]
        return str(role["Arn"]), True


def wait_for_iam(ws: Workshop, what: str) -> None:
    """Let a change to a role reach every service before it is used.

    IAM is eventually consistent: right after a role is created or its policies change, Lambda may not
    yet assume it ("The role defined for the function cannot be assumed by Lambda.") and the function's
    calls still run under the old policies (IAM User Guide, "Changes that I make are not always
    immediately visible"). pocketcloud says how long its propagation still takes; on AWS, ten seconds
    is the usual wait, and deploy_function retries what is refused beyond it.
    """
    if ws.local:
        seconds = float(ws.pocketcloud().status()["services"].get("iam", {}).get("settles_in_seconds", 0))
    else:
        seconds = 10.0
    if seconds > 0:
        pause(seconds + 0.2, say("aws.iam.propagating", what=what))


def role_arn(ws: Workshop, name: str) -> str:
    """The ARN of role ``name``."""
    return str(ws.client("iam").get_role(RoleName=name)["Role"]["Arn"])


def put_inline_policy(
    ws: Workshop, role_name: str, policy_name: str, document: dict[str, Any], *, wait: bool = True
) -> bool:
    """Set (create or replace) the role's inline policy ``policy_name``; True when it changed. With ``wait``,
    returns once the change is in force (see :func:`wait_for_iam`)."""
    iam = ws.client("iam")
    try:
        current = iam.get_role_policy(RoleName=role_name, PolicyName=policy_name)["PolicyDocument"]
    except iam.exceptions.NoSuchEntityException:
        current = None
    if current == document:
        return False
    iam.put_role_policy(RoleName=role_name, PolicyName=policy_name, PolicyDocument=json.dumps(document))
    if wait:
        wait_for_iam(ws, say("aws.iam.policy_of_role", policy=policy_name, role=role_name))
    return True


def role_policies(ws: Workshop, name: str) -> dict[str, Any]:
    """What a role may do: attached managed policy ARNs and inline documents (for showing and checking)."""
    iam = ws.client("iam")
    inline = {
        policy_name: iam.get_role_policy(RoleName=name, PolicyName=policy_name)["PolicyDocument"]
        for policy_name in iam.list_role_policies(RoleName=name)["PolicyNames"]
    }
    managed = [p["PolicyArn"] for p in iam.list_attached_role_policies(RoleName=name)["AttachedPolicies"]]
    return {"managed": managed, "inline": inline}
