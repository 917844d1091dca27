"""S3 notifications and SNS subscriptions run real functions; SNS email goes to the local mailbox."""

from __future__ import annotations

import contextlib
import json
import re
import urllib.request

import botocore.exceptions
import pytest

import pocketcloud

from ..waiting import wait_until
from .conftest import Deploy

RECORDER = """
import boto3, json, uuid
def handler(event, context):
    event['request_id'] = context.aws_request_id
    boto3.client('s3').put_object(Bucket='ev-results', Key=uuid.uuid4().hex, Body=json.dumps(event))
    if event.get('Records', [{}])[0].get('s3', {}).get('object', {}).get('key') == 'fail.txt':
        raise RuntimeError('failing on purpose')
"""


# Records the event only once the test lets it (an object ``release/<key>`` in ev-results), so that the test
# can tell whether whoever sent the event waited for the function to finish.
GATED = """
import boto3, json, time, uuid
def handler(event, context):
    s3 = boto3.client('s3')
    key = event['Records'][0]['s3']['object']['key']
    s3.put_object(Bucket='ev-results', Key='started/' + key, Body=b'')
    while not s3.list_objects_v2(Bucket='ev-results', Prefix='release/' + key).get('KeyCount'):
        time.sleep(0.1)
    s3.put_object(Bucket='ev-results', Key=uuid.uuid4().hex, Body=json.dumps(event))
"""


def _keys_any(cloud: pocketcloud.Cloud, prefix: str = "") -> list[str]:
    listed = cloud.client("s3").list_objects_v2(Bucket="ev-results", Prefix=prefix).get("Contents", [])
    return [o["Key"] for o in listed]


def _keys(cloud: pocketcloud.Cloud) -> list[str]:
    """The recorded events' keys (not the gate's signals)."""
    return [k for k in _keys_any(cloud) if not k.startswith(("started/", "release/"))]


def _results(cloud: pocketcloud.Cloud, expected: int) -> list[dict]:
    """The events recorded in ev-results, once there are at least ``expected`` of them."""
    s3 = cloud.client("s3")
    keys = wait_until(
        lambda: k if len(k := _keys(cloud)) >= expected else None,
        60,
        f"{expected} recorded events",
        seen=lambda: _keys(cloud),
    )
    return [json.loads(s3.get_object(Bucket="ev-results", Key=k)["Body"].read()) for k in keys]


def _recording(cloud: pocketcloud.Cloud, deploy: Deploy, source: str, **config: object) -> str:
    s3 = cloud.client("s3")
    with contextlib.suppress(s3.exceptions.BucketAlreadyOwnedByYou):
        s3.create_bucket(Bucket="ev-results")
    for obj in s3.list_objects_v2(Bucket="ev-results").get("Contents", []):
        s3.delete_object(Bucket="ev-results", Key=obj["Key"])
    name = deploy(source, **config)
    return str(cloud.client("lambda").get_function(FunctionName=name)["Configuration"]["FunctionArn"])


@pytest.fixture
def recorder(cloud: pocketcloud.Cloud, deploy: Deploy) -> str:
    return _recording(cloud, deploy, RECORDER)


@pytest.fixture
def gated(cloud: pocketcloud.Cloud, deploy: Deploy) -> str:
    return _recording(cloud, deploy, GATED, Timeout=60)


def test_s3_upload_runs_the_function_asynchronously(cloud: pocketcloud.Cloud, gated: str) -> None:
    s3 = cloud.client("s3")
    s3.create_bucket(Bucket="ev-uploads")
    s3.put_bucket_notification_configuration(
        Bucket="ev-uploads",
        NotificationConfiguration={
            "LambdaFunctionConfigurations": [{"LambdaFunctionArn": gated, "Events": ["s3:ObjectCreated:*"]}]
        },
    )
    key = "reports/q3+summary.csv"  # as the event names "reports/q3 summary.csv"
    s3.put_object(Bucket="ev-uploads", Key="reports/q3 summary.csv", Body=b"a,b\n1,2\n")
    # The PUT has answered; the function runs meanwhile and cannot finish before the release below. Had the
    # PUT waited for it, the function would have timed out waiting, and no event would ever be recorded.
    wait_until(lambda: _keys_any(cloud, f"started/{key}"), 60, "the function to start")
    assert _keys(cloud) == [], "the function is still running"
    s3.put_object(Bucket="ev-results", Key=f"release/{key}", Body=b"")
    [event] = _results(cloud, 1)
    record = event["Records"][0]
    assert record["eventSource"] == "aws:s3"
    assert record["eventName"] == "ObjectCreated:Put"
    assert record["awsRegion"] == cloud.region
    assert record["s3"]["bucket"]["name"] == "ev-uploads"
    assert record["s3"]["object"]["key"] == "reports/q3+summary.csv"
    assert record["s3"]["object"]["size"] == 8


def test_failed_async_invocation_is_retried_twice(cloud: pocketcloud.Cloud, recorder: str) -> None:
    s3 = cloud.client("s3")
    s3.create_bucket(Bucket="ev-failing")
    s3.put_bucket_notification_configuration(
        Bucket="ev-failing",
        NotificationConfiguration={
            "LambdaFunctionConfigurations": [{"LambdaFunctionArn": recorder, "Events": ["s3:ObjectCreated:*"]}]
        },
    )
    s3.put_object(Bucket="ev-failing", Key="fail.txt", Body=b"x")
    # 1 s then 2 s between attempts (setting lambda_async_retry_delay); the server logs when it gives up.
    name = recorder.rsplit(":", 1)[1]
    wait_until(
        lambda: re.search(rf"of {name} failed after \d+ retries", cloud.settings.log_file.read_text(errors="replace")),
        120,
        f"pocketcloud to log that it gave up on {name}",
    )
    attempts = _results(cloud, 1)
    assert len(attempts) == 3, "one attempt plus two retries"
    assert len({a["request_id"] for a in attempts}) == 1, "retries keep the request id"


