"""What a function may do: its AWS calls run with its execution role, and Lambda checks the role.

Every function here is real and makes its AWS calls itself, with the credentials Lambda gave its
environment; the test's own client (dummy keys) keeps full access throughout.
"""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

import pytest
from botocore.exceptions import ClientError

import pocketcloud

from .conftest import (
    BASIC_EXECUTION,
    TRUST,
    VPC_EXECUTION,
    XRAY_WRITE,
    Deploy,
    invoke_json,
    role_arn,
    wait_active,
    wait_for_iam,
    zip_files,
)

ACCOUNT = "123456789012"
SECRETS_READ_WRITE = "arn:aws:iam::aws:policy/SecretsManagerReadWrite"

# One handler for every call: {"service": ..., "operation": ..., "params": {...}} -> the answer or the error.
CALLER = """
import boto3, os
from botocore.config import Config

def handler(event, context):
    kwargs = {"config": Config(retries={"total_max_attempts": 1})}
    if event.get("without_token"):
        kwargs.update(aws_access_key_id=os.environ["AWS_ACCESS_KEY_ID"],
                      aws_secret_access_key=os.environ["AWS_SECRET_ACCESS_KEY"], aws_session_token="")
    client = boto3.client(event["service"], **kwargs)
    try:
        answer = getattr(client, event["operation"])(**event.get("params", {}))
    except client.exceptions.ClientError as exc:
        return {"code": exc.response["Error"]["Code"], "message": exc.response["Error"]["Message"],
                "status": exc.response["ResponseMetadata"]["HTTPStatusCode"]}
    answer.pop("ResponseMetadata", None)
    answer.pop("Payload", None)
    return {"answer": {k: v for k, v in answer.items() if isinstance(v, (str, int, bool, list, dict))}}
"""


# A segment sent to the X-Ray daemon the way the X-Ray SDK sends it (a JSON header line, then the segment).
UDP_SEGMENT = """
import json, os, socket, time

def handler(event, context):
    host, port = os.environ["AWS_XRAY_DAEMON_ADDRESS"].split(":")
    now = time.time()
    segment = {"name": "udp-probe", "id": os.urandom(8).hex(), "trace_id": event["trace_id"],
               "start_time": now, "end_time": now + 0.001}
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.sendto(b'{"format": "json", "version": 1}\\n' + json.dumps(segment).encode(), (host, int(port)))
    return "sent"
"""


def _role(cloud: pocketcloud.Cloud, managed: tuple[str, ...] = (BASIC_EXECUTION,), **inline: Any) -> tuple[str, str]:
    name = f"iam-fn-{uuid.uuid4().hex[:8]}"
    return name, role_arn(cloud, name, managed=managed, inline=inline)


def _call(cloud: pocketcloud.Cloud, function: str, service: str, operation: str, **params: Any) -> dict[str, Any]:
    _, body = invoke_json(cloud, function, {"service": service, "operation": operation, "params": params})
    return body


def _denied(role: str, function: str, action: str, resource: str | None = None) -> str:
    on = f" on resource: {resource}" if resource else ""
    return (
        f"User: arn:aws:sts::{ACCOUNT}:assumed-role/{role}/{function} is not authorized to perform: {action}{on}"
        f" because no identity-based policy allows the {action} action"
    )


def _allow(action: str, resource: str) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": action, "Resource": resource}]}


@pytest.fixture
def secret(cloud: pocketcloud.Cloud) -> str:
    name = f"app-{uuid.uuid4().hex[:8]}"
    cloud.client("secretsmanager").create_secret(Name=name, SecretString="s3cr3t")
    return name


# -- a function's calls run with its execution role ------------------------------------------------------


def test_a_secret_is_read_only_once_the_role_allows_it(cloud: pocketcloud.Cloud, deploy: Deploy, secret: str) -> None:
    role, arn = _role(cloud)
    function = deploy(CALLER, Role=arn)
    denied = _call(cloud, function, "secretsmanager", "get_secret_value", SecretId=secret)
    assert denied == {
        "code": "AccessDeniedException",
        "status": 400,
        "message": _denied(role, function, "secretsmanager:GetSecretValue", secret),
    }
    # The test's own credentials are not the function's: they keep full access.
    assert cloud.client("secretsmanager").get_secret_value(SecretId=secret)["SecretString"] == "s3cr3t"

    wildcard = f"arn:aws:secretsmanager:us-east-1:{ACCOUNT}:secret:app-*"  # a secret's ARN ends in -XXXXXX
    cloud.client("iam").put_role_policy(
        RoleName=role, PolicyName="read", PolicyDocument=json.dumps(_allow("secretsmanager:GetSecretValue", wildcard))
    )
    wait_for_iam(cloud)
    assert _call(cloud, function, "secretsmanager", "get_secret_value", SecretId=secret)["answer"]["SecretString"] == (
        "s3cr3t"
    )
    other = _call(cloud, function, "secretsmanager", "describe_secret", SecretId=secret)
    assert other["code"] == "AccessDeniedException", "GetSecretValue does not grant DescribeSecret"


