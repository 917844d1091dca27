"""find_resources / delete_resources against a real pocketcloud: only what carries the workshop tag AND the
prefix is found and deleted (someone else's ``invtest-`` resources in a shared account stay), in dependency
order; what remains is read back from the cloud, and a second run over gone resources changes nothing."""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

import pytest

import pocketcloud
from helpers.aws.inventory import LAYER_MARK, ORDER, TAG_KEY, TAG_VALUE, delete_resources, find_resources
from helpers.measure.prices import hourly_cost

from .conftest import wait_for_iam_on

PREFIX = "invtest-"
TAG = [{"Key": TAG_KEY, "Value": TAG_VALUE}]

VPC_TEMPLATE = {"Resources": {"Vpc": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.42.0.0/16"}}}}
TRUST = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}],
}


def _zip(source: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("app.py", source)
    return buffer.getvalue()


def _make_everything(cloud: pocketcloud.Cloud, prefix: str, tagged: bool) -> dict[str, str]:
    """One resource of each kind named with ``prefix``, tagged as the workshop tags them when ``tagged``
    (otherwise the same names, someone else's). Returns the names/ids by kind."""
    iam, lam, s3, sns = (cloud.client(s) for s in ("iam", "lambda", "s3", "sns"))
    tags, tag_map = (TAG, {TAG_KEY: TAG_VALUE}) if tagged else ([], {})
    role = iam.create_role(RoleName=f"{prefix}role", AssumeRolePolicyDocument=json.dumps(TRUST), Tags=tags)["Role"]
    logs_only = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "logs:PutLogEvents",
                                                         "Resource": "*"}]}  # fmt: skip
    iam.put_role_policy(RoleName=f"{prefix}role", PolicyName="logs", PolicyDocument=json.dumps(logs_only))
    iam.attach_role_policy(
        RoleName=f"{prefix}role", PolicyArn="arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
    )
    wait_for_iam_on(cloud, f"role {prefix}role")  # Lambda cannot assume a role IAM has not propagated yet
    lam.create_function(FunctionName=f"{prefix}fn", Runtime="python3.12", Role=role["Arn"], Handler="app.handler",
                        Code={"ZipFile": _zip("def handler(e, c):\n    return 1\n")}, Tags=tag_map)  # fmt: skip
    lam.get_waiter("function_active_v2").wait(FunctionName=f"{prefix}fn")  # Pending at first
    description = f"{LAYER_MARK} x sha256:0" if tagged else "x sha256:0"
    lam.publish_layer_version(LayerName=f"{prefix}layer", Description=description, Content={"ZipFile": _zip("x=1")})
    s3.create_bucket(Bucket=f"{prefix}bucket")
    s3.put_object(Bucket=f"{prefix}bucket", Key="a.txt", Body=b"a")
    if tagged:
        s3.put_bucket_tagging(Bucket=f"{prefix}bucket", Tagging={"TagSet": TAG})
    topic = sns.create_topic(Name=f"{prefix}topic", Tags=tags)["TopicArn"]
    sns.subscribe(TopicArn=topic, Protocol="email", Endpoint="learner@example.com")
    cloud.client("secretsmanager").create_secret(Name=f"{prefix}secret", SecretString="{}", Tags=tags)
    cloud.client("cloudformation").create_stack(
        StackName=f"{prefix}vpc", TemplateBody=json.dumps(VPC_TEMPLATE), Tags=tags
    )
    # Lambda makes the function's log group, untagged: it is ours through its function.
    cloud.client("logs").create_log_group(logGroupName=f"/aws/lambda/{prefix}fn")
    api = cloud.client("apigateway").create_rest_api(name=f"{prefix}api", tags=tag_map)["id"]
    ec2 = cloud.client("ec2")
    vpc_tags = [{"ResourceType": "vpc", "Tags": [{"Key": "Name", "Value": f"{prefix}vpc"}, *tags]}]
    vpc = ec2.create_vpc(CidrBlock="10.43.0.0/16", TagSpecifications=vpc_tags)["Vpc"]["VpcId"]
    endpoint = ec2.create_vpc_endpoint(
        VpcEndpointType="Interface",
        VpcId=vpc,
        ServiceName="com.amazonaws.us-east-1.secretsmanager",
        TagSpecifications=[{"ResourceType": "vpc-endpoint", "Tags": TAG}],  # tagged either way: the VPC decides
    )["VpcEndpoint"]["VpcEndpointId"]
    return {"topic": topic, "api": api, "endpoint": endpoint, "vpc": vpc}


