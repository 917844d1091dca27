"""The workshop's VPC (from the CloudFormation template next to this module, in two availability zones where
Lambda and RDS both run) and its Secrets Manager endpoint."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from pathlib import Path
from typing import Any

from ..session import Workshop
from ..text import say
from .database import ENGINE, INSTANCE_CLASS, choose_engine_version
from .waiting import poll, wait_for

TEMPLATE = Path(__file__).with_name("templates") / "vpc.yaml"

# Zone ids (the same place in every account, unlike zone names) where a service the workshop puts in the
# VPC is documented not to run: RDS Proxy is not supported in use1-az3 (RDS User Guide, "Limitations for
# RDS Proxy"), and Lambda cannot create network interfaces there either.
UNSUPPORTED_ZONE_IDS = frozenset({"use1-az3"})


def choose_zones(zones: Sequence[dict[str, Any]], rds_zones: Collection[str], count: int = 2) -> list[str]:
    """``count`` zone names, in the region's order, that are available, offer the DB instance class
    (``rds_zones``, from DescribeOrderableDBInstanceOptions) and are not known to refuse Lambda or RDS Proxy.

    >>> zones = [{"ZoneName": "us-east-1a", "ZoneId": "use1-az3", "State": "available"},
    ...          {"ZoneName": "us-east-1b", "ZoneId": "use1-az6", "State": "available"},
    ...          {"ZoneName": "us-east-1c", "ZoneId": "use1-az1", "State": "available"},
    ...          {"ZoneName": "us-east-1d", "ZoneId": "use1-az2", "State": "available"}]
    >>> choose_zones(zones, {"us-east-1a", "us-east-1c", "us-east-1d"})
    ['us-east-1c', 'us-east-1d']
    """
    chosen = [
        z["ZoneName"]
        for z in zones
        if z.get("State", "available") == "available"
        and z.get("ZoneId") not in UNSUPPORTED_ZONE_IDS
        and z["ZoneName"] in rds_zones
    ][:count]
    if len(chosen) < count:
        raise RuntimeError(say("aws.network.too_few_zones", count=count, found=chosen))
    return chosen


def workshop_zones(ws: Workshop, engine: str, engine_version: str, instance_class: str) -> list[str]:
    """Two zones of this region for the workshop's subnets (see :func:`choose_zones`)."""
    zones = ws.client("ec2").describe_availability_zones(
        Filters=[{"Name": "zone-type", "Values": ["availability-zone"]}]
    )["AvailabilityZones"]
    rds = ws.client("rds")
    rds_zones: set[str] = set()
    for page in rds.get_paginator("describe_orderable_db_instance_options").paginate(
        Engine=engine, EngineVersion=engine_version, DBInstanceClass=instance_class
    ):
        rds_zones |= {z["Name"] for option in page["OrderableDBInstanceOptions"] for z in option["AvailabilityZones"]}
    return choose_zones(zones, rds_zones)


def deploy_vpc(ws: Workshop, stack_name: str | None = None) -> dict[str, Any]:
    """Create the VPC stack once and return its outputs (VpcId, SubnetIds list, security group ids).

    Its two subnets go to zones where Lambda and the workshop's DB instance class both run.
    """
    cfn = ws.client("cloudformation")
    stack_name = stack_name or ws.name("network")
    try:
        stack = cfn.describe_stacks(StackName=stack_name)["Stacks"][0]
    except cfn.exceptions.ClientError:
        stack = None
    if stack is None or stack["StackStatus"] in ("DELETE_COMPLETE", "ROLLBACK_COMPLETE"):
        if stack is not None:
            cfn.delete_stack(StackName=stack_name)
            _wait_stack(ws, "stack_delete_complete", say("aws.network.deleting_stack", stack=stack_name), stack_name)
        zones = workshop_zones(ws, ENGINE, choose_engine_version(ws), INSTANCE_CLASS)
        cfn.create_stack(
            StackName=stack_name,
            TemplateBody=TEMPLATE.read_text(),
            Parameters=[
                {"ParameterKey": "Prefix", "ParameterValue": ws.prefix.rstrip("-")},
                {"ParameterKey": "ZoneA", "ParameterValue": zones[0]},
                {"ParameterKey": "ZoneB", "ParameterValue": zones[1]},
            ],
            Tags=ws.tag_list(),
        )
    answer = _wait_stack(ws, "stack_create_complete", say("aws.network.creating_stack", stack=stack_name), stack_name)
    described = answer["Stacks"][0]
    if described["StackStatus"] not in ("CREATE_COMPLETE", "UPDATE_COMPLETE"):
        raise RuntimeError(say("aws.network.stack_failed", stack=stack_name, status=described["StackStatus"]))
    outputs: dict[str, Any] = {o["OutputKey"]: o["OutputValue"] for o in described["Outputs"]}
    outputs["SubnetIds"] = outputs["SubnetIds"].split(",")
    return outputs


