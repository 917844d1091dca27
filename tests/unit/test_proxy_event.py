"""The proxy event template: one route's fixed parts encoded once, each request's parts added."""

from __future__ import annotations

import base64
import json

from multidict import CIMultiDict

from pocketcloud.apigateway.proxy import EventTemplate, MalformedResponse, parse_response
from pocketcloud.fastlane import HttpVersion, Request
from pocketcloud.state_cache import StateCache

ROUTE = dict(
    api_id="a1b2c3",
    stage="dev",
    account_id="123456789012",
    method="POST",
    resource_id="r00001",
    resource_path="/files/{proxy+}",
    path="/files/a/ü.txt",
    path_parameters={"proxy": "a/ü.txt"},
    stage_variables={"color": "blue"},
)


def _request(query: str = "", body: bytes = b"") -> Request:
    headers = CIMultiDict([("Host", "127.0.0.1:4566"), ("X-Tag", "one"), ("X-Tag", "twö"), ("User-Agent", "t/1")])
    return Request("POST", "/restapis/a1b2c3/dev/_user_request_/files/a/x", query, headers, body, "127.0.0.1")


def test_rendered_event_is_json_with_the_route_and_the_request() -> None:
    template = EventTemplate(**ROUTE)
    event = json.loads(template.render(_request("x=1&x=2&empty="), b'{"n": 1}', "req-1"))
    assert (event["resource"], event["path"], event["httpMethod"]) == ("/files/{proxy+}", "/files/a/ü.txt", "POST")
    assert event["pathParameters"] == {"proxy": "a/ü.txt"} and event["stageVariables"] == {"color": "blue"}
    assert event["headers"]["X-Tag"] == "twö" and event["multiValueHeaders"]["X-Tag"] == ["one", "twö"]
    assert event["queryStringParameters"] == {"x": "2", "empty": ""}
    assert event["multiValueQueryStringParameters"] == {"x": ["1", "2"], "empty": [""]}
    assert event["body"] == '{"n": 1}' and event["isBase64Encoded"] is False
    context = event["requestContext"]
    assert (context["apiId"], context["stage"], context["path"]) == ("a1b2c3", "dev", "/dev/files/a/ü.txt")
    assert (context["requestId"], context["domainName"], context["protocol"]) == ("req-1", "127.0.0.1:4566", "HTTP/1.1")
    assert context["identity"]["sourceIp"] == "127.0.0.1" and context["identity"]["userAgent"] == "t/1"


def test_each_render_has_its_own_request_parts() -> None:
    template = EventTemplate(**{**ROUTE, "path_parameters": {}, "stage_variables": {}})
    first = json.loads(template.render(_request(), b"", "req-1"))
    second = json.loads(template.render(_request("q=1"), b"\xff\x00", "req-2"))
    assert first["pathParameters"] is None and first["stageVariables"] is None
    assert first["queryStringParameters"] is None and first["body"] is None
    assert first["requestContext"]["extendedRequestId"] != second["requestContext"]["extendedRequestId"]
    assert second["requestContext"]["requestId"] == "req-2" and second["queryStringParameters"] == {"q": "1"}
    assert second["isBase64Encoded"] is True and base64.b64decode(second["body"]) == b"\xff\x00"


def test_headers_of_each_request_are_its_own() -> None:
    # The headers' JSON is kept per set of headers: a different set, even by one value, is its own.
    template = EventTemplate(**ROUTE)
    first = _request()
    changed = _request()
    changed.headers["X-Tag"] = "three"
    events = [json.loads(template.render(r, b"", "r")) for r in (first, changed, _request())]
    assert [e["multiValueHeaders"]["X-Tag"] for e in events] == [["one", "twö"], ["three"], ["one", "twö"]]
    assert events[1]["headers"]["X-Tag"] == "three" and events[2]["headers"]["X-Tag"] == "twö"
    bare = Request("GET", "/", "", CIMultiDict(), b"", "127.0.0.1")
    event = json.loads(template.render(bare, b"", "r"))
    assert event["headers"] is None and event["multiValueHeaders"] is None


def test_parse_response_rejects_what_breaks_the_contract() -> None:
    assert parse_response(b'{"statusCode": "201", "body": "ok"}') == (201, [], b"ok")
    for payload in (b"not json", b"[1]", b'{"statusCode": 200, "extra": 1}', b'{"body": 5}', b"\xff"):
        try:
            parse_response(payload)
        except MalformedResponse:
            continue
        raise AssertionError(f"{payload!r} accepted")


class _Edge:
    generation = 0  # the edge's count of control-plane changes; nothing changes here


def test_state_cache_with_a_bound_starts_over_instead_of_growing() -> None:
    cache: StateCache[int] = StateCache(_Edge(), max_entries=3)
    loads: list[int] = []
    for key in [1, 2, 3, 1, 4, 1]:
        cache.get(key, lambda key=key: loads.append(key) or key)
    assert loads == [1, 2, 3, 4, 1]  # 4 found the cache full and emptied it; 1 was then loaded again


def test_each_caller_has_its_own_identity() -> None:
    # Who called (source IP, user agent, host, HTTP version) is kept per caller: each render has its own.
    template = EventTemplate(**ROUTE)
    callers = [("127.0.0.1", "t/1", "127.0.0.1:4566"), ("127.0.0.2", "t/1", "127.0.0.1:4566")]
    callers += [("127.0.0.1", "t/2", "127.0.0.1:4566"), ("127.0.0.1", None, "a1b2c3.execute-api.localhost:4566")]
    seen = []
    for remote, agent, host in [*callers, callers[0]]:
        headers = CIMultiDict([("Host", host)] + ([("User-Agent", agent)] if agent else []))
        request = Request("GET", "/", "", headers, b"", remote, version=HttpVersion(1, 0))
        context = json.loads(template.render(request, b"", "r"))["requestContext"]
        identity = context["identity"]
        seen.append((identity["sourceIp"], identity["userAgent"], context["domainName"], context["protocol"]))
    assert seen == [(*caller, "HTTP/1.0") for caller in [*callers, callers[0]]]


def test_parse_response_reads_json_as_json_loads_does() -> None:
    # Whitespace around the object, escapes and nested values read as json.loads reads them.
    for payload in (b' {"statusCode": 200, "body": "a\\u00e9"}\n', b'{"body": "x", "headers": {"A": "1"}}'):
        result = json.loads(payload)
        assert parse_response(payload) == (200, list(result.get("headers", {}).items()), result["body"].encode())
    for payload in (b'{"statusCode": 200} {}', b'{"statusCode": 200', b"", b" "):
        try:
            parse_response(payload)
        except MalformedResponse:
            continue
        raise AssertionError(f"{payload!r} accepted")
