"""Where Lambda can put a VPC function, on a real pocketcloud: not in a zone Lambda does not support (which
``network.choose_zones`` avoids, whatever name the account gives that zone), and not in a subnet without a free
address, where the function fails and ``deploy_function`` raises FunctionFailed with Lambda's reason."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import botocore.exceptions
import pytest

import pocketcloud
from helpers.aws import iam, lambdas, network
from helpers.session import Workshop

from .conftest import workshop_on

NOT_SUPPORTED = "The provided subnets contain availability zone Lambda doesn't support"


@pytest.fixture(scope="module")
def ws(cloud: pocketcloud.Cloud) -> Iterator[Workshop]:
    with workshop_on(cloud, "pl-") as session:
        yield session


@pytest.fixture(scope="module")
def role(ws: Workshop) -> str:
    return iam.ensure_lambda_role(ws, ws.name("vpc-role"), managed=[iam.VPC_EXECUTION])


def _vpc(ws: Workshop, cidr: str) -> tuple[Any, str, str]:
    ec2 = ws.client("ec2")
    vpc = ec2.create_vpc(CidrBlock=f"{cidr}.0.0/16")["Vpc"]["VpcId"]
    group = ec2.create_security_group(GroupName=f"fn-{cidr}", Description="functions", VpcId=vpc)["GroupId"]
    return ec2, vpc, group


def _subnet(ec2: Any, vpc: str, cidr: str, zone: str) -> str:
    return str(ec2.create_subnet(VpcId=vpc, CidrBlock=cidr, AvailabilityZone=zone)["Subnet"]["SubnetId"])


def test_lambda_refuses_a_subnet_in_a_zone_it_does_not_support(ws: Workshop, role: str) -> None:
    ec2, vpc, group = _vpc(ws, "10.41")
    zones = ec2.describe_availability_zones()["AvailabilityZones"]
    unsupported = next(z["ZoneName"] for z in zones if z["ZoneId"] == "use1-az3")  # listed, as in AWS's us-east-1
    supported = next(z["ZoneName"] for z in zones if z["ZoneId"] not in network.UNSUPPORTED_ZONE_IDS)
    bad, good = _subnet(ec2, vpc, "10.41.1.0/24", unsupported), _subnet(ec2, vpc, "10.41.2.0/24", supported)
    with pytest.raises(botocore.exceptions.ClientError) as refused:
        lambdas.deploy_function(ws, ws.name("az3"), "s3_notifier", role_arn=role, env={"TOPIC_ARN": "unused"},
                                subnet_ids=[good, bad], security_group_ids=[group])  # fmt: skip
    assert refused.value.response["Error"]["Code"] == "InvalidParameterValueException"
    assert NOT_SUPPORTED in refused.value.response["Error"]["Message"]
    assert not lambdas.function_exists(ws, ws.name("az3"))

    lambdas.deploy_function(ws, ws.name("az3"), "s3_notifier", role_arn=role, env={"TOPIC_ARN": "unused"},
                            subnet_ids=[good], security_group_ids=[group])  # fmt: skip
    with pytest.raises(botocore.exceptions.ClientError, match=NOT_SUPPORTED):
        ws.client("lambda").update_function_configuration(
            FunctionName=ws.name("az3"), VpcConfig={"SubnetIds": [bad], "SecurityGroupIds": [group]}
        )
    vpc_config = ws.client("lambda").get_function_configuration(FunctionName=ws.name("az3"))["VpcConfig"]
    assert vpc_config["SubnetIds"] == [good]


def test_choose_zones_avoids_the_zone_whatever_its_name(ws: Workshop, role: str) -> None:
    """Zone names map to different zones in each account: here the unsupported zone is listed first, as an
    account may name it us-east-1a. The helper's choice still deploys a VPC function."""
    ec2, vpc, group = _vpc(ws, "10.42")
    zones = ec2.describe_availability_zones()["AvailabilityZones"]
    az3_first = sorted(zones, key=lambda z: z["ZoneId"] != "use1-az3")
    chosen = network.choose_zones(az3_first, {z["ZoneName"] for z in zones})
    subnets = [_subnet(ec2, vpc, f"10.42.{i}.0/24", zone) for i, zone in enumerate(chosen, start=1)]
    config = lambdas.deploy_function(ws, ws.name("chosen"), "s3_notifier", role_arn=role,
                                     env={"TOPIC_ARN": "unused"}, subnet_ids=subnets,
                                     security_group_ids=[group])  # fmt: skip
    assert config["State"] == "Active" and sorted(config["VpcConfig"]["SubnetIds"]) == sorted(subnets)


def _fill(ec2: Any, subnet: str) -> None:
    """Take every free address of ``subnet`` with network interfaces (a /28 has 16 - 5 = 11)."""
    while int(ec2.describe_subnets(SubnetIds=[subnet])["Subnets"][0]["AvailableIpAddressCount"]) > 0:
        ec2.create_network_interface(SubnetId=subnet, Description="someone else's instance")


def test_a_function_without_a_free_address_fails_with_lambdas_reason(ws: Workshop, role: str) -> None:
    ec2, vpc, group = _vpc(ws, "10.43")
    zone = next(z["ZoneName"] for z in ec2.describe_availability_zones()["AvailabilityZones"]
                if z["ZoneId"] not in network.UNSUPPORTED_ZONE_IDS)  # fmt: skip
    full, roomy = _subnet(ec2, vpc, "10.43.1.0/28", zone), _subnet(ec2, vpc, "10.43.2.0/24", zone)
    _fill(ec2, full)
    lam = ws.client("lambda")

    with pytest.raises(lambdas.FunctionFailed, match=r"\(SubnetOutOfIPAddresses\)"):
        lambdas.deploy_function(ws, ws.name("full"), "s3_notifier", role_arn=role, env={"TOPIC_ARN": "unused"},
                                subnet_ids=[full], security_group_ids=[group])  # fmt: skip
    created = lam.get_function_configuration(FunctionName=ws.name("full"))
    assert (created["State"], created["StateReasonCode"]) == ("Failed", "SubnetOutOfIPAddresses")
    with pytest.raises(lam.exceptions.ResourceConflictException, match="following state: Failed"):
        lam.invoke(FunctionName=ws.name("full"), Payload=b"{}")  # only an Active function can be invoked

    lambdas.deploy_function(ws, ws.name("moved"), "s3_notifier", role_arn=role, env={"TOPIC_ARN": "unused"},
                            subnet_ids=[roomy], security_group_ids=[group])  # fmt: skip
    with pytest.raises(lambdas.FunctionFailed, match=r"last update of the function failed \(SubnetOutOfIPAddresses\)"):
        lambdas.deploy_function(ws, ws.name("moved"), "s3_notifier", role_arn=role, env={"TOPIC_ARN": "unused"},
                                subnet_ids=[full], security_group_ids=[group])  # fmt: skip
    updated = lam.get_function_configuration(FunctionName=ws.name("moved"))
    assert (updated["State"], updated["LastUpdateStatus"]) == ("Active", "Failed")
    assert updated["VpcConfig"]["SubnetIds"] == [roomy], "the failed update leaves the previous VpcConfig"
    answer = lam.invoke(FunctionName=ws.name("moved"), Payload=b"{}")
    assert answer["StatusCode"] == 200, "a failed update leaves the function Active: it still runs"