def _wait_stack(ws: Workshop, waiter: str, what: str, stack_name: str) -> dict[str, Any]:
    return wait_for(
        ws.client("cloudformation"),
        waiter,
        what,
        timeout_s=900,
        estimate_s=ws.default(local=5, aws=120),
        interval_s=ws.default(local=2, aws=10),
        StackName=stack_name,
    )


def _secrets_endpoints(ws: Workshop, vpc_id: str) -> list[dict[str, Any]]:
    service = f"com.amazonaws.{ws.region}.secretsmanager"
    found: list[dict[str, Any]] = ws.client("ec2").describe_vpc_endpoints(
        Filters=[{"Name": "vpc-id", "Values": [vpc_id]}, {"Name": "service-name", "Values": [service]}]
    )["VpcEndpoints"]
    return found


def ensure_secrets_endpoint(
    ws: Workshop, vpc_id: str, subnet_ids: Sequence[str], security_group_ids: Sequence[str]
) -> str:
    """An interface VPC endpoint so functions in private subnets reach Secrets Manager; returns its id.

    Without it (or a NAT gateway) a function in the VPC cannot call Secrets Manager at all.
    """
    alive = [
        e for e in _secrets_endpoints(ws, vpc_id) if e.get("State", "").lower() not in ("deleted", "deleting", "failed")
    ]
    endpoint_id = str(alive[0]["VpcEndpointId"]) if alive else _create_secrets_endpoint(ws, vpc_id, subnet_ids,
                                                                                        security_group_ids)  # fmt: skip
    ec2 = ws.client("ec2")
    poll(
        lambda: ec2.describe_vpc_endpoints(VpcEndpointIds=[endpoint_id])["VpcEndpoints"][0]["State"].lower(),
        lambda state: state == "available",
        say("aws.network.endpoint_available", endpoint=endpoint_id),
        timeout_s=600,
        estimate_s=ws.default(local=3, aws=120),
        interval_s=ws.default(local=1, aws=10),
    )
    return endpoint_id


def _create_secrets_endpoint(
    ws: Workshop, vpc_id: str, subnet_ids: Sequence[str], security_group_ids: Sequence[str]
) -> str:
    created = ws.client("ec2").create_vpc_endpoint(
        VpcEndpointType="Interface",
        VpcId=vpc_id,
        ServiceName=f"com.amazonaws.{ws.region}.secretsmanager",
        SubnetIds=list(subnet_ids),
        SecurityGroupIds=list(security_group_ids),
        PrivateDnsEnabled=True,
        TagSpecifications=[{"ResourceType": "vpc-endpoint", "Tags": ws.tag_list()}],
    )
    return str(created["VpcEndpoint"]["VpcEndpointId"])


def delete_secrets_endpoint(ws: Workshop, vpc_id: str) -> list[str]:
    """Delete the Secrets Manager endpoint(s) of ``vpc_id``; returns the ids removed."""
    ids = [
        str(e["VpcEndpointId"])
        for e in _secrets_endpoints(ws, vpc_id)
        if e.get("State", "").lower() not in ("deleted", "deleting")
    ]
    if ids:
        ws.client("ec2").delete_vpc_endpoints(VpcEndpointIds=ids)
    return ids