def test_sns_lambda_subscription(cloud: pocketcloud.Cloud, recorder: str) -> None:
    sns = cloud.client("sns")
    topic = sns.create_topic(Name="ev-orders")["TopicArn"]
    sns.subscribe(TopicArn=topic, Protocol="lambda", Endpoint=recorder)
    sns.publish(TopicArn=topic, Message="order 17 shipped", Subject="Order update")
    [event] = _results(cloud, 1)
    record = event["Records"][0]
    assert record["EventSource"] == "aws:sns"
    assert record["Sns"]["Message"] == "order 17 shipped"
    assert record["Sns"]["Subject"] == "Order update"
    assert record["Sns"]["TopicArn"] == topic


def test_email_subscription_needs_confirmation_then_delivers(cloud: pocketcloud.Cloud) -> None:
    sns = cloud.client("sns")
    topic = sns.create_topic(Name="ev-mail")["TopicArn"]
    sub = sns.subscribe(TopicArn=topic, Protocol="email", Endpoint="ada@example.com", ReturnSubscriptionArn=True)
    attrs = sns.get_subscription_attributes(SubscriptionArn=sub["SubscriptionArn"])["Attributes"]
    assert attrs["PendingConfirmation"] == "true"
    sns.publish(TopicArn=topic, Message="before confirmation")
    inbox = [m for m in cloud.mailbox() if m["to"] == "ada@example.com"]
    assert [m["kind"] for m in inbox] == ["confirmation"], "nothing is delivered before confirmation"
    token = inbox[0]["body"].split("Token=")[-1].split()[0]

    with pytest.raises(botocore.exceptions.ClientError) as bad:
        sns.confirm_subscription(TopicArn=topic, Token="wrong-token")
    assert bad.value.response["Error"]["Code"] == "InvalidParameter"
    confirmed = sns.confirm_subscription(TopicArn=topic, Token=token)
    assert confirmed["SubscriptionArn"] == sub["SubscriptionArn"]

    sns.publish(TopicArn=topic, Message="hello Ada", Subject="Greetings")
    mail = [m for m in cloud.mailbox() if m["to"] == "ada@example.com" and m["kind"] == "notification"]
    assert [(m["subject"], m["body"]) for m in mail] == [("Greetings", "hello Ada")]


def test_confirmation_link_and_email_json(cloud: pocketcloud.Cloud) -> None:
    sns = cloud.client("sns")
    topic = sns.create_topic(Name="ev-mail-json")["TopicArn"]
    sns.subscribe(TopicArn=topic, Protocol="email-json", Endpoint="grace@example.com")
    [confirmation] = [m for m in cloud.mailbox() if m["to"] == "grace@example.com"]
    link = next(line for line in confirmation["body"].splitlines() if line.startswith("http"))
    with urllib.request.urlopen(link, timeout=10) as page:
        assert b"confirmed" in page.read()
    sns.publish(TopicArn=topic, Message="structured")
    [mail] = [m for m in cloud.mailbox() if m["to"] == "grace@example.com" and m["kind"] == "notification"]
    body = json.loads(mail["body"])
    assert body["Type"] == "Notification" and body["Message"] == "structured" and body["TopicArn"] == topic


def test_an_unconfirmed_email_subscription_is_pending_until_its_link_is_followed(cloud: pocketcloud.Cloud) -> None:
    sns = cloud.client("sns")
    topic = sns.create_topic(Name="ev-pending")["TopicArn"]
    answer = sns.subscribe(TopicArn=topic, Protocol="email", Endpoint="linus@example.com")
    assert answer["SubscriptionArn"] == "pending confirmation", "Subscribe names no ARN before confirmation"
    [listed] = sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]
    assert (listed["SubscriptionArn"], listed["Endpoint"], listed["Protocol"]) == (
        "PendingConfirmation",
        "linus@example.com",
        "email",
    )
    everywhere = [s for s in sns.list_subscriptions()["Subscriptions"] if s["TopicArn"] == topic]
    assert [s["SubscriptionArn"] for s in everywhere] == ["PendingConfirmation"]
    sns.publish(TopicArn=topic, Message="too early")
    inbox = [m for m in cloud.mailbox() if m["to"] == "linus@example.com"]
    assert [m["kind"] for m in inbox] == ["confirmation"], "SNS delivers nothing to a pending subscription"

    link = next(line for line in inbox[0]["body"].splitlines() if line.startswith("http"))
    with urllib.request.urlopen(link, timeout=10) as page:
        assert b"confirmed" in page.read()
    [confirmed] = sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]
    assert confirmed["SubscriptionArn"].startswith(topic + ":")
    assert (
        sns.subscribe(TopicArn=topic, Protocol="email", Endpoint="linus@example.com")["SubscriptionArn"]
        == (confirmed["SubscriptionArn"])
    )
    sns.publish(TopicArn=topic, Message="on time")
    mail = [m for m in cloud.mailbox() if m["to"] == "linus@example.com" and m["kind"] == "notification"]
    assert [m["body"] for m in mail] == ["on time"]
