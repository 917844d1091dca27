"""Hooks into moto's S3 and SNS models so events reach pocketcloud's data planes."""

from __future__ import annotations

from types import ModuleType
from typing import TYPE_CHECKING, Any
from urllib.parse import quote_plus, unquote_plus

from ..moto_hooks import when_loaded

if TYPE_CHECKING:
    from .service import EventsService

_service: EventsService | None = None


def install(service: EventsService) -> None:
    """Route moto's event deliveries to ``service``. Patches once per process; the latest service wins."""
    global _service
    _service = service
    when_loaded("moto.s3.notifications", _patch_s3_notifications)
    when_loaded("moto.sns.models", _patch_sns)


def _patch_s3_notifications(notifications: ModuleType) -> None:
    def invoke_awslambda(account_id: str, event_body: Any, fn_arn: str, region_name: str) -> None:
        for record in event_body.get("Records", []):
            # S3 URL-encodes keys in events but keeps the slashes (moto encodes those too).
            obj = record["s3"]["object"]
            obj["key"] = quote_plus(unquote_plus(obj["key"]), safe="/")
        if _service is not None:
            _service.invoke_later(fn_arn, event_body)

    notifications._invoke_awslambda = invoke_awslambda


def _patch_sns(sns: ModuleType) -> None:
    original_publish = sns.Subscription.publish

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
        if _service is not None and _service.on_publish(self, message, message_id, subject, message_attributes):
            return
        original_publish(self, message, message_id, subject, message_attributes, **kw)

    sns.Subscription.publish = publish

    original_subscribe = sns.SNSBackend.subscribe

    def subscribe(self: Any, topic_arn: str, endpoint: str, protocol: str) -> Any:
        subscription = original_subscribe(self, topic_arn, endpoint, protocol)
        if _service is not None:
            _service.on_subscribe(subscription)
        return subscription

    sns.SNSBackend.subscribe = subscribe
