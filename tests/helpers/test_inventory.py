"""find_resources / delete_resources against a real pocketcloud: finds by prefix and tag, deletes in
dependency order, runs twice without error, and never touches what is not the workshop's."""

from __future__ import annotations

import io
import json
import zipfile

import pytest

import pocketcloud
from helpers.aws.inventory import TAG_KEY, TAG_VALUE, delete_resources, find_resources
from helpers.measure.prices import hourly_cost

from .conftest import wait_for_iam_on

PREFIX = "invtest-"

VPC_TEMPLATE = {
    "Resources": {
        "Vpc": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.42.0.0/16"}},
    }
}


def _policy(statement: dict) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


def _zip(source: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("app.py", source)
    return buffer.getvalue()


@pytest.fixture
def workshop_resources(cloud: pocketcloud.Cloud) -> dict[str, str]:
    iam, lam, s3, sns = (cloud.client(s) for s in ("iam", "lambda", "s3", "sns"))
    trust = _policy({"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"})
    role = iam.create_role(RoleName=f"{PREFIX}role", AssumeRolePolicyDocument=trust)["Role"]
    logs_only = _policy({"Effect": "Allow", "Action": "logs:PutLogEvents", "Resource": "*"})
    iam.put_role_policy(RoleName=f"{PREFIX}role", PolicyName="logs", PolicyDocument=logs_only)
    iam.attach_role_policy(
        RoleName=f"{PREFIX}role", PolicyArn="arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
    )
    wait_for_iam_on(cloud, f"role {PREFIX}role")  # Lambda cannot assume a role IAM has not propagated yet
    lam.create_function(
        FunctionName=f"{PREFIX}fn",
        Runtime="python3.12",
        Role=role["Arn"],
        Handler="app.handler",
        Code={"ZipFile": _zip("def handler(e, c):\n    return 1\n")},
    )
    lam.get_waiter("function_active_v2").wait(FunctionName=f"{PREFIX}fn")  # Pending at first
    lam.publish_layer_version(LayerName=f"{PREFIX}layer", Content={"ZipFile": _zip("x = 1\n")})
    s3.create_bucket(Bucket=f"{PREFIX}bucket")
    s3.put_object(Bucket=f"{PREFIX}bucket", Key="a.txt", Body=b"a")
    s3.create_bucket(Bucket="tagged-only-bucket")
    s3.put_bucket_tagging(Bucket="tagged-only-bucket", Tagging={"TagSet": [{"Key": TAG_KEY, "Value": TAG_VALUE}]})
    s3.create_bucket(Bucket="someone-elses-bucket")
    topic = sns.create_topic(Name=f"{PREFIX}topic")["TopicArn"]
    sns.subscribe(TopicArn=topic, Protocol="email", Endpoint="learner@example.com")
    cloud.client("secretsmanager").create_secret(Name=f"{PREFIX}secret", SecretString="{}")
    cloud.client("cloudformation").create_stack(StackName=f"{PREFIX}vpc", TemplateBody=json.dumps(VPC_TEMPLATE))
    cloud.client("logs").create_log_group(logGroupName=f"/aws/lambda/{PREFIX}fn")
    cloud.client("apigateway").create_rest_api(name=f"{PREFIX}api")
    ec2 = cloud.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.43.0.0/16")["Vpc"]["VpcId"]
    ec2.create_vpc_endpoint(
        VpcEndpointType="Interface",
        VpcId=vpc,
        ServiceName="com.amazonaws.us-east-1.secretsmanager",
        TagSpecifications=[{"ResourceType": "vpc-endpoint", "Tags": [{"Key": TAG_KEY, "Value": TAG_VALUE}]}],
    )
    return {"topic": topic}


def test_cleanup_finds_deletes_and_is_safe_to_repeat(cloud: pocketcloud.Cloud, workshop_resources: dict) -> None:
    found = find_resources(cloud.client, PREFIX)
    kinds = {r.kind for r in found}
    assert kinds >= {
        "apigateway:rest-api",
        "lambda:function",
        "lambda:layer",
        "s3:bucket",
        "sns:topic",
        "secretsmanager:secret",
        "ec2:vpc-endpoint",
        "cloudformation:stack",
        "logs:log-group",
        "iam:role",
    }
    names = {r.name for r in found}
    assert "tagged-only-bucket" in names, "found by tag even without the prefix"
    assert "someone-elses-bucket" not in names
    assert hourly_cost(found) > 0, "the secret costs money while it exists"

    deleted = delete_resources(cloud.client, found)
    assert {r.name for r in deleted} == names
    assert find_resources(cloud.client, PREFIX) == []
    assert delete_resources(cloud.client, found) == found, "a second run over gone resources is a no-op"

    buckets = {b["Name"] for b in cloud.client("s3").list_buckets()["Buckets"]}
    assert "someone-elses-bucket" in buckets