def test_an_explicit_deny_wins_over_a_managed_policy_that_allows(
    cloud: pocketcloud.Cloud, deploy: Deploy, secret: str
) -> None:
    deny = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Deny", "Action": "secretsmanager:Get*", "Resource": "*"}],
    }
    role, arn = _role(cloud, (BASIC_EXECUTION, SECRETS_READ_WRITE), deny=deny)
    function = deploy(CALLER, Role=arn)
    assert _call(cloud, function, "secretsmanager", "get_secret_value", SecretId=secret) == {
        "code": "AccessDeniedException",
        "status": 400,
        "message": (
            f"User: arn:aws:sts::{ACCOUNT}:assumed-role/{role}/{function} is not authorized to perform: "
            f"secretsmanager:GetSecretValue on resource: {secret} with an explicit deny in an identity-based policy"
        ),
    }
    # What the deny does not cover, the managed policy grants (SecretsManagerReadWrite: secretsmanager:*).
    assert _call(cloud, function, "secretsmanager", "describe_secret", SecretId=secret)["answer"]["Name"] == secret


def test_a_managed_policy_grants_what_it_really_grants(cloud: pocketcloud.Cloud, deploy: Deploy, secret: str) -> None:
    role, arn = _role(cloud, (BASIC_EXECUTION, SECRETS_READ_WRITE))
    function = deploy(CALLER, Role=arn)
    assert _call(cloud, function, "secretsmanager", "get_secret_value", SecretId=secret)["answer"]["SecretString"] == (
        "s3cr3t"
    )
    assert "Vpcs" in _call(cloud, function, "ec2", "describe_vpcs")["answer"], "ec2:DescribeVpcs is in the policy"
    # SecretsManagerReadWrite grants lambda:InvokeFunction only on functions named SecretsManager*.
    invoked = _call(cloud, function, "lambda", "invoke", FunctionName=function)
    assert invoked == {
        "code": "AccessDeniedException",
        "status": 403,
        "message": _denied(
            role, function, "lambda:InvokeFunction", f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:{function}"
        ),
    }
    topic = cloud.client("sns").create_topic(Name=f"iam-{uuid.uuid4().hex[:8]}")["TopicArn"]
    published = _call(cloud, function, "sns", "publish", TopicArn=topic, Message="hi")
    assert published == {
        "code": "AuthorizationError",
        "status": 403,
        "message": _denied(role, function, "SNS:Publish", topic),
    }


def test_query_and_ec2_services_answer_in_their_own_shape(cloud: pocketcloud.Cloud, deploy: Deploy) -> None:
    role, arn = _role(cloud)
    function = deploy(CALLER, Role=arn)
    assert _call(cloud, function, "iam", "list_roles") == {
        "code": "AccessDenied",
        "status": 403,
        "message": _denied(role, function, "iam:ListRoles"),
    }
    assert _call(cloud, function, "ec2", "describe_vpcs") == {
        "code": "UnauthorizedOperation",
        "status": 403,
        "message": "You are not authorized to perform this operation. " + _denied(role, function, "ec2:DescribeVpcs"),
    }
    assert _call(cloud, function, "rds", "describe_db_instances")["code"] == "AccessDenied"


def test_x_ray_over_http_needs_put_trace_segments_but_the_daemon_does_not(
    cloud: pocketcloud.Cloud, deploy: Deploy
) -> None:
    segment = json.dumps(
        {"name": "probe", "id": "70de5b6f19ff9a0a", "trace_id": "1-581cf771-a006649127e371903a2de979",
         "start_time": 1.0, "end_time": 2.0}
    )  # fmt: skip
    role, arn = _role(cloud)
    function = deploy(CALLER, Role=arn)
    assert _call(cloud, function, "xray", "put_trace_segments", TraceSegmentDocuments=[segment]) == {
        "code": "AccessDeniedException",
        "status": 403,
        "message": _denied(role, function, "xray:PutTraceSegments"),
    }
    # The same role's segments sent to the daemon over UDP arrive: the daemon is not an AWS API call.
    trace_id = f"1-{int(time.time()):08x}-{uuid.uuid4().hex[:24]}"
    udp = deploy(UDP_SEGMENT, Role=arn)
    invoke_json(cloud, udp, {"trace_id": trace_id})
    deadline = time.monotonic() + 30
    while not cloud.client("xray").batch_get_traces(TraceIds=[trace_id])["Traces"]:
        assert time.monotonic() < deadline, "the segment sent to the daemon never arrived"
        time.sleep(0.2)
    cloud.client("iam").attach_role_policy(RoleName=role, PolicyArn=XRAY_WRITE)
    wait_for_iam(cloud)
    answer = _call(cloud, function, "xray", "put_trace_segments", TraceSegmentDocuments=[segment])
    assert answer["answer"]["UnprocessedTraceSegments"] == []


