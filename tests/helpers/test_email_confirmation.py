"""Module 1's email path on a real pocketcloud: a subscription is pending until its link is followed; where the
inbox can be read the helper follows it and sees the mail arrive; where it cannot (AWS), the helper waits a
bounded time for the learner's click and goes on, saying so, when nobody clicks."""

from __future__ import annotations

import datetime as dt
import threading
import urllib.request

import pytest

import pocketcloud
from helpers.aws import events

from .conftest import workshop_on


def _subscription_arns(cloud: pocketcloud.Cloud, topic_arn: str) -> list[str]:
    subscriptions = cloud.client("sns").list_subscriptions_by_topic(TopicArn=topic_arn)["Subscriptions"]
    return [s["SubscriptionArn"] for s in subscriptions]


def test_the_helper_follows_the_link_in_a_readable_inbox_and_sees_the_mail(cloud: pocketcloud.Cloud) -> None:
    with workshop_on(cloud, "em1-") as ws:
        topic = events.ensure_topic(ws, ws.name("uploads"))
        events.subscribe_email(ws, topic, "reader@example.com")
        assert _subscription_arns(cloud, topic) == ["PendingConfirmation"]

        assert events.wait_for_confirmation(ws, topic, "reader@example.com", timeout_s=30) is True
        assert _subscription_arns(cloud, topic)[0].startswith("arn:aws:sns:")

        since = dt.datetime.now(dt.UTC)
        ws.client("sns").publish(TopicArn=topic, Subject="New upload: a.txt", Message="Key: reports/a.txt")
        evidence = events.email_delivered(ws, topic, "reader@example.com", "reports/a.txt", since=since, timeout_s=30)
        assert evidence is not None and "New upload: a.txt" in evidence
        assert events.email_delivered(ws, topic, "reader@example.com", "never-sent", since=since, timeout_s=0) is None


def test_on_an_unreadable_inbox_nobody_confirming_leaves_it_pending_and_says_so(
    cloud: pocketcloud.Cloud, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with workshop_on(cloud, "em2-") as ws:
        monkeypatch.setattr(ws, "mailbox", lambda: None)  # as on AWS: the mail is in the learner's own inbox
        topic = events.ensure_topic(ws, ws.name("uploads"))
        events.subscribe_email(ws, topic, "ana@uni.edu")
        assert events.wait_for_confirmation(ws, topic, "ana@uni.edu", timeout_s=2) is False
        assert "Not confirmed within 2 s" in capsys.readouterr().out
        assert _subscription_arns(cloud, topic) == ["PendingConfirmation"]


def test_on_an_unreadable_inbox_the_learners_click_confirms(
    cloud: pocketcloud.Cloud, monkeypatch: pytest.MonkeyPatch
) -> None:
    with workshop_on(cloud, "em3-") as ws:
        monkeypatch.setattr(ws, "mailbox", lambda: None)
        topic = events.ensure_topic(ws, ws.name("uploads"))
        events.subscribe_email(ws, topic, "ana@uni.edu")
        confirmation = next(m for m in cloud.mailbox() if m["to"] == "ana@uni.edu" and m["topic_arn"] == topic)
        link = next(word for word in confirmation["body"].split() if word.startswith("http"))
        learner = threading.Thread(target=lambda: urllib.request.urlopen(link, timeout=10).close())
        learner.start()  # the learner clicks the link in their mail while the helper waits
        assert events.wait_for_confirmation(ws, topic, "ana@uni.edu", timeout_s=60) is True
        learner.join()


def test_a_placeholder_address_on_an_unreadable_inbox_is_not_waited_for(
    cloud: pocketcloud.Cloud, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with workshop_on(cloud, "em4-") as ws:
        monkeypatch.setattr(ws, "mailbox", lambda: None)
        topic = events.ensure_topic(ws, ws.name("uploads"))
        events.subscribe_email(ws, topic, "you@example.com")
        assert events.wait_for_confirmation(ws, topic, "you@example.com", timeout_s=20) is False
        assert "placeholder address" in capsys.readouterr().out
