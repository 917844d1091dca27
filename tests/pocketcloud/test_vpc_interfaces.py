"""Lambda's network interfaces: created with a VPC function, shared per subnet and security groups, holding
both until a while after the last function stops using them, as on AWS."""

from __future__ import annotations

import time
import uuid

import botocore.exceptions
import pytest

import pocketcloud

from .conftest import Deploy

HANDLER = "def handler(event, context):\n    return 'ok'\n"


def _network(cloud: pocketcloud.Cloud, octet: int) -> tuple[str, str, str]:
    """A VPC with one subnet and one security group (no rules): (vpc, subnet, group)."""
    ec2 = cloud.client("ec2")
    vpc = ec2.create_vpc(CidrBlock=f"10.{octet}.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.{octet}.1.0/24", AvailabilityZone="us-east-1a")["Subnet"]
    group = ec2.create_security_group(GroupName=f"fn-{uuid.uuid4().hex[:6]}", Description="functions", VpcId=vpc)
    return vpc, subnet["SubnetId"], group["GroupId"]


def _interfaces(cloud: pocketcloud.Cloud, subnet: str) -> list[dict]:
    filters = [{"Name": "subnet-id", "Values": [subnet]}]
    return list(cloud.client("ec2").describe_network_interfaces(Filters=filters)["NetworkInterfaces"])


def _wait_released(cloud: pocketcloud.Cloud, subnet: str) -> None:
    deadline = time.monotonic() + 30
    while _interfaces(cloud, subnet):
        assert time.monotonic() < deadline, "the interface was never released"
        time.sleep(0.2)


def test_a_vpc_function_gets_a_lambda_interface_shared_with_functions_of_the_same_groups(
    cloud: pocketcloud.Cloud, deploy: Deploy
) -> None:
    vpc, subnet, group = _network(cloud, 61)
    config = {"SubnetIds": [subnet], "SecurityGroupIds": [group]}
    first = deploy(HANDLER, VpcConfig=config)
    [eni] = _interfaces(cloud, subnet)
    assert eni["InterfaceType"] == "lambda"
    assert eni["RequesterManaged"] is True
    assert eni["Status"] == "in-use"
    assert eni["Description"].startswith(f"AWS Lambda VPC ENI-{first}-")
    assert [g["GroupId"] for g in eni["Groups"]] == [group]
    assert eni["VpcId"] == vpc
    assert cloud.client("lambda").get_function_configuration(FunctionName=first)["VpcConfig"]["VpcId"] == vpc

    deploy(HANDLER, VpcConfig=config)
    assert [e["NetworkInterfaceId"] for e in _interfaces(cloud, subnet)] == [eni["NetworkInterfaceId"]]
    other = cloud.client("ec2").create_security_group(GroupName="other", Description="other", VpcId=vpc)["GroupId"]
    deploy(HANDLER, VpcConfig={"SubnetIds": [subnet], "SecurityGroupIds": [other]})
    assert len(_interfaces(cloud, subnet)) == 2, "another security-group set gets an interface of its own"


def test_an_interface_holds_its_subnet_and_group_until_released_after_the_function_goes(
    cloud: pocketcloud.Cloud, deploy: Deploy
) -> None:
    ec2 = cloud.client("ec2")
    _, subnet, group = _network(cloud, 62)
    name = deploy(HANDLER, VpcConfig={"SubnetIds": [subnet], "SecurityGroupIds": [group]})
    cloud.client("lambda").delete_function(FunctionName=name)
    assert _interfaces(cloud, subnet), "the interface outlives the function for a while"
    with pytest.raises(botocore.exceptions.ClientError) as refused:
        ec2.delete_subnet(SubnetId=subnet)
    assert refused.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert refused.value.response["Error"] == {
        "Code": "DependencyViolation",
        "Message": f"The subnet '{subnet}' has dependencies and cannot be deleted.",
    }
    with pytest.raises(botocore.exceptions.ClientError) as refused:
        ec2.delete_security_group(GroupId=group)
    assert refused.value.response["Error"]["Code"] == "DependencyViolation"
    assert refused.value.response["Error"]["Message"] == f"resource {group} has a dependent object"

    _wait_released(cloud, subnet)
    ec2.delete_security_group(GroupId=group)
    ec2.delete_subnet(SubnetId=subnet)