def test_a_function_is_its_role_session(cloud: pocketcloud.Cloud, deploy: Deploy) -> None:
    role, arn = _role(cloud)
    function = deploy(CALLER, Role=arn)
    role_id = cloud.client("iam").get_role(RoleName=role)["Role"]["RoleId"]
    identity = _call(cloud, function, "sts", "get_caller_identity")["answer"]
    assert identity == {
        "Arn": f"arn:aws:sts::{ACCOUNT}:assumed-role/{role}/{function}",
        "UserId": f"{role_id}:{function}",
        "Account": ACCOUNT,
    }


def test_the_access_key_alone_is_not_enough(cloud: pocketcloud.Cloud, deploy: Deploy) -> None:
    _, arn = _role(cloud, (BASIC_EXECUTION, SECRETS_READ_WRITE))
    function = deploy(CALLER, Role=arn)
    _, body = invoke_json(
        cloud, function, {"service": "secretsmanager", "operation": "list_secrets", "without_token": True}
    )
    assert body == {
        "code": "UnrecognizedClientException",
        "status": 400,
        "message": "The security token included in the request is invalid.",
    }


# -- CreateFunction and UpdateFunctionConfiguration check the role ----------------------------------------


def _create(cloud: pocketcloud.Cloud, role: str, **config: Any) -> dict[str, Any]:
    name = config.pop("FunctionName", f"iam-cf-{uuid.uuid4().hex[:8]}")
    code = config.pop("Code", None) or {"ZipFile": zip_files({"app.py": "def handler(e, c):\n    return 1\n"})}
    return dict(
        cloud.client("lambda").create_function(
            FunctionName=name, Runtime="python3.12", Role=role, Handler="app.handler", Code=code, **config
        )
    )


def _refusal(call: Any) -> tuple[str, int, str]:
    with pytest.raises(ClientError) as caught:
        call()
    error = caught.value.response
    return error["Error"]["Code"], error["ResponseMetadata"]["HTTPStatusCode"], error["Error"]["Message"]


CANNOT_ASSUME = (
    "InvalidParameterValueException",
    400,
    "The role defined for the function cannot be assumed by Lambda.",
)


