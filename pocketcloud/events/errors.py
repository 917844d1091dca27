"""AWS-shaped SNS errors for the operations the events service answers itself."""

from __future__ import annotations

from aiohttp import web

from ..errors import query_error


def invalid_token() -> web.Response:
    """ConfirmSubscription with a token SNS did not send."""
    return query_error("InvalidParameter", "Invalid parameter: Token", 400)
