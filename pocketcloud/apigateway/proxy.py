"""The Lambda proxy integration contract (REST API, payload format 1.0)."""

from __future__ import annotations

import base64
import functools
import json
import time
from json.encoder import c_make_encoder, encode_basestring_ascii  # type: ignore[attr-defined]
from json.scanner import c_make_scanner  # type: ignore[attr-defined]
from typing import Any

from multidict import CIMultiDict

from ..fastlane import HttpVersion, Request
from ..ids import hex_id

# json.dumps' output (default separators, ASCII), from one C encoder made once: JSONEncoder.encode
# builds a new one on every call. No circular-reference check: the values are ours, made of str,
# int, bool, None, lists and dicts.
_C_ENCODER = c_make_encoder(None, None, encode_basestring_ascii, None, ": ", ", ", False, False, True)
_decode = json.JSONDecoder().decode
# json's C scanner without JSONDecoder.decode's whitespace handling around it (two regex matches and
# two Python calls): a function's result rarely has any, and then the full decoder takes over.
_scan = c_make_scanner(json.JSONDecoder())


def _encode(value: Any) -> str:
    return "".join(_C_ENCODER(value, 0))


class EventTemplate:
    """The proxy event for one route (API, stage, method, resource and path), with the parts the
    route fixes encoded once; :meth:`render` adds what each request brings.

    Example::

        template = EventTemplate(api_id="a1", stage="dev", account_id="123456789012", method="GET",
                                 resource_id="r1", resource_path="/items/{id}", path="/items/7",
                                 path_parameters={"id": "7"}, stage_variables={})
        payload = template.render(request, b"", request_id="c6af9ac6-7b61-11e6-9a41-93e8deadbeef")
    """

    def __init__(
        self,
        *,
        api_id: str,
        stage: str,
        account_id: str,
        method: str,
        resource_id: str,
        resource_path: str,
        path: str,
        path_parameters: dict[str, str],
        stage_variables: dict[str, str],
    ) -> None:
        self._head = _encode({"resource": resource_path, "path": path, "httpMethod": method})[:-1]
        route = {"pathParameters": path_parameters or None, "stageVariables": stage_variables or None}
        self._route = _encode(route)[1:-1]
        context = {
            "resourceId": resource_id,
            "resourcePath": resource_path,
            "httpMethod": method,
            "path": f"/{stage}{path}",
            "accountId": account_id,
            "stage": stage,
            "domainPrefix": api_id,
            "apiId": api_id,
        }
        self._context = _encode(context)[1:-1]

    def render(self, request: Request, body: bytes, request_id: str) -> bytes:
        """The event as JSON, ready to be the invocation's payload."""
        now = time.time()
        headers = request.headers
        event = (
            f"{self._head}, {self._route}, {_headers_json(headers)}, "
            f"{_query_and_body_json(request, body) if request.query_string or body else _NO_QUERY_NO_BODY}, "
            f'"requestContext": {{{self._context}, "extendedRequestId": "{hex_id(16)}", '
            f'"requestTime": "{_request_time(int(now))}", "requestTimeEpoch": {int(now * 1000)}, '
            f'"requestId": {encode_basestring_ascii(request_id)}, '
            f"{_caller_json(request.version, request.remote, headers.get('User-Agent'), request.host)}}}}}"
        )
        return event.encode()


_NO_QUERY_NO_BODY = _encode(
    {"queryStringParameters": None, "multiValueQueryStringParameters": None, "body": None, "isBase64Encoded": False}
)[1:-1]


def _query_and_body_json(request: Request, body: bytes) -> str:
    """The event's query string and body members, for a request that has either."""
    multi_query: dict[str, list[str]] = {}
    if request.query_string:
        for name, value in request.query.items():
            multi_query.setdefault(name, []).append(value)
    try:
        text_body: str | None = body.decode("utf-8") if body else None
        is_base64 = False
    except UnicodeDecodeError:
        text_body, is_base64 = base64.b64encode(body).decode(), True
    members = {
        "queryStringParameters": {k: v[-1] for k, v in multi_query.items()} or None,
        "multiValueQueryStringParameters": multi_query or None,
        "body": text_body,
        "isBase64Encoded": is_base64,
    }
    return _encode(members)[1:-1]


@functools.lru_cache(maxsize=256)  # one entry per client, as a keep-alive connection sends the same again
def _caller_json(version: HttpVersion, remote: str | None, user_agent: str | None, host: str) -> str:
    """The request context's members that say who called and how."""
    caller = {
        "protocol": f"HTTP/{version.major}.{version.minor}",
        "identity": {
            "sourceIp": remote or "127.0.0.1",
            "userAgent": user_agent,
            "accountId": None,
            "caller": None,
            "user": None,
            "userArn": None,
        },
        "domainName": host,
    }
    return _encode(caller)[1:-1]


def _headers_json(headers: CIMultiDict[str]) -> str:
    """The event's "headers" and "multiValueHeaders" members."""
    return _headers_json_of(tuple(headers.items()))


@functools.lru_cache(maxsize=256)  # callers tend to send the same headers request after request
def _headers_json_of(pairs: tuple[tuple[str, str], ...]) -> str:
    multi: dict[str, list[str]] = {}
    for name, value in pairs:
        multi.setdefault(name, []).append(value)
    return _encode({"headers": {k: v[-1] for k, v in multi.items()} or None, "multiValueHeaders": multi or None})[1:-1]


@functools.lru_cache(maxsize=4)
def _request_time(second: int) -> str:
    return time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(second))


class MalformedResponse(ValueError):
    pass


_RESPONSE_KEYS = frozenset({"statusCode", "headers", "multiValueHeaders", "body", "isBase64Encoded", "cookies"})


def _json_value(text: str) -> Any:
    """``json.loads(text)``, through the C scanner alone when ``text`` is one JSON value and nothing else."""
    try:
        value, end = _scan(text, 0)
    except StopIteration:
        return _decode(text)  # raises the error json.loads would
    return value if end == len(text) else _decode(text)


def parse_response(payload: bytes) -> tuple[int, list[tuple[str, str]], bytes]:
    """Status, headers and body from a proxy function's result; MalformedResponse when it breaks the contract."""
    try:
        result = _json_value(payload.decode("utf-8"))  # Lambda payloads are UTF-8 JSON
    except ValueError as exc:
        raise MalformedResponse("not JSON") from exc
    if not isinstance(result, dict):
        raise MalformedResponse("not an object")
    if not _RESPONSE_KEYS.issuperset(result):
        raise MalformedResponse(f"unexpected keys {sorted(set(result) - _RESPONSE_KEYS)}")
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
    if single:
        headers += [(name, str(value)) for name, value in single.items() if name not in multi]
    body = result.get("body")
    if body is None:
        raw = b""
    elif isinstance(body, str):
        raw = base64.b64decode(body) if result.get("isBase64Encoded") else body.encode()
    else:
        raise MalformedResponse("body must be a string")
    return status, headers, raw
