"""The events service: its lifecycle, and the deliveries moto's S3 and SNS hand it (to Lambda, to the mailbox)."""

from __future__ import annotations

import asyncio
import json
import logging
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from . import handlers, moto_hooks
from .formats import email_json, new_token, sns_record
from .mailbox import Email, Mailbox

if TYPE_CHECKING:
    from ..server import Server

log = logging.getLogger("pocketcloud.events")
EMAIL_PROTOCOLS = ("email", "email-json")


class EventsService:
    name = "events"

    def __init__(self, server: Server) -> None:
        self.server = server
        self.mailbox = Mailbox()
        self._loop: asyncio.AbstractEventLoop | None = None
        self.delivered = 0

    # -- lifecycle ---------------------------------------------------------------------------------
    def install(self) -> None:
        moto_hooks.install(self)
        handlers.install(self)

    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()

    async def stop(self) -> None:
        return None

    def status(self) -> dict[str, Any]:
        return {"emails": len(self.mailbox.list()), "lambda_deliveries": self.delivered}

    # -- called from moto's worker thread ----------------------------------------------------------
    def invoke_later(self, function_arn: str, event: dict[str, Any]) -> None:
        """Invoke ``function_arn`` asynchronously (InvocationType=Event); never blocks moto."""
        if self._loop is None:
            return
        lam = self.server.lambda_
        self.delivered += 1
        payload = json.dumps(event).encode()

        async def run() -> None:
            try:
                await lam.invoke(function_arn, payload, invocation_type="Event")
            except Exception as exc:  # a missing function: S3 and SNS drop the event, as on AWS
                log.warning("event for %s not delivered: %s", function_arn, exc)

        asyncio.run_coroutine_threadsafe(run(), self._loop)

    def on_subscribe(self, subscription: Any) -> None:
        if subscription.protocol not in EMAIL_PROTOCOLS or getattr(subscription, "pocketcloud_token", None):
            return
        token = new_token()
        subscription.pocketcloud_token = token
        subscription.confirmed = False
        subscription.attributes["PendingConfirmation"] = "true"
        link = (
            f"{self.server.endpoint_url}/_pocketcloud/sns/confirm?"
            f"TopicArn={quote(subscription.topic.arn)}&Token={token}"
        )
        body = (
            f"You have chosen to subscribe to the topic:\n{subscription.topic.arn}\n\n"
            f"To confirm this subscription, open this link:\n{link}\n\n"
            f"or call ConfirmSubscription with TopicArn={subscription.topic.arn} and Token={token}\n"
        )
        self.mailbox.deliver(
            Email(
                to=subscription.endpoint,
                subject="AWS Notification - Subscription Confirmation",
                body=body,
                topic_arn=subscription.topic.arn,
                subscription_arn=subscription.arn,
                kind="confirmation",
            )
        )

    def on_publish(
        self, subscription: Any, message: str, message_id: str, subject: str | None, attributes: Any
    ) -> bool:
        """Deliver to Lambda or the mailbox; False for protocols moto handles itself."""
        if subscription.protocol == "lambda":
            event = sns_record(
                subscription.arn,
                subscription.topic.arn,
                message,
                message_id,
                subject,
                attributes,
                self.server.endpoint_url,
            )
            self.invoke_later(subscription.endpoint, event)
            return True
        if subscription.protocol in EMAIL_PROTOCOLS:
            if subscription.attributes.get("PendingConfirmation") == "true":
                return True  # SNS does not deliver to unconfirmed endpoints
            topic_arn = subscription.topic.arn
            body = message
            if subscription.protocol == "email-json":
                body = json.dumps(email_json(topic_arn, message, message_id, subject))
            self.mailbox.deliver(
                Email(
                    to=subscription.endpoint,
                    subject=subject or "AWS Notification Message",
                    body=body,
                    topic_arn=topic_arn,
                    subscription_arn=subscription.arn,
                    kind="notification",
                )
            )
            return True
        return False

    # -- confirmation (on moto's worker thread, under the moto lock) --------------------------------
    def confirm(self, topic_arn: str, token: str) -> str | None:
        """Confirm the subscription ``token`` was issued for; its ARN, or None for an unknown token."""
        backend = self.server.moto.backend("sns", region=topic_arn.split(":")[3] if topic_arn.count(":") >= 5 else None)
        for subscription in backend.subscriptions.values():
            if subscription.topic.arn == topic_arn and getattr(subscription, "pocketcloud_token", None) == token:
                subscription.attributes["PendingConfirmation"] = "false"
                subscription.confirmed = True
                return str(subscription.arn)
        return None