def test_a_role_lambda_cannot_assume_is_refused(cloud: pocketcloud.Cloud) -> None:
    ec2_only = json.dumps(
        {"Version": "2012-10-17",
         "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
    )  # fmt: skip
    iam = cloud.client("iam")
    wrong = iam.create_role(RoleName=f"iam-ec2-{uuid.uuid4().hex[:6]}", AssumeRolePolicyDocument=ec2_only)["Role"][
        "Arn"
    ]
    wait_for_iam(cloud)
    assert _refusal(lambda: _create(cloud, wrong)) == CANNOT_ASSUME
    assert _refusal(lambda: _create(cloud, f"arn:aws:iam::{ACCOUNT}:role/no-such-role")) == CANNOT_ASSUME
    _, good = _role(cloud)
    assert _create(cloud, good)["Role"] == good


def test_a_vpc_function_needs_network_interface_permissions(cloud: pocketcloud.Cloud) -> None:
    ec2 = cloud.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.42.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.42.1.0/24", AvailabilityZone="us-east-1a")["Subnet"]["SubnetId"]
    group = ec2.create_security_group(GroupName=f"iam-{uuid.uuid4().hex[:6]}", Description="fn", VpcId=vpc)["GroupId"]
    vpc_config = {"SubnetIds": [subnet], "SecurityGroupIds": [group]}
    _, basic = _role(cloud)
    assert _refusal(lambda: _create(cloud, basic, VpcConfig=vpc_config)) == (
        "InvalidParameterValueException",
        400,
        "The provided execution role does not have permissions to call CreateNetworkInterface on EC2",
    )
    _, vpc_role = _role(cloud, (VPC_EXECUTION,))
    assert _create(cloud, vpc_role, VpcConfig=vpc_config)["VpcConfig"]["SubnetIds"] == [subnet]


def test_active_tracing_needs_x_ray_write_permissions(cloud: pocketcloud.Cloud) -> None:
    xray_refusal = (
        "InvalidParameterValueException",
        400,
        "The provided execution role does not have permissions to call PutTraceSegments on XRAY",
    )
    role, basic = _role(cloud)
    assert _refusal(lambda: _create(cloud, basic, TracingConfig={"Mode": "Active"})) == xray_refusal
    name = _create(cloud, basic)["FunctionName"]
    wait_active(cloud, name)
    update = cloud.client("lambda").update_function_configuration
    assert _refusal(lambda: update(FunctionName=name, TracingConfig={"Mode": "Active"})) == xray_refusal
    cloud.client("iam").attach_role_policy(RoleName=role, PolicyArn=XRAY_WRITE)
    wait_for_iam(cloud)
    assert update(FunctionName=name, TracingConfig={"Mode": "Active"})["TracingConfig"] == {"Mode": "Active"}


def test_update_to_a_role_lambda_cannot_assume_is_refused(cloud: pocketcloud.Cloud) -> None:
    _, good = _role(cloud)
    name = _create(cloud, good)["FunctionName"]
    wait_active(cloud, name)
    update = cloud.client("lambda").update_function_configuration
    assert _refusal(lambda: update(FunctionName=name, Role=f"arn:aws:iam::{ACCOUNT}:role/missing")) == CANNOT_ASSUME
    assert cloud.client("lambda").get_function_configuration(FunctionName=name)["Role"] == good


# -- IAM is eventually consistent ---------------------------------------------------------------------

PROPAGATION_S = 10.0  # long enough that no two consecutive steps of a test are further apart


@pytest.fixture(scope="module")
def slow_iam() -> Any:
    """A cloud whose IAM changes reach Lambda and the other services PROPAGATION_S after IAM made them."""
    with pocketcloud.running(iam_propagation_seconds=PROPAGATION_S) as slow:
        yield slow


def test_a_new_role_cannot_be_assumed_until_iam_propagates(slow_iam: pocketcloud.Cloud) -> None:
    iam = slow_iam.client("iam")
    name = f"iam-fresh-{uuid.uuid4().hex[:6]}"
    arn = iam.create_role(RoleName=name, AssumeRolePolicyDocument=TRUST)["Role"]["Arn"]
    assert iam.get_role(RoleName=name)["Role"]["Arn"] == arn, "IAM itself answers at once"
    assert _refusal(lambda: _create(slow_iam, arn)) == CANNOT_ASSUME
    wait_for_iam(slow_iam)
    assert _create(slow_iam, arn)["Role"] == arn


def test_the_old_policies_apply_until_iam_propagates(slow_iam: pocketcloud.Cloud) -> None:
    role, arn = _role(slow_iam)  # waits until the role is usable
    function = _create(slow_iam, arn, Code={"ZipFile": zip_files({"app.py": CALLER})})["FunctionName"]
    wait_active(slow_iam, function)
    before = _call(slow_iam, function, "sns", "list_topics")
    assert before["code"] == "AuthorizationError"
    slow_iam.client("iam").put_role_policy(
        RoleName=role, PolicyName="list", PolicyDocument=json.dumps(_allow("sns:ListTopics", "*"))
    )
    assert _call(slow_iam, function, "sns", "list_topics") == before, "the policy is put, not yet in force"
    wait_for_iam(slow_iam)
    assert _call(slow_iam, function, "sns", "list_topics")["answer"] == {"Topics": []}


@pytest.mark.parametrize("enforce", [False])
def test_with_rules_off_every_call_is_allowed_and_any_role_accepted(make_cloud: Any, enforce: bool) -> None:
    permissive = make_cloud(enforce_rules=enforce)
    iam = permissive.client("iam")
    ec2_trust = json.dumps({"Version": "2012-10-17", "Statement": []})
    arn = iam.create_role(RoleName="iam-off", AssumeRolePolicyDocument=ec2_trust)["Role"]["Arn"]
    name = _create(permissive, arn, TracingConfig={"Mode": "Active"}, Code={"ZipFile": zip_files({"app.py": CALLER})})[
        "FunctionName"
    ]
    wait_active(permissive, name)
    permissive.client("secretsmanager").create_secret(Name="app-off", SecretString="open")
    assert (
        _call(permissive, name, "secretsmanager", "get_secret_value", SecretId="app-off")["answer"]["SecretString"]
        == "open"
    )
