"""Interface VPC endpoints are `pending` before they are `available`, as on AWS; gateway endpoints are available
at once. The pending state is observed on a private cloud where it lasts a minute."""

from __future__ import annotations

import time
from collections.abc import Callable

import pocketcloud


def _network(cloud: pocketcloud.Cloud, cidr: str) -> tuple[str, str, str]:
    ec2 = cloud.client("ec2")
    vpc = ec2.create_vpc(CidrBlock=f"{cidr}.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock=f"{cidr}.1.0/24", AvailabilityZone="us-east-1a")["Subnet"]
    group = ec2.create_security_group(GroupName=f"ep-{cidr}", Description="endpoint", VpcId=vpc)["GroupId"]
    return vpc, subnet["SubnetId"], group


def _interface_endpoint(cloud: pocketcloud.Cloud, cidr: str) -> dict:
    vpc, subnet, group = _network(cloud, cidr)
    endpoint: dict = cloud.client("ec2").create_vpc_endpoint(
        VpcEndpointType="Interface",
        VpcId=vpc,
        ServiceName=f"com.amazonaws.{cloud.region}.secretsmanager",
        SubnetIds=[subnet],
        SecurityGroupIds=[group],
        PrivateDnsEnabled=True,
    )["VpcEndpoint"]
    return endpoint


def _state(cloud: pocketcloud.Cloud, endpoint_id: str) -> str:
    state: str = cloud.client("ec2").describe_vpc_endpoints(VpcEndpointIds=[endpoint_id])["VpcEndpoints"][0]["State"]
    return state


def test_an_interface_endpoint_is_pending_first(make_cloud: Callable[..., pocketcloud.Cloud]) -> None:
    slow = make_cloud(vpc_endpoint_pending_seconds=60)
    endpoint = _interface_endpoint(slow, "10.81")
    assert endpoint["State"] == "pending"
    assert _state(slow, endpoint["VpcEndpointId"]) == "pending"
    pending = slow.client("ec2").describe_vpc_endpoints(Filters=[{"Name": "vpc-endpoint-state", "Values": ["pending"]}])
    assert [e["VpcEndpointId"] for e in pending["VpcEndpoints"]] == [endpoint["VpcEndpointId"]]

    slow.client("ec2").delete_vpc_endpoints(VpcEndpointIds=[endpoint["VpcEndpointId"]])
    assert _state(slow, endpoint["VpcEndpointId"]) == "deleted", "deleting a pending endpoint is not undone"

    vpc, _, _ = _network(slow, "10.82")
    gateway = slow.client("ec2").create_vpc_endpoint(
        VpcEndpointType="Gateway", VpcId=vpc, ServiceName=f"com.amazonaws.{slow.region}.s3"
    )["VpcEndpoint"]
    assert gateway["State"] == "available", "a gateway endpoint is available at once"


def test_an_interface_endpoint_becomes_available(cloud: pocketcloud.Cloud) -> None:
    endpoint = _interface_endpoint(cloud, "10.83")
    deadline = time.monotonic() + 60
    while (state := _state(cloud, endpoint["VpcEndpointId"])) != "available":
        assert state == "pending", state
        assert time.monotonic() < deadline, "the endpoint never became available"
        time.sleep(0.2)
