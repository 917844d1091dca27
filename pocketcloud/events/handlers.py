"""The edge routes the events service answers: the mailbox, the confirmation link and ConfirmSubscription."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from aiohttp import web

from .errors import invalid_token

if TYPE_CHECKING:
    from ..edge import AwsRequest
    from .service import EventsService


def install(service: EventsService) -> None:
    routes = EventRoutes(service)
    edge = service.server.edge
    edge.add_route("GET", "/_pocketcloud/mailbox", routes.mailbox)
    edge.add_route("GET", "/_pocketcloud/sns/confirm", routes.confirm_link)
    edge.intercept("sns", "ConfirmSubscription", routes.confirm_subscription)


class EventRoutes:
    def __init__(self, service: EventsService) -> None:
        self.service = service

    async def confirm_subscription(self, aws: AwsRequest) -> web.Response:
        """SNS's ConfirmSubscription, which moto accepts for any token."""
        topic_arn, token = aws.params.get("TopicArn", ""), aws.params.get("Token", "")
        arn = await self.service.server.moto.run(self.service.confirm, topic_arn, token)
        if arn is None:
            return invalid_token()
        xml = (
            '<ConfirmSubscriptionResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/">'
            f"<ConfirmSubscriptionResult><SubscriptionArn>{arn}</SubscriptionArn></ConfirmSubscriptionResult>"
            f"<ResponseMetadata><RequestId>{uuid.uuid4()}</RequestId></ResponseMetadata>"
            "</ConfirmSubscriptionResponse>"
        )
        return web.Response(text=xml, content_type="text/xml")

    async def confirm_link(self, request: web.Request) -> web.Response:
        """The link in the confirmation email."""
        arn = await self.service.server.moto.run(
            self.service.confirm, request.query.get("TopicArn", ""), request.query.get("Token", "")
        )
        if arn is None:
            return web.Response(status=400, text="Invalid or expired confirmation link.\n")
        return web.Response(text=f"Subscription confirmed!\n{arn}\n")

    async def mailbox(self, request: web.Request) -> web.Response:
        return web.json_response(self.service.mailbox.list(request.query.get("to")))
