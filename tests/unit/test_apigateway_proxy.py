"""The Lambda proxy integration's contract, edge by edge: what a function may return and what its event holds."""

from __future__ import annotations

import base64
import calendar
import json
import time

import pytest
from multidict import CIMultiDict

from pocketcloud.apigateway.proxy import EventTemplate, MalformedResponse, parse_response
from pocketcloud.fastlane import Request

ROUTE = dict(
    api_id="a1b2c3",
    stage="prod",
    account_id="123456789012",
    method="PUT",
    resource_id="r00002",
    resource_path="/items/{id}",
    path="/items/7",
    path_parameters={"id": "7"},
    stage_variables={},
)


def _reason(payload: bytes) -> str:
    with pytest.raises(MalformedResponse) as caught:
        parse_response(payload)
    return str(caught.value)


@pytest.mark.parametrize("status", [100, 200, 599, "404"])
def test_status_codes_from_100_to_599_are_accepted(status: int | str) -> None:
    assert parse_response(json.dumps({"statusCode": status}).encode())[0] == int(status)


@pytest.mark.parametrize("status", [99, 600, "abc", 20.5, None])
def test_other_status_codes_break_the_contract(status: object) -> None:
    assert _reason(json.dumps({"statusCode": status}).encode()) == "statusCode"


def test_each_broken_part_is_named() -> None:
    # The reason says which part of the contract the result broke (API Gateway itself answers 502 either way).
    assert _reason(b'{"statusCode": 200') == "not JSON"
    assert _reason(b'{"x"') == "not JSON"  # a whole value sits inside it, but the object is cut off
    assert _reason(b"\xff") == "not JSON"
    assert _reason(b'"ok"') == "not an object"
    assert _reason(b'{"statusCode": 200, "Body": "x"}') == "unexpected keys ['Body']"
    assert _reason(b'{"headers": ["a"]}') == "headers"
    assert _reason(b'{"multiValueHeaders": "a"}') == "headers"
    assert _reason(b'{"multiValueHeaders": {"A": "1"}}') == "multiValueHeaders"
    assert _reason(b'{"body": {"a": 1}}') == "body must be a string"


def test_headers_merge_multi_value_first_and_single_values_not_repeated() -> None:
    payload = {
        "multiValueHeaders": {"Set-Cookie": ["a=1", "b=2"], "X-N": [3]},
        "headers": {"Set-Cookie": "ignored", "Content-Type": "text/plain", "X-One": 1},
    }
    _, headers, _ = parse_response(json.dumps(payload).encode())
    assert headers == [
        ("Set-Cookie", "a=1"),
        ("Set-Cookie", "b=2"),
        ("X-N", "3"),
        ("Content-Type", "text/plain"),
        ("X-One", "1"),
    ]
    assert parse_response(b'{"headers": {"A": "1"}, "multiValueHeaders": null}')[1] == [("A", "1")]


def test_bodies_text_base64_or_none() -> None:
    assert parse_response(b"{}") == (200, [], b"")
    assert parse_response(b'{"body": null, "statusCode": 204}') == (204, [], b"")
    encoded = base64.b64encode(b"\x00\xffpng").decode()
    assert parse_response(json.dumps({"body": encoded, "isBase64Encoded": True}).encode())[2] == b"\x00\xffpng"
    assert parse_response(json.dumps({"body": encoded, "isBase64Encoded": False}).encode())[2] == encoded.encode()
    assert parse_response(json.dumps({"body": "é"}).encode())[2] == "é".encode()


def _request(query: str = "", body: bytes = b"") -> Request:
    headers = CIMultiDict([("Host", "api.local"), ("user-agent", "curl/8")])
    return Request("PUT", "/items/7", query, headers, body, "10.0.0.9")


def test_the_request_context_names_the_route() -> None:
    event = json.loads(EventTemplate(**ROUTE).render(_request(), b"", "id-1"))
    context = event["requestContext"]
    assert {k: context[k] for k in ("resourceId", "resourcePath", "httpMethod", "accountId", "domainPrefix")} == {
        "resourceId": "r00002",
        "resourcePath": "/items/{id}",
        "httpMethod": "PUT",
        "accountId": "123456789012",
        "domainPrefix": "a1b2c3",
    }
    assert context["path"] == "/prod/items/7" and event["stageVariables"] is None
    assert context["identity"]["userAgent"] == "curl/8" and context["identity"]["sourceIp"] == "10.0.0.9"


def test_a_query_without_a_body_and_a_body_without_a_query() -> None:
    template = EventTemplate(**ROUTE)
    query_only = json.loads(template.render(_request("a=1"), b"", "id"))
    assert query_only["queryStringParameters"] == {"a": "1"} and query_only["body"] is None
    assert query_only["isBase64Encoded"] is False
    body_only = json.loads(template.render(_request(), b"hello", "id"))
    assert body_only["body"] == "hello" and body_only["queryStringParameters"] is None
    assert body_only["multiValueQueryStringParameters"] is None


def test_request_time_and_epoch_are_the_moment_of_the_request() -> None:
    before = time.time()
    context = json.loads(EventTemplate(**ROUTE).render(_request(), b"", "id"))["requestContext"]
    after = time.time()
    assert int(before * 1000) <= context["requestTimeEpoch"] <= int(after * 1000) + 1
    seconds = calendar.timegm(time.strptime(context["requestTime"], "%d/%b/%Y:%H:%M:%S +0000"))
    assert seconds == context["requestTimeEpoch"] // 1000
    assert len(context["extendedRequestId"]) == 16 and int(context["extendedRequestId"], 16) >= 0
