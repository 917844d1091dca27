"""aws/learner-role.yaml creates the learner's role as CloudFormation would: runs on pocketcloud in every test run.

(The rest of tests/aws is the opt-in tier on a real account, ``pytest -m aws``.)
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import pocketcloud

TEMPLATE = Path(__file__).resolve().parents[2] / "aws" / "learner-role.yaml"
POLICY = json.loads((TEMPLATE.parent / "learner-policy.json").read_text())
BOUNDARY = json.loads((TEMPLATE.parent / "workshop-boundary.json").read_text())
# The session's cloud is shared: only a private one gets the account's one sas-workshop-boundary from a stack.
SHARED = {"CreateWorkshopBoundary": "no"}


def _create(cloud: pocketcloud.Cloud, stack: str, **parameters: str) -> dict[str, Any]:
    cfn = cloud.client("cloudformation")
    cfn.create_stack(
        StackName=stack,
        TemplateBody=TEMPLATE.read_text(),
        Parameters=[{"ParameterKey": k, "ParameterValue": v} for k, v in parameters.items()],
        Capabilities=["CAPABILITY_NAMED_IAM"],
    )
    cfn.get_waiter("stack_create_complete").wait(StackName=stack, WaiterConfig={"Delay": 1, "MaxAttempts": 120})
    described: dict[str, Any] = cfn.describe_stacks(StackName=stack)["Stacks"][0]
    return {o["OutputKey"]: o["OutputValue"] for o in described.get("Outputs", [])}


def _trusted(role: dict[str, Any]) -> Any:
    document = role["AssumeRolePolicyDocument"]
    document = json.loads(document) if isinstance(document, str) else document
    return document["Statement"][0]["Principal"]["Service"]


@pytest.mark.parametrize(
    ("service", "principal"), [("ec2", "ec2.amazonaws.com"), ("sagemaker", "sagemaker.amazonaws.com")]
)
def test_the_template_makes_a_role_with_the_learner_policy(
    cloud: pocketcloud.Cloud, service: str, principal: str
) -> None:
    name = f"learner-{service}"
    outputs = _create(cloud, f"learner-role-{service}", TrustedService=service, RoleName=name, **SHARED)
    iam = cloud.client("iam")
    role = iam.get_role(RoleName=name)["Role"]
    assert outputs["RoleArn"] == role["Arn"]
    assert _trusted(role) == principal
    document = iam.get_role_policy(RoleName=name, PolicyName="serverless-at-scale-learner")["PolicyDocument"]
    assert document == POLICY  # boto3 decodes IAM's URL-encoded JSON document into a dict
    profiles = iam.list_instance_profiles_for_role(RoleName=name)["InstanceProfiles"]
    assert [p["InstanceProfileName"] for p in profiles] == ([name] if service == "ec2" else [])
    assert ("InstanceProfileArn" in outputs) is (service == "ec2")


def test_a_cloudformation_made_inline_policy_reads_back_as_json(cloud: pocketcloud.Cloud) -> None:
    """moto keeps a CloudFormation-made inline policy as a dict and answers its Python repr; pocketcloud's hook
    (iam.moto_hooks.keep_inline_policies_as_json) stores the JSON document, which IAM answers URL-encoded and
    boto3 decodes into a dict."""
    _create(cloud, "learner-role-json", TrustedService="ec2", RoleName="learner-json", **SHARED)
    document = cloud.client("iam").get_role_policy(RoleName="learner-json", PolicyName="serverless-at-scale-learner")
    assert document["PolicyDocument"] == POLICY


def test_the_template_creates_the_workshop_boundary_once_per_account(make_cloud: Any) -> None:
    """The boundary every sas- role carries, as aws/workshop-boundary.json has it; a second learner's stack in
    the same account leaves it to the first (CreateWorkshopBoundary=no)."""
    own = make_cloud()
    outputs = _create(own, "learner-role-first", RoleName="learner-first")
    iam = own.client("iam")
    arn = f"arn:aws:iam::{own.settings.account_id}:policy/sas-workshop-boundary"
    assert outputs["BoundaryArn"] == arn
    version = iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"]
    assert iam.get_policy_version(PolicyArn=arn, VersionId=version)["PolicyVersion"]["Document"] == BOUNDARY
    second = _create(own, "learner-role-second", RoleName="learner-second", **SHARED)
    assert "BoundaryArn" not in second and "RoleArn" in second
