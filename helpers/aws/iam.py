"""IAM roles for the workshop's functions, least privilege by construction, each under the workshop's boundary."""

from __future__ import annotations

import json
from typing import Any

from botocore.exceptions import ClientError

from ..session import PREFIX, REPO_ROOT, Workshop
from ..text import say
from .waiting import pause

LAMBDA_TRUST = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}],
}
BASIC_EXECUTION = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
VPC_EXECUTION = "arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole"
XRAY_WRITE = "arn:aws:iam::aws:policy/AWSXRayDaemonWriteAccess"
# The permissions boundary of every role the helpers make: the most such a role may ever do, whatever policies it
# is given (IAM User Guide, "Permissions boundaries for IAM entities"). On AWS aws/learner-role.yaml creates it, and
# the learner's policy creates and changes sas- roles only with it set.
BOUNDARY = "workshop-boundary"  # its name after the prefix: sas-workshop-boundary
BOUNDARY_DOCUMENT = REPO_ROOT / "aws" / "workshop-boundary.json"
ROLE_TEMPLATE = "aws/learner-role.yaml"
_REFUSED = ("AccessDenied", "AccessDeniedException")


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
    """Role ``name`` with the ``trust`` policy and the workshop's permissions boundary, created when missing; its
    ARN and whether it is new or changed. A role made before the boundary existed gets it (the learner's policy
    changes a sas- role's policies only when it carries the boundary)."""
    iam = ws.client("iam")
    boundary = ensure_boundary(ws)
    try:
        role = iam.get_role(RoleName=name)["Role"]
    except iam.exceptions.NoSuchEntityException:
        role = iam.create_role(
            RoleName=name,
            AssumeRolePolicyDocument=json.dumps(trust),
            Description=description,
            Tags=ws.tag_list(),
            PermissionsBoundary=boundary,
        )["Role"]
        return str(role["Arn"]), True
    if role.get("PermissionsBoundary", {}).get("PermissionsBoundaryArn") != boundary:
        iam.put_role_permissions_boundary(RoleName=name, PermissionsBoundary=boundary)
        return str(role["Arn"]), True
    return str(role["Arn"]), False


def boundary_arn(account: str, prefix: str = PREFIX) -> str:
    """The ARN of the workshop's permissions boundary in ``account``.

    >>> boundary_arn("123456789012")
    'arn:aws:iam::123456789012:policy/sas-workshop-boundary'
    """
    return f"arn:aws:iam::{account}:policy/{prefix}{BOUNDARY}"


def boundary_document(prefix: str = PREFIX) -> str:
    """aws/workshop-boundary.json, its resources named with ``prefix`` (the tests' sessions use prefixes of
    their own; the learner's is ``sas-``, and then it is the file as written).

    >>> "arn:aws:sns:*:*:t-*" in boundary_document("t-")
    True
    """
    return BOUNDARY_DOCUMENT.read_text().replace(PREFIX, prefix)


def ensure_boundary(ws: Workshop) -> str:
    """The workshop's permissions boundary exists in the account; returns its ARN.

    On AWS the learner's stack (aws/learner-role.yaml) creates it. When it is missing the helpers create it
    from aws/workshop-boundary.json, which succeeds where the caller may create policies (pocketcloud, where
    the account is the learner's own, or an administrator on AWS); otherwise the error names the template.
    """
    iam = ws.client("iam")
    arn = boundary_arn(ws.account, ws.prefix)
    try:
        current = iam.get_policy(PolicyArn=arn)["Policy"]
    except iam.exceptions.NoSuchEntityException:
        pass
    else:
        _update_boundary(ws, arn, current["DefaultVersionId"])
        return arn
    try:
        iam.create_policy(
            PolicyName=ws.name(BOUNDARY),
            PolicyDocument=boundary_document(ws.prefix),
            Description="The most any role of the Serverless at Scale workshop may do",
        )
    except iam.exceptions.EntityAlreadyExistsException:
        pass  # made meanwhile (another notebook of the same learner)
    except ClientError as exc:
        if exc.response["Error"]["Code"] not in _REFUSED:
            raise
        raise RuntimeError(say("aws.iam.boundary_missing", policy=ws.name(BOUNDARY), template=ROLE_TEMPLATE)) from exc
    return arn


def _update_boundary(ws: Workshop, arn: str, default_version: str) -> None:
    """Bring the boundary to aws/workshop-boundary.json when an older workshop made it (a learner's
    ``.pocketcloud`` outlives a ``git pull``): a new default version, the oldest one deleted first when the policy
    has the five IAM allows. Where the caller may not change it (the learner's policy on AWS), say so and go on."""
    iam = ws.client("iam")
    wanted = json.loads(boundary_document(ws.prefix))
    document = iam.get_policy_version(PolicyArn=arn, VersionId=default_version)["PolicyVersion"]["Document"]
    if (json.loads(document) if isinstance(document, str) else document) == wanted:
        return
    try:
        versions = iam.list_policy_versions(PolicyArn=arn)["Versions"]
        if len(versions) >= 5:  # IAM keeps at most five versions of a managed policy
            oldest = min((v for v in versions if not v["IsDefaultVersion"]), key=lambda v: v["CreateDate"])
            iam.delete_policy_version(PolicyArn=arn, VersionId=oldest["VersionId"])
        iam.create_policy_version(PolicyArn=arn, PolicyDocument=json.dumps(wanted), SetAsDefault=True)
    except ClientError as exc:
        if exc.response["Error"]["Code"] not in _REFUSED:
            raise
        print(say("aws.iam.boundary_outdated", policy=arn, template=ROLE_TEMPLATE))


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
    """What a role may do: attached managed policy ARNs, inline documents and the ARN of its permissions boundary,
    the most it may do whatever they allow (for showing and checking)."""
    iam = ws.client("iam")
    inline = {
        policy_name: iam.get_role_policy(RoleName=name, PolicyName=policy_name)["PolicyDocument"]
        for policy_name in iam.list_role_policies(RoleName=name)["PolicyNames"]
    }
    managed = [p["PolicyArn"] for p in iam.list_attached_role_policies(RoleName=name)["AttachedPolicies"]]
    boundary = iam.get_role(RoleName=name)["Role"].get("PermissionsBoundary", {}).get("PermissionsBoundaryArn")
    return {"managed": managed, "inline": inline, "boundary": boundary}
