"""The workshop's permissions boundary in force: a role the helpers make cannot do more than the boundary allows,
whatever policy it is given. Real functions on the test session's pocketcloud make the calls themselves."""

from __future__ import annotations

import io
import json
import uuid
import zipfile

import pocketcloud
from helpers.aws import iam
from helpers.aws.iam import allow, boundary_arn, ensure_lambda_role, policy

from .conftest import workshop_on

# Each call the event names, made with the function's own credentials: "ok" or IAM's refusal.
PROBE = """
import boto3

def handler(event, context):
    answers = {}
    for service, operation, params in event["calls"]:
        client = boto3.client(service)
        try:
            getattr(client, operation)(**params)
            answers[operation] = "ok"
        except client.exceptions.ClientError as exc:
            answers[operation] = exc.response["Error"]["Code"] + ": " + exc.response["Error"]["Message"]
    return answers
"""


def _zip(source: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("app.py", source)
    return buffer.getvalue()


def test_a_role_given_more_than_the_boundary_gets_only_what_the_boundary_allows(cloud: pocketcloud.Cloud) -> None:
    with workshop_on(cloud, "bnd-") as ws:
        topic = cloud.client("sns").create_topic(Name=ws.name("topic"))["TopicArn"]
        too_much = policy(
            allow("sns:Publish", topic),
            allow(["s3:ListAllMyBuckets", "sqs:ListQueues"], "*"),  # outside the boundary
        )
        role_name = ws.name("probe-role")
        role = ensure_lambda_role(ws, role_name, inline={"too-much": too_much})
        described = cloud.client("iam").get_role(RoleName=role_name)["Role"]
        assert described["PermissionsBoundary"]["PermissionsBoundaryArn"] == boundary_arn(ws.account, "bnd-")
        function = ws.name("probe", uuid.uuid4().hex[:6])
        lam = cloud.client("lambda")
        lam.create_function(
            FunctionName=function, Runtime="python3.12", Role=role, Handler="app.handler", Code={"ZipFile": _zip(PROBE)}
        )
        lam.get_waiter("function_active_v2").wait(FunctionName=function, WaiterConfig={"Delay": 0.1})
        calls = [
            ("sns", "publish", {"TopicArn": topic, "Message": "within the boundary"}),
            ("s3", "list_buckets", {}),
            ("sqs", "list_queues", {}),
        ]
        answers = json.loads(lam.invoke(FunctionName=function, Payload=json.dumps({"calls": calls}))["Payload"].read())
    assert answers["publish"] == "ok"
    for operation, action in (("list_buckets", "s3:ListAllMyBuckets"), ("list_queues", "sqs:ListQueues")):
        assert answers[operation].startswith("AccessDenied"), answers
        assert f"because no permissions boundary allows the {action} action" in answers[operation]


def test_a_role_made_before_the_boundary_gets_it(cloud: pocketcloud.Cloud) -> None:
    with workshop_on(cloud, "bnd2-") as ws:
        name = ws.name("older-role")
        client = cloud.client("iam")
        client.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(iam.LAMBDA_TRUST))
        ensure_lambda_role(ws, name)
        described = client.get_role(RoleName=name)["Role"]
        assert described["PermissionsBoundary"]["PermissionsBoundaryArn"] == boundary_arn(ws.account, "bnd2-")
        # The boundary is the file's, for this session's prefix.
        version = client.get_policy(PolicyArn=boundary_arn(ws.account, "bnd2-"))["Policy"]["DefaultVersionId"]
        document = client.get_policy_version(PolicyArn=boundary_arn(ws.account, "bnd2-"), VersionId=version)
        assert document["PolicyVersion"]["Document"] == json.loads(iam.boundary_document("bnd2-"))


def test_an_older_boundary_is_brought_up_to_date(cloud: pocketcloud.Cloud) -> None:
    """A learner's .pocketcloud outlives a git pull: the boundary an older workshop made gets the file's document
    as a new default version, even when the policy already has IAM's five versions."""
    with workshop_on(cloud, "bnd3-") as ws:
        client = cloud.client("iam")
        arn = boundary_arn(ws.account, "bnd3-")
        older = policy(allow("logs:PutLogEvents", "*"))
        client.create_policy(PolicyName=ws.name(iam.BOUNDARY), PolicyDocument=json.dumps(older))
        for _ in range(4):
            client.create_policy_version(PolicyArn=arn, PolicyDocument=json.dumps(older), SetAsDefault=False)
        assert iam.ensure_boundary(ws) == arn
        version = client.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"]
        document = client.get_policy_version(PolicyArn=arn, VersionId=version)["PolicyVersion"]["Document"]
        assert document == json.loads(iam.boundary_document("bnd3-"))
        assert len(client.list_policy_versions(PolicyArn=arn)["Versions"]) == 5
        iam.ensure_boundary(ws)  # up to date: no new version
        assert client.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"] == version