def test_a_published_version_keeps_its_interface_when_latest_moves_to_other_groups(
    cloud: pocketcloud.Cloud, deploy: Deploy
) -> None:
    ec2, lam = cloud.client("ec2"), cloud.client("lambda")
    vpc, subnet, group = _network(cloud, 63)
    name = deploy(HANDLER, VpcConfig={"SubnetIds": [subnet], "SecurityGroupIds": [group]})
    lam.publish_version(FunctionName=name)
    other = ec2.create_security_group(GroupName="moved", Description="moved", VpcId=vpc)["GroupId"]
    lam.update_function_configuration(FunctionName=name, VpcConfig={"SubnetIds": [subnet], "SecurityGroupIds": [other]})
    lam.get_waiter("function_updated_v2").wait(FunctionName=name, WaiterConfig={"Delay": 0.2, "MaxAttempts": 100})
    groups = sorted(g["GroupId"] for eni in _interfaces(cloud, subnet) for g in eni["Groups"])
    assert groups == sorted([group, other]), "version 1 still uses the first set, $LATEST the new one"

    lam.delete_function(FunctionName=name, Qualifier="1")
    with pytest.raises(botocore.exceptions.ClientError):
        ec2.delete_security_group(GroupId=group)
    deadline = time.monotonic() + 30
    while len(_interfaces(cloud, subnet)) > 1:
        assert time.monotonic() < deadline
        time.sleep(0.2)
    ec2.delete_security_group(GroupId=group)
    [kept] = _interfaces(cloud, subnet)
    assert [g["GroupId"] for g in kept["Groups"]] == [other]


TEMPLATE = """
Resources:
  Vpc:
    Type: AWS::EC2::VPC
    Properties: {CidrBlock: 10.64.0.0/16}
  Subnet:
    Type: AWS::EC2::Subnet
    Properties: {VpcId: !Ref Vpc, CidrBlock: 10.64.1.0/24}
  Group:
    Type: AWS::EC2::SecurityGroup
    Properties: {VpcId: !Ref Vpc, GroupDescription: functions}
Outputs:
  Subnet: {Value: !Ref Subnet}
  Group: {Value: !GetAtt Group.GroupId}
"""


def test_a_stack_whose_subnet_an_interface_holds_ends_delete_failed_and_deletes_later(
    cloud: pocketcloud.Cloud, deploy: Deploy
) -> None:
    cfn = cloud.client("cloudformation")
    stack = f"net-{uuid.uuid4().hex[:6]}"
    cfn.create_stack(StackName=stack, TemplateBody=TEMPLATE)
    outputs = {o["OutputKey"]: o["OutputValue"] for o in cfn.describe_stacks(StackName=stack)["Stacks"][0]["Outputs"]}
    name = deploy(HANDLER, VpcConfig={"SubnetIds": [outputs["Subnet"]], "SecurityGroupIds": [outputs["Group"]]})
    cloud.client("lambda").delete_function(FunctionName=name)

    cfn.delete_stack(StackName=stack)
    [described] = cfn.describe_stacks(StackName=stack)["Stacks"]
    assert described["StackStatus"] == "DELETE_FAILED"
    assert described["StackStatusReason"].startswith("The following resource(s) failed to delete: [")
    failed = {
        e["LogicalResourceId"]: e["ResourceStatusReason"]
        for e in cfn.describe_stack_events(StackName=stack)["StackEvents"]
        if e["ResourceStatus"] == "DELETE_FAILED"
    }
    assert failed["Subnet"].startswith(f"The subnet '{outputs['Subnet']}' has dependencies and cannot be deleted.")
    with pytest.raises(botocore.exceptions.WaiterError):
        cfn.get_waiter("stack_delete_complete").wait(StackName=stack, WaiterConfig={"Delay": 1, "MaxAttempts": 2})

    _wait_released(cloud, outputs["Subnet"])
    cfn.delete_stack(StackName=stack)
    cfn.get_waiter("stack_delete_complete").wait(StackName=stack, WaiterConfig={"Delay": 1, "MaxAttempts": 10})
