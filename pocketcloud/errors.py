"""AWS-shaped error responses for the three wire protocols pocketcloud answers in."""

from __future__ import annotations

import json
import uuid
from xml.sax.saxutils import escape

from aiohttp import web


def json_error_parts(code: str, message: str, status: int = 400, **extra: object) -> tuple[bytes, dict[str, str]]:
    """Body and headers of an error as REST-JSON services (Lambda, API Gateway, X-Ray) send it."""
    body = {"Type": "User" if status < 500 else "Service", "message": message, "Message": message, **extra}
    headers = {"Content-Type": "application/json", "x-amzn-ErrorType": code, "x-amzn-RequestId": str(uuid.uuid4())}
    return json.dumps(body).encode(), headers


def json_error(code: str, message: str, status: int = 400, **extra: object) -> web.Response:
    """An error as REST-JSON services send it, as an aiohttp response.

    >>> json_error("ResourceNotFoundException", "Function not found: arn:...", 404).status
    404
    """
    body, headers = json_error_parts(code, message, status, **extra)
    return web.Response(status=status, body=body, headers=headers)


def query_error(code: str, message: str, status: int = 400) -> web.Response:
    """An error as query-protocol services (RDS, IAM, SNS, CloudWatch) send it."""
    fault = "Sender" if status < 500 else "Receiver"
    xml = (
        f"<ErrorResponse><Error><Type>{fault}</Type><Code>{escape(code)}</Code>"
        f"<Message>{escape(message)}</Message></Error>"
        f"<RequestId>{uuid.uuid4()}</RequestId></ErrorResponse>"
    )
    return web.Response(status=status, body=xml.encode(), content_type="text/xml")
