"""Event payloads as AWS delivers them to Lambda."""

from __future__ import annotations

import time
import uuid
from typing import Any


def iso_now() -> str:
    now = time.time()
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(now)) + f".{int(now * 1000) % 1000:03d}Z"


def sns_record(
    subscription_arn: str,
    topic_arn: str,
    message: str,
    message_id: str,
    subject: str | None,
    attributes: dict[str, Any] | None,
    endpoint_url: str,
) -> dict[str, Any]:
    """One SNS notification as a Lambda subscriber receives it."""
    return {
        "Records": [
            {
                "EventSource": "aws:sns",
                "EventVersion": "1.0",
                "EventSubscriptionArn": subscription_arn,
                "Sns": {
                    "Type": "Notification",
                    "MessageId": message_id,
                    "TopicArn": topic_arn,
                    "Subject": subject,
                    "Message": message,
                    "Timestamp": iso_now(),
                    "SignatureVersion": "1",
                    "Signature": "pocketcloud-does-not-sign",
                    "SigningCertUrl": f"{endpoint_url}/_pocketcloud/sns/cert.pem",
                    "UnsubscribeUrl": f"{endpoint_url}/?Action=Unsubscribe&SubscriptionArn={subscription_arn}",
                    "MessageAttributes": {
                        name: {"Type": value.get("Type"), "Value": value.get("Value")}
                        for name, value in (attributes or {}).items()
                    },
                },
            }
        ]
    }


def email_json(topic_arn: str, message: str, message_id: str, subject: str | None) -> dict[str, Any]:
    return {
        "Type": "Notification",
        "MessageId": message_id,
        "TopicArn": topic_arn,
        "Subject": subject,
        "Message": message,
        "Timestamp": iso_now(),
        "SignatureVersion": "1",
    }


def new_token() -> str:
    return uuid.uuid4().hex + uuid.uuid4().hex
