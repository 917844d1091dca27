"""Fixtures for the helpers' tests: a real Workshop session on the test session's pocketcloud."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from typing import Any

import pytest

import pocketcloud
from helpers.aws.iam import wait_for_iam
from helpers.session import Workshop


@contextlib.contextmanager
def workshop_on(cloud: pocketcloud.Cloud, prefix: str) -> Iterator[Workshop]:
    """The session ``helpers.connect()`` would make for ``cloud``, with its own name prefix; boto3 finds the
    cloud's credentials in the environment while it lasts."""
    with pytest.MonkeyPatch.context() as patch:
        for key, value in cloud.env().items():
            patch.setenv(key, value)
        patch.setenv("POCKETCLOUD_STATE_DIR", str(cloud.settings.state_dir))
        yield Workshop("local", cloud.region, cloud.settings.account_id, cloud.endpoint_url, prefix=prefix, cloud=cloud)


BASIC_EXECUTION = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"


def lambda_role(cloud: pocketcloud.Cloud, name: str, trust: dict, managed: tuple[str, ...] = (BASIC_EXECUTION,)) -> str:
    """Role ``name`` (raw boto3, as a learner would make it) with ``managed`` policies attached; returns its ARN
    once IAM has propagated the change, so Lambda can assume it at once (as on AWS, it cannot before)."""
    iam = cloud.client("iam")
    try:
        arn = str(iam.get_role(RoleName=name)["Role"]["Arn"])
        changed = False
    except iam.exceptions.NoSuchEntityException:
        arn = str(iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"])
        changed = True
    attached = {p["PolicyArn"] for p in iam.list_attached_role_policies(RoleName=name)["AttachedPolicies"]}
    for policy_arn in set(managed) - attached:
        iam.attach_role_policy(RoleName=name, PolicyArn=policy_arn)
        changed = True
    if changed:
        wait_for_iam_on(cloud, f"role {name}")
    return arn


def wait_for_iam_on(cloud: pocketcloud.Cloud, what: str) -> None:
    """``helpers.aws.iam.wait_for_iam`` with a Workshop on ``cloud``."""
    with workshop_on(cloud, "t-") as ws:
        wait_for_iam(ws, what)


def vpc_for_functions(ec2: Any, cidr: str, name: str) -> dict[str, Any]:
    """A VPC as the workshop's template builds it, with raw boto3: two subnets, and one security group each
    for the functions, the RDS Proxy (MySQL from the functions), the database (MySQL from the functions and
    the proxy) and interface endpoints (HTTPS from the functions). ``cidr`` is the /16's first two octets."""
    vpc = ec2.create_vpc(CidrBlock=f"{cidr}.0.0/16")["Vpc"]["VpcId"]
    subnets = [
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"{cidr}.{i}.0/24", AvailabilityZone=f"us-east-1{az}")["Subnet"][
            "SubnetId"
        ]
        for i, az in ((1, "a"), (2, "b"))
    ]

    def group(role: str, *admitted: tuple[int, str]) -> str:
        group_id = str(ec2.create_security_group(GroupName=f"{name}{role}", Description=role, VpcId=vpc)["GroupId"])
        for port, source in admitted:
            ec2.authorize_security_group_ingress(
                GroupId=group_id,
                IpPermissions=[
                    {"IpProtocol": "tcp", "FromPort": port, "ToPort": port, "UserIdGroupPairs": [{"GroupId": source}]}
                ],
            )
        return group_id

    lambda_sg = group("lambda")
    proxy_sg = group("proxy", (3306, lambda_sg))
    db_sg = group("db", (3306, lambda_sg), (3306, proxy_sg))
    endpoint_sg = group("endpoint", (443, lambda_sg))
    return {
        "vpc": vpc, "subnets": subnets, "lambda_sg": lambda_sg, "proxy_sg": proxy_sg, "db_sg": db_sg,
        "endpoint_sg": endpoint_sg,
    }  # fmt: skip
