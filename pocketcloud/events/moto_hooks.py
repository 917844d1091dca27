"""Hooks into moto's S3 and SNS models so that events reach pocketcloud's data planes."""

from __future__ import annotations

from types import ModuleType
from typing import TYPE_CHECKING, Any
from urllib.parse import quote_plus, unquote_plus

from ..moto_hooks import Target, moto_hook, registry

if TYPE_CHECKING:
    from .service import EventsService

EVENTS: Target[EventsService] = Target("events")


@moto_hook("moto.s3.notifications", None, "_invoke_awslambda", ("account_id", "event_body", "fn_arn", "region_name"))
def deliver_s3_notifications(original: Any, notifications: ModuleType) -> object:
    """S3 bucket notifications invoke the function for real, asynchronously, as S3 does."""

    def invoke_awslambda(account_id: str, event_body: Any, fn_arn: str, region_name: str) -> None:
        for record in event_body.get("Records", []):
            # S3 URL-encodes keys in events but keeps the slashes (moto encodes those too).
            obj = record["s3"]["object"]
            obj["key"] = quote_plus(unquote_plus(obj["key"]), safe="/")
        service = EVENTS.current
        if service is not None:
            service.invoke_later(fn_arn, event_body)

    return invoke_awslambda


@moto_hook(
    "moto.sns.models",
    "Subscription",
    "publish",
    (
        "self",
        "message",
        "message_id",
        "subject",
        "message_attributes",
        "group_id",
        "deduplication_id",
        "message_structure",
    ),
)
def deliver_sns_messages(original: Any, sns: ModuleType) -> object:
    """SNS delivers to Lambda and email subscriptions through pocketcloud (the filter policy and a
    JSON message structure applied first, as moto does); moto keeps the other protocols."""

    def publish(
        self: Any, message: str, message_id: str, subject: str | None = None, message_attributes: Any = None, **kw: Any
    ) -> None:
        if self._filter_policy_matcher is not None and not self._filter_policy_matcher.matches(
            message_attributes, message
        ):
            return
        if kw.get("message_structure") == "json":
            message = self._parse_message_structure(message, self.protocol)
            kw["message_structure"] = None
        service = EVENTS.current
        if service is not None and service.on_publish(self, message, message_id, subject, message_attributes):
            return
        original(self, message, message_id, subject, message_attributes, **kw)

    return publish


@moto_hook("moto.sns.models", "SNSBackend", "subscribe", ("self", "topic_arn", "endpoint", "protocol"))
def confirm_email_subscriptions(original: Any, sns: ModuleType) -> object:
    """An email subscription starts pending and gets a confirmation email, as on AWS."""

    def subscribe(self: Any, topic_arn: str, endpoint: str, protocol: str) -> Any:
        subscription = original(self, topic_arn, endpoint, protocol)
        service = EVENTS.current
        if service is not None:
            service.on_subscribe(subscription)
        return subscription

    return subscribe


# Amazon SNS API Reference: Subscribe answers "the string "pending confirmation" if the subscription requires
# confirmation" unless ReturnSubscriptionArn is true; ListSubscriptions(ByTopic) list an unconfirmed
# subscription's SubscriptionArn as "PendingConfirmation".
PENDING_SUBSCRIBE_ARN = "pending confirmation"
PENDING_LISTED_ARN = "PendingConfirmation"


def _pending(subscription: Any) -> bool:
    return bool(subscription.attributes.get("PendingConfirmation") == "true")


@moto_hook("moto.sns.responses", "SNSResponse", "subscribe", ("self",))
def answer_pending_confirmation(original: Any, responses: ModuleType) -> object:
    """Subscribe answers "pending confirmation" for a subscription that awaits confirmation, as SNS does."""

    def subscribe(self: Any) -> Any:
        answer = original(self)
        arn = answer.result.get("SubscriptionArn")
        subscription = self.backend.subscriptions.get(arn)
        returned = str(self._get_param("ReturnSubscriptionArn") or "").lower() == "true"
        if subscription is not None and _pending(subscription) and not returned:
            return type(answer)({"SubscriptionArn": PENDING_SUBSCRIBE_ARN})
        return answer

    return subscribe


class _Listed:
    """A subscription as ListSubscriptions shows it while it awaits confirmation."""

    def __init__(self, subscription: Any) -> None:
        self.SubscriptionArn = PENDING_LISTED_ARN
        self.Owner = subscription.owner
        self.Protocol = subscription.protocol
        self.Endpoint = subscription.endpoint
        self.TopicArn = subscription.topic.arn


def _listing_pending(original: Any) -> Any:
    """A ListSubscriptions(ByTopic) answer in which unconfirmed subscriptions show as "PendingConfirmation"
    (in the answer only: moto's publishing walks the same backend method and must see the subscriptions)."""

    def listing(self: Any) -> Any:
        answer = original(self)
        found = answer.result.get("Subscriptions") or []
        answer.result["Subscriptions"] = [_Listed(s) if _pending(s) else s for s in found]
        return answer

    return listing


@moto_hook("moto.sns.responses", "SNSResponse", "list_subscriptions", ("self",))
def list_pending_subscriptions(original: Any, responses: ModuleType) -> object:
    """ListSubscriptions shows an unconfirmed subscription's ARN as "PendingConfirmation"."""
    return _listing_pending(original)


@moto_hook("moto.sns.responses", "SNSResponse", "list_subscriptions_by_topic", ("self",))
def list_pending_subscriptions_by_topic(original: Any, responses: ModuleType) -> object:
    """ListSubscriptionsByTopic shows an unconfirmed subscription's ARN as "PendingConfirmation"."""
    return _listing_pending(original)


HOOKS = (
    deliver_s3_notifications,
    deliver_sns_messages,
    confirm_email_subscriptions,
    answer_pending_confirmation,
    list_pending_subscriptions,
    list_pending_subscriptions_by_topic,
)


def install(service: EventsService) -> None:
    """Route moto's event deliveries to ``service``; the latest server's wins."""
    EVENTS.serve(service)
    registry.register(HOOKS)
