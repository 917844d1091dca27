"""Event plumbing: SNS topics with email subscriptions, pocketcloud's mailbox, S3 buckets that notify a function."""

from __future__ import annotations

from typing import Any

import pandas as pd

from ..session import Workshop
from .lambdas import ensure_invoke_permission
from .waiting import poll


def ensure_topic(ws: Workshop, name: str) -> str:
    """Create topic ``name`` (SNS returns the existing one when it already exists); returns its ARN."""
    return str(ws.client("sns").create_topic(Name=name, Tags=ws.tag_list())["TopicArn"])


def subscribe_email(ws: Workshop, topic_arn: str, email: str) -> dict[str, Any]:
    """Subscribe ``email`` once; SNS then sends a confirmation message to that address."""
    sns = ws.client("sns")
    for sub in sns.list_subscriptions_by_topic(TopicArn=topic_arn)["Subscriptions"]:
        if sub["Protocol"] == "email" and sub["Endpoint"] == email:
            found: dict[str, Any] = sub
            return found
    arn = sns.subscribe(TopicArn=topic_arn, Protocol="email", Endpoint=email, ReturnSubscriptionArn=True)
    return {"SubscriptionArn": arn["SubscriptionArn"], "Endpoint": email, "Protocol": "email"}


def subscription_confirmed(ws: Workshop, topic_arn: str, email: str) -> bool:
    """Whether ``email``'s subscription to the topic is confirmed (no longer pending)."""
    sns = ws.client("sns")
    for sub in sns.list_subscriptions_by_topic(TopicArn=topic_arn)["Subscriptions"]:
        if sub["Endpoint"] == email and sub["SubscriptionArn"].startswith("arn:"):
            attrs = sns.get_subscription_attributes(SubscriptionArn=sub["SubscriptionArn"])["Attributes"]
            return bool(attrs.get("PendingConfirmation") == "false")
    return False


def confirm_from_mailbox(ws: Workshop, topic_arn: str, email: str) -> bool:
    """Local only: confirm the subscription with the token from the confirmation email, as clicking
    the link in it would. On AWS you click the link in your inbox instead."""
    if not ws.local:
        print(f"Open the 'AWS Notification - Subscription Confirmation' email sent to {email} and click the link.")
        return False
    if subscription_confirmed(ws, topic_arn, email):
        return True
    for mail in reversed(mailbox(ws, to=email).to_dict("records")):
        if mail["kind"] == "confirmation" and mail["topic_arn"] == topic_arn:
            token = mail["body"].split("Token=")[-1].split()[0]
            ws.client("sns").confirm_subscription(TopicArn=topic_arn, Token=token)
            return True
    return False


def mailbox(ws: Workshop, to: str | None = None) -> pd.DataFrame:
    """Emails SNS delivered (pocketcloud's local mailbox); on AWS, look in your inbox."""
    columns = ["timestamp", "to", "subject", "body", "kind", "topic_arn"]
    if not ws.local:
        print("On AWS the emails go to your real inbox.")
        return pd.DataFrame(columns=columns)
    emails = ws.pocketcloud().mailbox()
    frame = pd.DataFrame(emails, columns=columns)
    if to:
        frame = frame[frame["to"] == to]
    frame["timestamp"] = pd.to_datetime(frame["timestamp"], unit="s")
    return frame.reset_index(drop=True)


def wait_for_email(ws: Workshop, to: str, contains: str, timeout_s: float = 60) -> dict[str, Any] | None:
    """The first notification to ``to`` whose body contains ``contains`` (local), waiting up to ``timeout_s``;
    None when none arrived."""

    def first_hit() -> dict[str, Any] | None:
        frame = mailbox(ws, to=to)
        hits = frame[(frame["kind"] == "notification") & frame["body"].str.contains(contains, regex=False)]
        return dict(hits.iloc[0].to_dict()) if len(hits) else None

    return poll(
        first_hit,
        lambda hit: hit is not None,
        f"waiting for an email about {contains}",
        timeout_s=timeout_s,
        estimate_s=2,
        interval_s=0.5,
        progress=False,
        on_timeout="return",
    )


def ensure_bucket(ws: Workshop, name: str) -> str:
    """Bucket ``name`` in this region, created once and tagged; returns its name."""
    s3 = ws.client("s3")
    try:
        s3.head_bucket(Bucket=name)
    except s3.exceptions.ClientError:
        args: dict[str, Any] = {"Bucket": name}
        if ws.region != "us-east-1":
            args["CreateBucketConfiguration"] = {"LocationConstraint": ws.region}
        s3.create_bucket(**args)
    s3.put_bucket_tagging(Bucket=name, Tagging={"TagSet": ws.tag_list()})
    return name


def notify_function_on_upload(ws: Workshop, bucket: str, function_name: str, suffix: str | None = None) -> None:
    """Let S3 invoke the function (resource policy) and send it ObjectCreated events from ``bucket``."""
    lam = ws.client("lambda")
    function_arn = lam.get_function_configuration(FunctionName=function_name)["FunctionArn"]
    ensure_invoke_permission(
        ws, function_name, f"s3-{bucket}", "s3.amazonaws.com", f"arn:aws:s3:::{bucket}", source_account=ws.account
    )
    config: dict[str, Any] = {"LambdaFunctionArn": function_arn, "Events": ["s3:ObjectCreated:*"]}
    if suffix:
        config["Filter"] = {"Key": {"FilterRules": [{"Name": "suffix", "Value": suffix}]}}
    ws.client("s3").put_bucket_notification_configuration(
        Bucket=bucket, NotificationConfiguration={"LambdaFunctionConfigurations": [config]}
    )
