"""Event plumbing: SNS topics with email subscriptions, pocketcloud's mailbox, S3 buckets that notify a function."""

from __future__ import annotations

import contextlib
import datetime as dt
import urllib.error
import urllib.request
from typing import Any

import pandas as pd

from ..session import Workshop
from ..text import say
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


# RFC 2606 reserves these names for examples: no mail to them ever reaches a person who could confirm.
_RESERVED_DOMAINS = ("example.com", "example.net", "example.org")
_RESERVED_TLDS = (".example", ".invalid", ".test", ".localhost")


def is_placeholder_address(email: str) -> bool:
    """Whether ``email`` is in a domain reserved for examples, so no one can ever read or confirm it.

    >>> is_placeholder_address("you@example.com"), is_placeholder_address("ana@uni.edu")
    (True, False)
    """
    domain = email.rsplit("@", 1)[-1].lower().rstrip(".")
    return domain in _RESERVED_DOMAINS or domain.endswith(tuple("." + d for d in _RESERVED_DOMAINS) + _RESERVED_TLDS)


def wait_for_confirmation(ws: Workshop, topic_arn: str, email: str, *, timeout_s: float) -> bool:
    """Wait, at most ``timeout_s`` and with a progress bar, until ``email``'s subscription is confirmed by
    following the link in SNS's confirmation mail; True when it is, False (with what to do next) when not.

    Where the target's inbox can be read (pocketcloud's mailbox), the helper follows the link itself, as
    the learner's click would; where it cannot (AWS), the learner clicks it. A placeholder address on an
    unreadable inbox is not waited for: no one will ever click its link.
    """
    if subscription_confirmed(ws, topic_arn, email):
        return True
    readable = ws.mailbox() is not None
    if not readable and is_placeholder_address(email):
        print(say("aws.events.placeholder_address", email=email))
        return False
    print(say("aws.events.confirmation_sent", email=email, seconds=timeout_s))

    def confirmed_yet() -> bool:
        if readable:
            _follow_confirmation_link(ws, topic_arn, email)
        return subscription_confirmed(ws, topic_arn, email)

    confirmed = poll(
        confirmed_yet,
        bool,
        say("aws.events.waiting_confirmation", email=email),
        timeout_s=timeout_s,
        estimate_s=ws.default(local=2, aws=60),
        interval_s=ws.default(local=0.5, aws=5),
        on_timeout="return",
    )
    if confirmed:
        print(say("aws.events.confirmed", email=email))
    elif readable:
        raise RuntimeError(say("aws.events.link_did_not_confirm", email=email))
    else:
        print(say("aws.events.not_confirmed", seconds=timeout_s, email=email))
    return bool(confirmed)


def _follow_confirmation_link(ws: Workshop, topic_arn: str, email: str) -> None:
    """Open the link in the latest confirmation mail to ``email`` for this topic, as clicking it would."""
    mails = [m for m in ws.mailbox() or [] if m["to"] == email and m["kind"] == "confirmation"]
    for mail in reversed([m for m in mails if m["topic_arn"] == topic_arn]):
        link = next((word for word in mail["body"].split() if word.startswith(("http://", "https://"))), None)
        if link:
            with contextlib.suppress(urllib.error.HTTPError):  # an old link: the next poll reads the state
                urllib.request.urlopen(link, timeout=10).close()
            return


def mailbox(ws: Workshop, to: str | None = None) -> pd.DataFrame:
    """The emails SNS delivered, where the target's inbox can be read (pocketcloud's); on AWS, look in your
    inbox (the frame is empty)."""
    columns = ["timestamp", "to", "subject", "body", "kind", "topic_arn"]
    emails = ws.mailbox()
    if emails is None:
        print(say("aws.events.real_inbox"))
        emails = []
    frame = pd.DataFrame(emails, columns=columns)
    if to:
        frame = frame[frame["to"] == to]
    frame["timestamp"] = pd.to_datetime(frame["timestamp"], unit="s")
    return frame.reset_index(drop=True)


def email_delivered(
    ws: Workshop, topic_arn: str, email: str, contains: str, *, since: dt.datetime, timeout_s: float
) -> str | None:
    """Evidence that SNS emailed ``email`` a notification about ``contains`` after ``since``, waiting up to
    ``timeout_s`` with a progress bar; None when none showed.

    Where the inbox can be read, the evidence is the mail itself. On AWS it is the topic's CloudWatch metric
    ``NumberOfNotificationsDelivered`` (SNS publishes its topic metrics every few minutes), since the mail
    is in the learner's inbox.
    """
    if ws.mailbox() is not None:

        def look() -> str | None:
            frame = mailbox(ws, to=email)
            after = since.astimezone(dt.UTC).replace(tzinfo=None)  # the mailbox's times are naive UTC
            frame = frame[(frame["kind"] == "notification") & (frame["timestamp"] >= after)]
            hits = frame[frame["body"].str.contains(contains, regex=False)]
            return say("aws.events.mail_in_inbox", subject=hits.iloc[0]["subject"], email=email) if len(hits) else None
    else:

        def look() -> str | None:
            delivered = _delivered_since(ws, topic_arn, since)
            return say("aws.events.sns_delivered", count=delivered, topic=topic_arn) if delivered else None

    return poll(
        look,
        lambda evidence: evidence is not None,
        say("aws.events.waiting_email", contains=contains),
        timeout_s=timeout_s,
        estimate_s=ws.default(local=2, aws=300),
        interval_s=ws.default(local=0.5, aws=20),
        on_timeout="return",
    )


def _delivered_since(ws: Workshop, topic_arn: str, since: dt.datetime) -> float:
    """The topic's ``NumberOfNotificationsDelivered`` (AWS/SNS) summed from ``since`` until now."""
    answer = ws.client("cloudwatch").get_metric_statistics(
        Namespace="AWS/SNS",
        MetricName="NumberOfNotificationsDelivered",
        Dimensions=[{"Name": "TopicName", "Value": topic_arn.rsplit(":", 1)[-1]}],
        StartTime=since - dt.timedelta(minutes=1),
        EndTime=dt.datetime.now(dt.UTC) + dt.timedelta(minutes=1),
        Period=60,
        Statistics=["Sum"],
    )
    return float(sum(point["Sum"] for point in answer["Datapoints"]))


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
