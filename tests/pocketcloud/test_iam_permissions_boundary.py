"""IAM's iam:PermissionsBoundary condition key on a function's role changes: delegating role creation safely.

A real function, whose role may create and change roles only with a given permissions boundary (the pattern of
the IAM User Guide's "Permissions boundaries for IAM entities", and of aws/learner-policy.json), makes the IAM
calls itself: the key is the boundary CreateRole and PutRolePermissionsBoundary set, and the boundary the role
has for PutRolePolicy, AttachRolePolicy, DetachRolePolicy and DeleteRolePolicy (Service Authorization Reference,
IAM); absent, a condition that requires it refuses.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest

import pocketcloud

from .conftest import BASIC_EXECUTION, TRUST, Deploy, invoke_json, role_arn

ACCOUNT = "123456789012"
BASIC = BASIC_EXECUTION
# One IAM call made with the function's own credentials: "ok", or the error code IAM answered.
IAM_CALLER = """
import boto3
from botocore.config import Config

iam = boto3.client("iam", config=Config(retries={"total_max_attempts": 1}))

def handler(event, context):
    try:
        getattr(iam, event["operation"])(**event["params"])
    except iam.exceptions.ClientError as exc:
        return exc.response["Error"]["Code"]
    return "ok"
"""


def _delegating_policy(boundary_name: str, prefix: str) -> dict[str, Any]:
    """What aws/learner-policy.json grants on sas- roles, for roles named ``prefix``*."""
    roles = f"arn:aws:iam::*:role/{prefix}*"
    boundary = f"arn:aws:iam::${{aws:PrincipalAccount}}:policy/{boundary_name}"
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": [
                    "iam:CreateRole", "iam:PutRolePolicy", "iam:DeleteRolePolicy", "iam:AttachRolePolicy",
                    "iam:DetachRolePolicy", "iam:PutRolePermissionsBoundary",
                ],
                "Resource": roles,
                "Condition": {"StringEquals": {"iam:PermissionsBoundary": boundary}},
            },
            {"Effect": "Deny", "Action": "iam:DeleteRolePermissionsBoundary", "Resource": roles},
        ],
    }  # fmt: skip


@pytest.fixture
def delegated(cloud: pocketcloud.Cloud, deploy: Deploy) -> dict[str, str]:
    """A function that may manage roles named ``<prefix>*`` under the boundary; the boundary; an unbounded role."""
    suffix = uuid.uuid4().hex[:8]
    prefix, boundary_name = f"dlg{suffix}-", f"dlg{suffix}-boundary"
    iam = cloud.client("iam")
    allow_logs = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "logs:*", "Resource": "*"}]}
    boundary = iam.create_policy(PolicyName=boundary_name, PolicyDocument=json.dumps(allow_logs))["Policy"]["Arn"]
    manager = role_arn(
        cloud, f"mgr-{suffix}", managed=(BASIC,), inline={"delegate": _delegating_policy(boundary_name, prefix)}
    )
    unbounded = f"{prefix}old"
    iam.create_role(RoleName=unbounded, AssumeRolePolicyDocument=TRUST)
    return {
        "function": deploy(IAM_CALLER, Role=manager),
        "prefix": prefix,
        "boundary": boundary,
        "unbounded": unbounded,
    }


def _iam(cloud: pocketcloud.Cloud, function: str, operation: str, **params: Any) -> str:
    """What the function's call answered: "ok" or the error code."""
    _, answer = invoke_json(cloud, function, {"operation": operation, "params": params})
    assert isinstance(answer, str), answer
    return answer