def _exists(cloud: pocketcloud.Cloud, prefix: str, ids: dict[str, str]) -> dict[str, bool]:
    """Which of the kinds made by :func:`_make_everything` still exist, read from the cloud itself."""

    def alive(call: Any) -> bool:
        try:
            return bool(call())
        except Exception as error:  # each service's own not-found error
            if "NotFound" in type(error).__name__ or "NoSuch" in type(error).__name__ or "404" in str(error):
                return False
            raise

    lam, cfn, ec2 = cloud.client("lambda"), cloud.client("cloudformation"), cloud.client("ec2")
    secrets = cloud.client("secretsmanager")
    stacks = [s for s in cfn.list_stacks()["StackSummaries"] if s["StackName"] == f"{prefix}vpc"]
    endpoints = ec2.describe_vpc_endpoints(VpcEndpointIds=[ids["endpoint"]])["VpcEndpoints"]
    return {
        "apigateway:rest-api": alive(lambda: cloud.client("apigateway").get_rest_api(restApiId=ids["api"])),
        "lambda:function": alive(lambda: lam.get_function(FunctionName=f"{prefix}fn")),
        "lambda:layer": bool(lam.list_layer_versions(LayerName=f"{prefix}layer")["LayerVersions"]),
        "s3:bucket": alive(lambda: cloud.client("s3").head_bucket(Bucket=f"{prefix}bucket") or True),
        "sns:topic": alive(lambda: cloud.client("sns").get_topic_attributes(TopicArn=ids["topic"])),
        "secretsmanager:secret": alive(lambda: secrets.describe_secret(SecretId=f"{prefix}secret")),
        "ec2:vpc-endpoint": any(e["State"].lower() != "deleted" for e in endpoints),
        "cloudformation:stack": any(s["StackStatus"] != "DELETE_COMPLETE" for s in stacks),
        "logs:log-group": bool(cloud.client("logs").describe_log_groups(logGroupNamePrefix=f"/aws/lambda/{prefix}fn")[
            "logGroups"]),
        "iam:role": alive(lambda: cloud.client("iam").get_role(RoleName=f"{prefix}role")),
    }  # fmt: skip


KINDS = set(ORDER) - {"rds:db-proxy", "rds:db-instance", "rds:db-subnet-group"}  # RDS: test_cleanup_states


@pytest.fixture
def ours_and_theirs(cloud: pocketcloud.Cloud) -> dict[str, dict[str, str]]:
    """The workshop's resources (tag and prefix) and someone else's of every kind with the same prefix."""
    return {"ours": _make_everything(cloud, PREFIX, tagged=True),
            "theirs": _make_everything(cloud, f"{PREFIX}other-", tagged=False)}  # fmt: skip


def test_cleanup_deletes_only_what_has_the_tag_and_the_prefix(cloud: pocketcloud.Cloud, ours_and_theirs: dict) -> None:
    s3 = cloud.client("s3")
    s3.create_bucket(Bucket="tagged-only-bucket")  # the tag without the prefix: not the workshop's either
    s3.put_bucket_tagging(Bucket="tagged-only-bucket", Tagging={"TagSet": TAG})

    found = find_resources(cloud.client, PREFIX)
    assert {r.kind for r in found} == KINDS
    assert all(r.name.startswith(PREFIX) or r.kind in ("apigateway:rest-api", "sns:topic", "ec2:vpc-endpoint",
               "logs:log-group") for r in found)  # fmt: skip
    names = {r.name for r in found}
    assert not any("other-" in name for name in names), f"someone else's resources listed: {sorted(names)}"
    assert "tagged-only-bucket" not in names
    assert hourly_cost(found) > 0, "the secret and the endpoint cost money while they exist"

    delete_resources(cloud.client, found, on_deleted=lambda r: None)
    assert _exists(cloud, PREFIX, ours_and_theirs["ours"]) == dict.fromkeys(KINDS, False), "ours are all gone"
    assert _exists(cloud, f"{PREFIX}other-", ours_and_theirs["theirs"]) == dict.fromkeys(KINDS, True), (
        "someone else's are all still there"
    )
    assert "tagged-only-bucket" in {b["Name"] for b in s3.list_buckets()["Buckets"]}
    assert find_resources(cloud.client, PREFIX) == []

    delete_resources(cloud.client, found)  # a second run over gone resources: no error, nothing else touched
    assert _exists(cloud, f"{PREFIX}other-", ours_and_theirs["theirs"]) == dict.fromkeys(KINDS, True)
    assert find_resources(cloud.client, PREFIX) == []
