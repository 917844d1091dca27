"""The Lambda proxy integration contract (REST API, payload format 1.0)."""

from __future__ import annotations

import base64
import functools
import json
import time
from typing import Any

from ..fastlane import Request
from ..ids import hex_id


def build_event(
    request: Request,
    body: bytes,
    *,
    api_id: str,
    stage: str,
    account_id: str,
    resource_id: str,
    resource_path: str,
    path: str,
    path_parameters: dict[str, str],
    stage_variables: dict[str, str],
    request_id: str,
) -> dict[str, Any]:
    """The event a proxy-integrated function receives for one HTTP request."""
    multi_headers: dict[str, list[str]] = {}
    for name, value in request.headers.items():
        multi_headers.setdefault(name, []).append(value)
    multi_query: dict[str, list[str]] = {}
    for name, value in request.query.items():
        multi_query.setdefault(name, []).append(value)
    now = time.time()
    try:
        text_body: str | None = body.decode("utf-8") if body else None
        is_base64 = False
    except UnicodeDecodeError:
        text_body, is_base64 = base64.b64encode(body).decode(), True
    return {
        "resource": resource_path,
        "path": path,
        "httpMethod": request.method,
        "headers": {k: v[-1] for k, v in multi_headers.items()} or None,
        "multiValueHeaders": multi_headers or None,
        "queryStringParameters": {k: v[-1] for k, v in multi_query.items()} or None,
        "multiValueQueryStringParameters": multi_query or None,
        "pathParameters": path_parameters or None,
        "stageVariables": stage_variables or None,
        "requestContext": {
            "resourceId": resource_id,
            "resourcePath": resource_path,
            "httpMethod": request.method,
            "extendedRequestId": hex_id(16),
            "requestTime": _request_time(int(now)),
            "path": f"/{stage}{path}",
            "accountId": account_id,
            "protocol": f"HTTP/{request.version.major}.{request.version.minor}",
            "stage": stage,
            "domainPrefix": api_id,
            "requestTimeEpoch": int(now * 1000),
            "requestId": request_id,
            "identity": {
                "sourceIp": request.remote or "127.0.0.1",
                "userAgent": request.headers.get("User-Agent"),
                "accountId": None,
                "caller": None,
                "user": None,
                "userArn": None,
            },
            "domainName": request.host,
            "apiId": api_id,
        },
        "body": text_body,
        "isBase64Encoded": is_base64,
    }


@functools.lru_cache(maxsize=4)
def _request_time(second: int) -> str:
    return time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(second))


class MalformedResponse(ValueError):
    pass


def parse_response(payload: bytes) -> tuple[int, list[tuple[str, str]], bytes]:
    """Status, headers and body from a proxy function's result; MalformedResponse when it breaks the contract."""
    try:
        result = json.loads(payload)
    except ValueError as exc:
        raise MalformedResponse("not JSON") from exc
    if not isinstance(result, dict):
        raise MalformedResponse("not an object")
    allowed = {"statusCode", "headers", "multiValueHeaders", "body", "isBase64Encoded", "cookies"}
    if set(result) - allowed:
        raise MalformedResponse(f"unexpected keys {sorted(set(result) - allowed)}")
    status = result.get("statusCode", 200)
    if isinstance(status, str) and status.isdigit():
        status = int(status)
    if not isinstance(status, int) or not 100 <= status <= 599:
        raise MalformedResponse("statusCode")
    headers: list[tuple[str, str]] = []
    single = result.get("headers") or {}
    multi = result.get("multiValueHeaders") or {}
    if not isinstance(single, dict) or not isinstance(multi, dict):
        raise MalformedResponse("headers")
    for name, values in multi.items():
        if not isinstance(values, list):
            raise MalformedResponse("multiValueHeaders")
        headers += [(name, str(v)) for v in values]
    headers += [(name, str(value)) for name, value in single.items() if name not in multi]
    body = result.get("body")
    if body is None:
        raw = b""
    elif isinstance(body, str):
        raw = base64.b64decode(body) if result.get("isBase64Encoded") else body.encode()
    else:
        raise MalformedResponse("body must be a string")
    return status, headers, raw