def test_a_role_is_created_only_with_the_boundary(cloud: pocketcloud.Cloud, delegated: dict[str, str]) -> None:
    fn, prefix, boundary = delegated["function"], delegated["prefix"], delegated["boundary"]
    assert _iam(cloud, fn, "create_role", RoleName=f"{prefix}a", AssumeRolePolicyDocument=TRUST) == "AccessDenied"
    other = f"arn:aws:iam::{ACCOUNT}:policy/{prefix}other"
    assert (
        _iam(cloud, fn, "create_role", RoleName=f"{prefix}b", AssumeRolePolicyDocument=TRUST, PermissionsBoundary=other)
        == "AccessDenied"
    )
    assert (
        _iam(
            cloud,
            fn,
            "create_role",
            RoleName=f"{prefix}c",
            AssumeRolePolicyDocument=TRUST,
            PermissionsBoundary=boundary,
        )
        == "ok"
    )
    made = cloud.client("iam").get_role(RoleName=f"{prefix}c")["Role"]
    assert made["PermissionsBoundary"]["PermissionsBoundaryArn"] == boundary


def test_policies_change_only_on_a_role_that_has_the_boundary(
    cloud: pocketcloud.Cloud, delegated: dict[str, str]
) -> None:
    fn, prefix, boundary, unbounded = (delegated[k] for k in ("function", "prefix", "boundary", "unbounded"))
    iam = cloud.client("iam")
    iam.create_role(RoleName=f"{prefix}new", AssumeRolePolicyDocument=TRUST, PermissionsBoundary=boundary)
    anything = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})
    for role, expected in ((unbounded, "AccessDenied"), (f"{prefix}new", "ok")):
        assert _iam(cloud, fn, "put_role_policy", RoleName=role, PolicyName="p", PolicyDocument=anything) == expected
        assert _iam(cloud, fn, "attach_role_policy", RoleName=role, PolicyArn=BASIC) == expected
    iam.put_role_policy(RoleName=unbounded, PolicyName="p", PolicyDocument=anything)
    iam.attach_role_policy(RoleName=unbounded, PolicyArn=BASIC)
    # An unbounded role's policies stay until it carries the boundary; then they may go.
    assert _iam(cloud, fn, "detach_role_policy", RoleName=unbounded, PolicyArn=BASIC) == "AccessDenied"
    assert _iam(cloud, fn, "delete_role_policy", RoleName=unbounded, PolicyName="p") == "AccessDenied"
    other = f"arn:aws:iam::{ACCOUNT}:policy/{prefix}other"
    assert _iam(cloud, fn, "put_role_permissions_boundary", RoleName=unbounded, PermissionsBoundary=other) == (
        "AccessDenied"
    )
    assert _iam(cloud, fn, "put_role_permissions_boundary", RoleName=unbounded, PermissionsBoundary=boundary) == "ok"
    assert _iam(cloud, fn, "detach_role_policy", RoleName=unbounded, PolicyArn=BASIC) == "ok"
    assert _iam(cloud, fn, "delete_role_policy", RoleName=unbounded, PolicyName="p") == "ok"
    # And the boundary cannot be taken off again.
    assert _iam(cloud, fn, "delete_role_permissions_boundary", RoleName=unbounded) == "AccessDenied"
    assert iam.get_role(RoleName=unbounded)["Role"]["PermissionsBoundary"]["PermissionsBoundaryArn"] == boundary


def test_a_boundary_must_be_a_policy_that_exists(cloud: pocketcloud.Cloud) -> None:
    iam = cloud.client("iam")
    missing = f"arn:aws:iam::{ACCOUNT}:policy/no-such-boundary-{uuid.uuid4().hex[:6]}"
    name = f"bounded-{uuid.uuid4().hex[:6]}"
    with pytest.raises(iam.exceptions.NoSuchEntityException, match=r"Scope ARN: .* does not exist"):
        iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(TRUST), PermissionsBoundary=missing)
    with pytest.raises(iam.exceptions.NoSuchEntityException):
        iam.get_role(RoleName=name)  # the refused request created nothing

    iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(TRUST), PermissionsBoundary=BASIC)
    with pytest.raises(iam.exceptions.NoSuchEntityException, match="Scope ARN"):
        iam.put_role_permissions_boundary(RoleName=name, PermissionsBoundary=missing)
    kept = iam.get_role(RoleName=name)["Role"]["PermissionsBoundary"]["PermissionsBoundaryArn"]
    assert kept == BASIC, "the refused change keeps the boundary the role had"
