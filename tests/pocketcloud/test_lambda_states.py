"""Function states as on AWS ("Lambda function states"): a new function is Pending before it is Active and
refuses invocations and changes meanwhile; an update is InProgress for a while, during which invocations
run the previous code and further changes are refused; boto3's waiters see the transitions.

The refused cases run on private clouds whose transitions take a minute, so that nothing depends on how
fast the test is; the admitted cases wait with boto3's waiters, as a learner's code must."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Iterator

import botocore.exceptions
import pytest

import pocketcloud

from .conftest import Deploy, invoke_json, role_arn, wait_updated, zip_files
from .test_apigateway import Api, _get

V1 = "def handler(event, context):\n    return 'v1'\n"
V2 = "def handler(event, context):\n    return 'v2'\n"
LONG = 60.0  # seconds a transition takes on the private clouds: far longer than any test step


@pytest.fixture(scope="module")
def module_cloud() -> Iterator[Callable[..., pocketcloud.Cloud]]:
    with contextlib.ExitStack() as stack:
        yield lambda **kw: stack.enter_context(pocketcloud.running(**kw))


@pytest.fixture(scope="module")
def pending_cloud(module_cloud: Callable[..., pocketcloud.Cloud]) -> pocketcloud.Cloud:
    """Every new function stays Pending for a minute; the network and IAM rules are off, which leaves
    function states as they are."""
    return module_cloud(lambda_pending_seconds=LONG, lambda_vpc_pending_seconds=LONG, enforce_rules=False)


@pytest.fixture(scope="module")
def updating_cloud(module_cloud: Callable[..., pocketcloud.Cloud]) -> pocketcloud.Cloud:
    """New functions are Active at once, VPC functions after a minute; every update takes a minute."""
    return module_cloud(lambda_pending_seconds=0, lambda_vpc_pending_seconds=LONG, lambda_update_seconds=LONG)


def _create(cloud: pocketcloud.Cloud, name: str, source: str = V1, **config: object) -> dict:
    return cloud.client("lambda").create_function(
        FunctionName=name,
        Runtime="python3.12",
        Role=config.pop("Role", None) or role_arn(cloud),
        Handler="app.handler",
        Code={"ZipFile": zip_files({"app.py": source})},
        **config,
    )


def _refused(call: Callable[[], object]) -> dict:
    """The error response of ``call``, which must fail."""
    with pytest.raises(botocore.exceptions.ClientError) as refused:
        call()
    return refused.value.response


def _assert_conflict(response: dict, message: str) -> None:
    assert response["Error"]["Code"] == "ResourceConflictException"
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 409
    assert response["Error"]["Message"] == message


PENDING_INVOKE = (
    "The operation cannot be performed at this time. The function is currently in the following state: Pending"
)


def test_a_new_function_is_pending_and_refuses_invocations(pending_cloud: pocketcloud.Cloud) -> None:
    created = _create(pending_cloud, "st-pending")
    assert (created["State"], created["StateReasonCode"]) == ("Pending", "Creating")
    assert created["StateReason"] == "The function is being created."
    assert "LastUpdateStatus" not in created, "first set to Successful once creation completes"
    lam = pending_cloud.client("lambda")
    assert lam.get_function(FunctionName="st-pending")["Configuration"]["State"] == "Pending"

    for invocation_type in ("RequestResponse", "Event", "DryRun"):
        response = _refused(lambda t=invocation_type: lam.invoke(FunctionName="st-pending", InvocationType=t))
        _assert_conflict(response, PENDING_INVOKE)


def test_a_pending_function_refuses_updates_and_publishing(pending_cloud: pocketcloud.Cloud) -> None:
    arn = _create(pending_cloud, "st-pending-changes")["FunctionArn"]
    lam = pending_cloud.client("lambda")
    message = (
        f"The operation cannot be performed at this time. The resource {arn} is currently in the following "
        "state: 'Pending'. StateReasonCode: 'Creating'"
    )
    _assert_conflict(
        _refused(lambda: lam.update_function_code(FunctionName=arn, ZipFile=zip_files({"app.py": V2}))), message
    )
    _assert_conflict(_refused(lambda: lam.update_function_configuration(FunctionName=arn, Timeout=5)), message)
    _assert_conflict(_refused(lambda: lam.publish_version(FunctionName=arn)), message)


def test_api_gateway_answers_500_for_a_pending_function(pending_cloud: pocketcloud.Cloud) -> None:
    arn = _create(pending_cloud, "st-pending-api")["FunctionArn"]
    api = Api(pending_cloud, "st-pending-api")
    api.method(api.root, "GET", "AWS_PROXY", arn)
    api.allow("st-pending-api")
    api.deploy()
    status, _, body = _get(api.url(""))
    assert status == 500 and json.loads(body) == {"message": "Internal server error"}


def test_the_function_is_active_once_the_waiter_says_so(cloud: pocketcloud.Cloud) -> None:
    created = _create(cloud, "st-becomes-active")
    assert created["State"] == "Pending"
    cloud.client("lambda").get_waiter("function_active_v2").wait(
        FunctionName="st-becomes-active", WaiterConfig={"Delay": 0.1, "MaxAttempts": 300}
    )
    configuration = cloud.client("lambda").get_function_configuration(FunctionName="st-becomes-active")
    assert (configuration["State"], configuration["LastUpdateStatus"]) == ("Active", "Successful")
    assert invoke_json(cloud, "st-becomes-active")[1] == "v1"
    assert cloud.client("lambda").invoke(FunctionName="st-becomes-active", InvocationType="Event")["StatusCode"] == 202


def test_a_vpc_function_stays_pending_longer(updating_cloud: pocketcloud.Cloud) -> None:
    ec2, iam = updating_cloud.client("ec2"), updating_cloud.client("iam")
    vpc = ec2.create_vpc(CidrBlock="10.20.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.20.1.0/24", AvailabilityZone="us-east-1a")["Subnet"]["SubnetId"]
    group = ec2.create_security_group(GroupName="st-fn", Description="function", VpcId=vpc)["GroupId"]
    role = role_arn(updating_cloud, "st-vpc-role")
    iam.attach_role_policy(
        RoleName="st-vpc-role", PolicyArn="arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole"
    )
    vpc_config = {"SubnetIds": [subnet], "SecurityGroupIds": [group]}
    assert _create(updating_cloud, "st-in-vpc", Role=role, VpcConfig=vpc_config)["State"] == "Pending"
    _create(updating_cloud, "st-outside-vpc")
    lam = updating_cloud.client("lambda")
    assert lam.get_function(FunctionName="st-outside-vpc")["Configuration"]["State"] == "Active"
    assert lam.get_function(FunctionName="st-in-vpc")["Configuration"]["State"] == "Pending"
    _assert_conflict(_refused(lambda: lam.invoke(FunctionName="st-in-vpc")), PENDING_INVOKE)


def test_an_update_in_progress_keeps_the_previous_code_and_refuses_more_changes(
    updating_cloud: pocketcloud.Cloud,
) -> None:
    arn = _create(updating_cloud, "st-updating")["FunctionArn"]
    lam = updating_cloud.client("lambda")
    assert invoke_json(updating_cloud, "st-updating")[1] == "v1"

    updated = lam.update_function_code(FunctionName="st-updating", ZipFile=zip_files({"app.py": V2}))
    assert updated["State"] == "Active"
    assert (updated["LastUpdateStatus"], updated["LastUpdateStatusReasonCode"]) == ("InProgress", "Creating")
    assert lam.get_function(FunctionName="st-updating")["Configuration"]["LastUpdateStatus"] == "InProgress"
    assert invoke_json(updating_cloud, "st-updating")[1] == "v1", "invocations run the previous code meanwhile"

    message = f"The operation cannot be performed at this time. An update is in progress for resource: {arn}"
    _assert_conflict(_refused(lambda: lam.update_function_configuration(FunctionName=arn, Timeout=9)), message)
    _assert_conflict(
        _refused(lambda: lam.update_function_code(FunctionName=arn, ZipFile=zip_files({"app.py": V1}))), message
    )
    _assert_conflict(_refused(lambda: lam.publish_version(FunctionName=arn)), message)


def test_a_configuration_update_in_progress_keeps_the_previous_configuration(
    updating_cloud: pocketcloud.Cloud,
) -> None:
    source = "import os\ndef handler(event, context):\n    return os.environ.get('COLOR')\n"
    _create(updating_cloud, "st-config", source, Environment={"Variables": {"COLOR": "blue"}})
    assert invoke_json(updating_cloud, "st-config")[1] == "blue"
    updating_cloud.client("lambda").update_function_configuration(
        FunctionName="st-config", Environment={"Variables": {"COLOR": "green"}}
    )
    assert invoke_json(updating_cloud, "st-config")[1] == "blue"


def test_an_update_completes_and_the_new_code_runs(cloud: pocketcloud.Cloud, deploy: Deploy) -> None:
    name = deploy(V1)
    lam = cloud.client("lambda")
    lam.update_function_code(FunctionName=name, ZipFile=zip_files({"app.py": V2}))
    lam.get_waiter("function_updated_v2").wait(FunctionName=name, WaiterConfig={"Delay": 0.1, "MaxAttempts": 300})
    assert lam.get_function(FunctionName=name)["Configuration"]["LastUpdateStatus"] == "Successful"
    assert invoke_json(cloud, name)[1] == "v2"
    lam.update_function_configuration(FunctionName=name, Timeout=7)
    wait_updated(cloud, name)
    assert lam.publish_version(FunctionName=name)["Version"] == "1"
